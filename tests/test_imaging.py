"""biomedkit.imaging: stains, the patch CNN, saliency and Grad-CAM, slide scores.

References: colour deconvolution against scikit-image (rgb2hed, combine_stains); Macenko's
stain vectors against the simulator's true vectors; gradient saliency and Grad-CAM against
networks built by hand, whose gradients are known in closed form; the Wilson interval against
statsmodels; the positive-cell count on an image drawn with a known answer.
"""

import numpy as np
import pytest

import biomedkit as bk

torch = pytest.importorskip("torch")
skimage = pytest.importorskip("skimage")
LOG_1E6 = -np.log(1e-6)


@pytest.fixture
def deterministic():
    previous = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True)
    yield
    torch.use_deterministic_algorithms(previous)


@pytest.fixture(scope="module")
def ihc():
    return skimage.data.immunohistochemistry()


@pytest.fixture(scope="module")
def trained():
    """A small CNN trained on clearly atypical simulated patches, and held-out patches."""
    train, _ = bk.simulate.tissue_patches(n=800, atypia=1.0, random_state=10)
    test, truth = bk.simulate.tissue_patches(n=300, atypia=1.0, random_state=11)
    model = bk.imaging.PatchCNN(epochs=6, random_state=0).fit(train.images, train.y)
    return model, test, truth


# ---------------------------------------------------------------- stains

def test_hed_stains_are_the_ruifrok_matrix_scikit_image_uses():
    np.testing.assert_allclose(bk.imaging.HED_STAINS, skimage.color.rgb_from_hed)


def test_separate_stains_matches_scikit_image_rgb2hed(ihc):
    ours = bk.imaging.separate_stains(ihc)
    reference = skimage.color.rgb2hed(ihc)  # same amounts / log(1e6), clipped at 0
    np.testing.assert_allclose(np.maximum(ours, 0) / LOG_1E6, reference, atol=1e-6)
    batch = bk.imaging.separate_stains(ihc[None].transpose(0, 3, 1, 2))
    np.testing.assert_allclose(batch[0].transpose(1, 2, 0), ours)


def test_combine_stains_matches_scikit_image_and_inverts_separation(ihc):
    amounts = bk.imaging.separate_stains(ihc)
    reference = skimage.color.combine_stains(amounts / LOG_1E6, skimage.color.rgb_from_hed)
    rebuilt = bk.imaging.combine_stains(amounts)
    np.testing.assert_allclose(rebuilt, reference, atol=1e-5)
    np.testing.assert_allclose(rebuilt, ihc / 255, atol=1e-5)


@pytest.mark.parametrize("domain", ["A", "B", "C"])
def test_macenko_recovers_the_simulated_stain_vectors(domain):
    data, truth = bk.simulate.tissue_patches(n=300, domain=domain, atypia=0.7, random_state=0)
    estimate = bk.imaging.macenko_stains(data.images)
    angles = np.degrees(np.arccos(np.clip((estimate * truth.stain_matrix).sum(axis=1), -1, 1)))
    assert estimate.shape == (2, 3) and (angles < 10).all(), angles


def test_stain_normalizer_brings_another_lab_close_to_the_reference_rendering():
    reference, _ = bk.simulate.tissue_patches(n=300, domain="A", random_state=1)
    same_a, _ = bk.simulate.tissue_patches(n=300, domain="A", random_state=2)
    same_c, _ = bk.simulate.tissue_patches(n=300, domain="C", random_state=2)  # same tissue, lab C
    before = same_c.images.copy()
    normalized = bk.imaging.StainNormalizer().fit(reference.images).transform(same_c.images)
    np.testing.assert_array_equal(same_c.images, before)  # input untouched
    assert normalized.shape == same_c.images.shape and normalized.dtype == np.float32
    assert 0 <= normalized.min() and normalized.max() <= 1
    error_before = np.abs(same_c.images - same_a.images).mean()
    error_after = np.abs(normalized - same_a.images).mean()
    assert error_after < 0.5 * error_before, (error_before, error_after)


def test_stain_normalizer_needs_fitting_and_tissue():
    with pytest.raises(ValueError, match="not fitted yet: call fit"):
        bk.imaging.StainNormalizer().transform(np.ones((1, 3, 8, 8), np.float32))
    with pytest.raises(ValueError, match="stained pixels"):
        bk.imaging.StainNormalizer().fit(np.ones((1, 3, 8, 8), np.float32))


def _hand_drawn_ihc():
    """Four nuclei of haematoxylin on white: nucleus 1 with DAB inside, nucleus 2 with DAB in a
    ring around it (membrane), nuclei 3 and 4 without."""
    rows, cols = np.indices((60, 60))
    amounts = np.zeros((60, 60, 3))
    centres = [(15, 15), (15, 45), (45, 15), (45, 45)]
    for i, (r, c) in enumerate(centres):
        distance = np.hypot(rows - r, cols - c)
        amounts[..., 0] += 1.0 * (distance <= 5)
        if i == 0:
            amounts[..., 2] += 0.8 * (distance <= 5)
        if i == 1:
            amounts[..., 2] += 0.8 * ((distance > 5) & (distance <= 8))
    return (255 * bk.imaging.combine_stains(amounts)).round().astype(np.uint8)


def test_positive_cell_fraction_counts_a_hand_drawn_image():
    image = _hand_drawn_ihc()
    nuclear = bk.imaging.positive_cell_fraction(image, compartment="nucleus", dab_threshold=0.2)
    assert nuclear.n_cells == 4 and nuclear.n_positive == 1 and nuclear.fraction == 0.25
    cell = bk.imaging.positive_cell_fraction(image, compartment="cell", expand=3, dab_threshold=0.2)
    assert cell.n_positive == 2 and cell.table["positive"].tolist() == [True, True, False, False]
    assert cell.to_frame().shape == (4, 4) and "2 of 4 cells" in repr(cell)
    # the interval is Wilson's, as statsmodels computes it
    proportion = pytest.importorskip("statsmodels.stats.proportion")
    low, high = proportion.proportion_confint(2, 4, alpha=0.05, method="wilson")
    assert (cell.low, cell.high) == pytest.approx((low, high))
    overlay = cell.overlay(image)
    assert overlay.shape == (60, 60, 3) and np.array_equal(image, _hand_drawn_ihc())


def test_positive_cell_fraction_on_the_real_slide_is_in_range(ihc):
    result = bk.imaging.positive_cell_fraction(ihc)
    assert result.n_cells > 100 and 0 < result.fraction < 1
    assert result.low < result.fraction < result.high
    # a stricter threshold never finds more positive cells
    stricter = bk.imaging.positive_cell_fraction(ihc, dab_threshold=result.dab_threshold + 0.2)
    assert stricter.n_positive <= result.n_positive


@pytest.mark.parametrize("kwargs, error, message", [
    ({"compartment": "membrane"}, ValueError, "compartment must be 'cell' or 'nucleus'"),
    ({"dab_threshold": "high"}, ValueError, "dab_threshold must be a number"),
    ({"expand": -1}, ValueError, "expand must be an integer >= 0"),
    ({"min_area": 0}, ValueError, "min_area must be an integer >= 1"),
    ({"level": 95}, ValueError, "level must be a number in"),
])
def test_positive_cell_fraction_names_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        bk.imaging.positive_cell_fraction(_hand_drawn_ihc(), **kwargs)


@pytest.mark.parametrize("image, error, message", [
    (np.zeros((8, 8)), ValueError, r"one RGB image \(height, width, 3\) or a batch"),
    (np.zeros((8, 8, 3), np.int64), TypeError, "must be uint8 .* or float"),
    (np.full((8, 8, 3), 2.0), ValueError, r"values in \[0, 1\]"),
    (np.full((8, 8, 3), np.nan), ValueError, "NaN"),
    (np.zeros((2, 3, 8, 8)), ValueError, "one RGB image .* got a batch"),
    (np.full((8, 8, 3), 255, np.uint8), ValueError, "no nuclei found"),
])
def test_stain_functions_name_bad_images(image, error, message):
    with pytest.raises(error, match=message):
        bk.imaging.positive_cell_fraction(image)


def test_stain_matrix_and_amounts_are_checked():
    image = np.full((4, 4, 3), 0.5)
    with pytest.raises(ValueError, match=r"stains must have shape \(n_stains, 3\)"):
        bk.imaging.separate_stains(image, stains=np.eye(4))
    with pytest.raises(ValueError, match="linearly independent"):
        bk.imaging.separate_stains(image, stains=[[1, 0, 0], [2, 0, 0]])
    with pytest.raises(ValueError, match=r"amounts must have shape \(height, width, 3\)"):
        bk.imaging.combine_stains(np.zeros((4, 4, 2)))


# ---------------------------------------------------------------- the CNN

def test_cnn_learns_the_simulated_atypia(trained):
    model, test, _ = trained
    proba = model.predict_proba(test.images)
    assert proba.shape == (300, 2) and np.allclose(proba.sum(axis=1), 1)
    auc = bk.validation.auc_ci(test.y, proba[:, 1])
    assert auc.low > 0.9, auc
    assert set(model.predict(test.images)) <= {0, 1}
    assert model.score(test.images, test.y) > 0.8
    assert len(model.loss_curve_) == 6 and model.loss_curve_[-1] < model.loss_curve_[0]


def test_cnn_is_deterministic_for_a_seed_and_leaves_the_images_alone(deterministic):
    data, _ = bk.simulate.tissue_patches(n=100, size=16, random_state=0)
    before = data.images.copy()
    a = bk.imaging.PatchCNN(channels=(4, 8), epochs=2, random_state=3).fit(data.images, data.y)
    b = bk.imaging.PatchCNN(channels=(4, 8), epochs=2, random_state=3).fit(data.images, data.y)
    np.testing.assert_array_equal(a.predict_proba(data.images), b.predict_proba(data.images))
    np.testing.assert_array_equal(data.images, before)


def test_cnn_takes_uint8_images_and_string_labels():
    data, _ = bk.simulate.tissue_patches(n=60, size=16, random_state=0)
    as_uint8 = (data.images * 255).round().astype(np.uint8)
    labels = np.where(data.y == 1, "tumour", "normal")
    model = bk.imaging.PatchCNN(channels=(4,), epochs=1, random_state=0).fit(as_uint8, labels)
    assert model.classes_.tolist() == ["normal", "tumour"]
    assert model.predict(as_uint8).dtype.kind == "U"


def test_cnn_works_with_scikit_learn_clone():
    from sklearn.base import clone

    augment = bk.imaging.Augmentation(stain_scale=0.2)
    model = clone(bk.imaging.PatchCNN(epochs=3, augment=augment, random_state=1))
    assert model.epochs == 3 and model.random_state == 1 and not hasattr(model, "module_")


def test_fine_tune_returns_a_new_network_and_keeps_the_original(trained):
    model, test, _ = trained
    before = {k: v.clone() for k, v in model.module_.state_dict().items()}
    tuned = model.fine_tune(test.images[:50], test.y[:50], epochs=2, learning_rate=1e-3)
    assert tuned is not model and tuned.n_train_ == 50 and len(tuned.loss_curve_) == 2
    for key, value in model.module_.state_dict().items():
        assert torch.equal(value, before[key]), key
    head_only = model.fine_tune(test.images[:50], test.y[:50], epochs=1, freeze_features=True)
    for (key, value), (_, original) in zip(head_only.module_.state_dict().items(), before.items()):
        assert torch.equal(value, original) == (not key.startswith("head")), key
    # a small sample may hold one class only
    one_class = test.images[test.y.to_numpy() == 1][:10]
    assert model.fine_tune(one_class, np.ones(10, int), epochs=1).n_train_ == 10


def test_fine_tune_refuses_new_labels_and_other_patch_sizes(trained):
    model, test, _ = trained
    with pytest.raises(ValueError, match=r"labels the network was not trained on: \[2\]"):
        model.fine_tune(test.images[:5], [0, 1, 2, 0, 1])
    with pytest.raises(ValueError, match=r"trained on \(3, 32, 32\); pass patches of the training size"):
        model.predict_proba(np.zeros((2, 3, 16, 16), np.float32))
    with pytest.raises(TypeError, match="freeze_features must be True or False"):
        model.fine_tune(test.images[:5], test.y[:5], freeze_features="yes")


@pytest.mark.parametrize("images, y, error, message", [
    (np.zeros((4, 16, 16, 3), np.float32), [0, 1, 0, 1], ValueError,
     r"channels last\? pass images.transpose\(0, 3, 1, 2\)"),
    (np.zeros((16, 16, 3), np.float32), [0], ValueError, r"got one image .* pass images.transpose\(2, 0, 1\)\[None\]"),
    (np.zeros((4, 1, 16, 16), np.float32), [0, 1, 0, 1], ValueError, "must have 3 colour channels"),
    (np.zeros((4, 3, 16, 16), np.int32), [0, 1, 0, 1], TypeError, "must be uint8 .* or float .*; got dtype int32"),
    (np.full((4, 3, 16, 16), 200.0), [0, 1, 0, 1], ValueError, "Divide by 255"),
    (np.zeros((4, 3, 16, 16), np.float32), [0, 1, 0], ValueError, "y has 3 labels but images holds 4"),
    (np.zeros((4, 3, 16, 16), np.float32), [1, 1, 1, 1], ValueError, "only one class"),
    (np.zeros((0, 3, 16, 16), np.float32), [], ValueError, "holds no images"),
])
def test_cnn_names_bad_images_and_labels(images, y, error, message):
    with pytest.raises(error, match=message):
        bk.imaging.PatchCNN(epochs=1).fit(images, y)


def test_cnn_refuses_a_torch_tensor_with_the_fix():
    with pytest.raises(TypeError, match=r"got a torch tensor: pass images.cpu\(\).numpy\(\)"):
        bk.imaging.PatchCNN(epochs=1).fit(torch.zeros(2, 3, 16, 16), [0, 1])


@pytest.mark.parametrize("params, error, message", [
    ({"channels": ()}, ValueError, "channels must be a non-empty tuple"),
    ({"channels": 16}, ValueError, "channels must be a non-empty tuple"),
    ({"channels": (16, 0)}, ValueError, r"channels\[1\] must be an integer >= 1"),
    ({"epochs": 0}, ValueError, "epochs must be an integer >= 1"),
    ({"batch_size": 2.5}, ValueError, "batch_size must be an integer"),
    ({"learning_rate": 0}, ValueError, "learning_rate must be a number in"),
    ({"augment": "flips"}, TypeError, "augment must be None or a callable"),
    ({"device": 0}, TypeError, "device must be a string"),
    ({"device": "gpu"}, ValueError, "device must be 'cpu', 'cuda'"),
    ({"random_state": -1}, ValueError, "random_state must be an integer >= 0"),
])
def test_cnn_names_bad_parameters(params, error, message):
    with pytest.raises(error, match=message):
        bk.imaging.PatchCNN(**params).fit(np.zeros((2, 3, 16, 16), np.float32), [0, 1])


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_cnn_says_when_there_is_no_gpu():
    with pytest.raises(ValueError, match="sees no CUDA GPU .* use device='cpu'"):
        bk.imaging.PatchCNN(device="cuda").fit(np.zeros((2, 3, 16, 16), np.float32), [0, 1])


def test_cnn_must_be_fitted_first():
    with pytest.raises(ValueError, match=r"not fitted yet: call fit\(images, y\) first"):
        bk.imaging.PatchCNN().predict_proba(np.zeros((1, 3, 16, 16), np.float32))


# ---------------------------------------------------------------- augmentation

def _dihedral(image):
    """The 8 flips and quarter turns of a (3, h, w) tensor."""
    turns = [torch.rot90(image, k, dims=(-2, -1)) for k in range(4)]
    return turns + [t.flip(-1) for t in turns]


def test_flips_and_turns_only_move_pixels():
    batch = torch.rand(16, 3, 8, 8, generator=torch.Generator().manual_seed(0))
    out = bk.imaging.Augmentation()(batch, torch.Generator().manual_seed(1))
    assert out.shape == batch.shape and out is not batch
    for original, augmented in zip(batch, out):
        assert any(torch.equal(augmented, t) for t in _dihedral(original))
    again = bk.imaging.Augmentation()(batch, torch.Generator().manual_seed(1))
    assert torch.equal(out, again)


def test_stain_jitter_scales_each_stain_within_its_range():
    data, _ = bk.simulate.tissue_patches(n=8, random_state=0)
    batch = torch.from_numpy(data.images)
    augment = bk.imaging.Augmentation(flips=False, rotations=False, stain_scale=0.3)
    out = augment(batch, torch.Generator().manual_seed(0)).numpy()
    np.testing.assert_array_equal(batch.numpy(), data.images)  # input untouched
    before = bk.imaging.separate_stains(data.images)
    after = bk.imaging.separate_stains(out)
    for stain in (0, 1):  # haematoxylin, eosin: one factor per image and stain
        ratio = after[:, stain].sum(axis=(1, 2)) / before[:, stain].sum(axis=(1, 2))
        assert ((ratio > 0.7 - 1e-3) & (ratio < 1.3 + 1e-3)).all(), ratio
        np.testing.assert_allclose(after[:, stain], before[:, stain] * ratio[:, None, None], atol=2e-3)


def test_augmentation_names_bad_arguments():
    with pytest.raises(TypeError, match="flips must be True or False"):
        bk.imaging.Augmentation(flips=1)
    with pytest.raises(ValueError, match="stain_scale must be a number in"):
        bk.imaging.Augmentation(stain_scale=1.5)
    with pytest.raises(ValueError, match=r"batch must be a torch tensor of shape \(n, channels, height, width\)"):
        bk.imaging.Augmentation()(np.zeros((1, 3, 4, 4)), torch.Generator())


# ---------------------------------------------------------------- saliency and Grad-CAM

def _linear_network(weights):
    """One linear layer on the flattened image: its gradient is its weights."""
    outputs, n_inputs = weights.shape
    layer = torch.nn.Linear(n_inputs, outputs, bias=True)
    with torch.no_grad():
        layer.weight.copy_(torch.as_tensor(weights, dtype=torch.float32))
        layer.bias.zero_()
    return torch.nn.Sequential(torch.nn.Flatten(), layer)


def test_saliency_of_a_linear_network_is_its_weights():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(1, 3 * 4 * 5))
    images = rng.random((2, 3, 4, 5)).astype(np.float32)
    maps = bk.imaging.saliency_map(_linear_network(w), images)
    expected = np.abs(w.reshape(3, 4, 5)).max(axis=0)
    np.testing.assert_allclose(maps, np.broadcast_to(expected, (2, 4, 5)), rtol=1e-6)
    # two outputs: the score is the log-odds, whose gradient is the difference of the weights
    w2 = rng.normal(size=(2, 3 * 4 * 5))
    maps = bk.imaging.saliency_map(_linear_network(w2), images, target=1)
    np.testing.assert_allclose(maps[0], np.abs((w2[1] - w2[0]).reshape(3, 4, 5)).max(axis=0), rtol=1e-5)


class _HandBuilt(torch.nn.Module):
    """features: red channel and blue channel (1 x 1 convolution); score = 2 mean(red) - mean(blue)."""

    def __init__(self):
        super().__init__()
        self.features = torch.nn.Conv2d(3, 2, 1, bias=False)
        self.head = torch.nn.Linear(2, 1, bias=False)
        with torch.no_grad():
            self.features.weight.zero_()
            self.features.weight[0, 0] = 1.0
            self.features.weight[1, 2] = 1.0
            self.head.weight.copy_(torch.tensor([[2.0, -1.0]]))

    def forward(self, x):
        return self.head(self.features(x).mean(dim=(2, 3)))


def test_grad_cam_of_a_hand_built_network():
    # d score / d A_k = w_k / (h w) everywhere, so the map is ReLU((2 red - blue) / (h w))
    rng = np.random.default_rng(1)
    images = rng.random((3, 3, 6, 7)).astype(np.float32)
    network = _HandBuilt()
    maps = bk.imaging.grad_cam(network, images, layer=network.features)
    expected = np.maximum(2 * images[:, 0] - images[:, 2], 0) / (6 * 7)
    np.testing.assert_allclose(maps, expected, rtol=1e-5, atol=1e-9)
    normalized = bk.imaging.grad_cam(network, images, layer=network.features, normalize=True)
    np.testing.assert_allclose(normalized.max(axis=(1, 2)), 1)
    # target 0 of a one-output network explains the negated score
    flipped = bk.imaging.grad_cam(network, images, layer=network.features, target=0)
    np.testing.assert_allclose(flipped, np.maximum(images[:, 2] - 2 * images[:, 0], 0) / 42, rtol=1e-5, atol=1e-9)


def test_grad_cam_and_saliency_find_the_label_carrying_nuclei(trained):
    model, test, truth = trained
    tumour = np.flatnonzero((test.y.to_numpy() == 1) & (model.predict(test.images) == 1))
    cam = bk.imaging.grad_cam(model, test.images[tumour])
    assert cam.shape == (len(tumour), 32, 32) and (cam >= 0).all()
    for maps in (cam, bk.imaging.saliency_map(model, test.images[tumour])):
        found = bk.imaging.localization(maps, truth.masks[tumour], tolerance=1)
        assert found.low > 3 * found.chance, found


def test_explaining_leaves_the_network_in_eval_mode_and_the_images_alone(trained):
    model, test, _ = trained
    images = test.images[:4].copy()
    bk.imaging.grad_cam(model, images)
    bk.imaging.saliency_map(model, images)
    assert not model.module_.training and not model.module_.features._forward_hooks
    np.testing.assert_array_equal(images, test.images[:4])


def test_maps_name_bad_arguments(trained):
    model, test, _ = trained
    with pytest.raises(TypeError, match="model must be a fitted biomedkit.imaging.PatchCNN or a torch.nn.Module"):
        bk.imaging.saliency_map("model", test.images[:2])
    with pytest.raises(ValueError, match="layer is required for a network that is not a fitted PatchCNN"):
        bk.imaging.grad_cam(_HandBuilt(), test.images[:2])
    with pytest.raises(ValueError, match="layer must be one of model's own layers"):
        bk.imaging.grad_cam(model, test.images[:2], layer=torch.nn.Conv2d(3, 3, 1))
    with pytest.raises(ValueError, match="target must be a class index below 2"):
        bk.imaging.grad_cam(model, test.images[:2], target=2)
    with pytest.raises(ValueError, match="must have 3 colour channels"):
        bk.imaging.saliency_map(model, test.images[:2, :1])
    with pytest.raises(ValueError, match="layer must output feature maps"):
        bk.imaging.grad_cam(model, test.images[:2], layer=model.module_.head)


# ---------------------------------------------------------------- localization

def test_localization_by_hand():
    maps = np.zeros((3, 4, 4))
    masks = np.zeros((3, 4, 4), bool)
    maps[0, 1, 1], masks[0, 1, 1] = 3.0, True          # peak inside: hit, all mass inside
    maps[1, 0, 0], maps[1, 3, 3] = 1.0, 3.0            # peak at (3, 3), mask at (0, 0): miss
    masks[1, 0, 0] = True
    maps[2, 2, 2] = 1.0                                  # peak next to the mask: a hit with tolerance 1
    masks[2, 2, 3] = True
    found = bk.imaging.localization(maps, masks)
    assert found.table["hit"].tolist() == [True, False, False]
    assert found.table["mass_in_mask"].tolist() == pytest.approx([1.0, 0.25, 0.0])
    assert found.hit_rate == pytest.approx(1 / 3) and found.chance == pytest.approx(1 / 16)
    proportion = pytest.importorskip("statsmodels.stats.proportion")
    assert (found.low, found.high) == pytest.approx(proportion.proportion_confint(1, 3, method="wilson"))
    assert bk.imaging.localization(maps, masks, tolerance=1).table["hit"].tolist() == [True, False, True]
    # images with nothing to find are left out; a map that is zero everywhere misses
    masks_plus = np.concatenate([masks, np.zeros((1, 4, 4), bool), masks[:1]])
    maps_plus = np.concatenate([maps, maps[:1], np.zeros((1, 4, 4))])
    assert bk.imaging.localization(maps_plus, masks_plus).table.index.tolist() == [0, 1, 2, 4]
    assert not bk.imaging.localization(maps_plus, masks_plus).table.loc[4, "hit"]


@pytest.mark.parametrize("maps, masks, error, message", [
    (np.zeros((2, 4, 4)), np.zeros((2, 4, 5), bool), ValueError, "masks must have the shape of maps"),
    (np.zeros((2, 4, 4)), np.zeros((2, 4, 4)), TypeError, "masks must be boolean"),
    (-np.ones((2, 4, 4)), np.ones((2, 4, 4), bool), ValueError, "maps must be non-negative"),
    (np.zeros((4, 4)), np.zeros((4, 4), bool), ValueError, r"maps must have shape \(n, height, width\)"),
    (np.zeros((2, 4, 4)), np.zeros((2, 4, 4), bool), ValueError, "every mask is empty"),
])
def test_localization_names_bad_arguments(maps, masks, error, message):
    with pytest.raises(error, match=message):
        bk.imaging.localization(maps, masks)


# ---------------------------------------------------------------- slides and plots

def test_slide_scores_by_hand():
    scores = [0.1, 0.9, 0.5, 0.2, 0.3, 0.4]
    slides = ["a", "a", "a", "b", "b", "b"]
    table = bk.imaging.slide_scores(scores, slides, method="top_k", k=2)
    assert table.index.tolist() == ["a", "b"] and table["n_patches"].tolist() == [3, 3]
    assert table["score"].tolist() == pytest.approx([0.7, 0.35])
    assert bk.imaging.slide_scores(scores, slides, method="max")["score"].tolist() == [0.9, 0.4]
    assert bk.imaging.slide_scores(scores, slides, method="mean")["score"].tolist() == pytest.approx([0.5, 0.3])
    share = bk.imaging.slide_scores(scores, slides, method="share_above", threshold=0.35)
    assert share["score"].tolist() == pytest.approx([2 / 3, 1 / 3])
    assert bk.imaging.slide_scores(scores, slides, k=10)["score"].tolist() == pytest.approx([0.5, 0.3])


@pytest.mark.parametrize("kwargs, message", [
    ({"patch_scores": np.zeros((6, 2))}, r"one score per patch; for predict_proba output pass \[:, 1\]"),
    ({"slides": ["a"] * 5}, "slides must give one slide per patch"),
    ({"method": "median"}, "method must be one of"),
    ({"k": 0}, "k must be an integer >= 1"),
    ({"patch_scores": [np.nan] * 6}, "NaN"),
])
def test_slide_scores_name_bad_arguments(kwargs, message):
    args = {"patch_scores": [0.1] * 6, "slides": ["a"] * 6, **kwargs}
    with pytest.raises(ValueError, match=message):
        bk.imaging.slide_scores(args.pop("patch_scores"), args.pop("slides"), **args)


def test_plot_patches_draws_one_panel_per_patch():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data, truth = bk.simulate.tissue_patches(n=5, random_state=0)
    fig = bk.imaging.plot_patches(data.images, titles=list(data.y), maps=truth.masks.astype(float),
                                  masks=truth.masks, ncols=3)
    assert len(fig.axes) == 6 and sum(bool(ax.images) for ax in fig.axes) == 5
    plt.close(fig)
    with pytest.raises(ValueError, match="titles must give one title per image"):
        bk.imaging.plot_patches(data.images, titles=["a"])
    with pytest.raises(ValueError, match=r"maps must have shape \(5, 32, 32\)"):
        bk.imaging.plot_patches(data.images, maps=np.zeros((5, 8, 8)))


def test_imaging_is_registered_and_loads_without_torch():
    from conftest import run_python

    out = run_python("import sys, biomedkit as bk; bk.imaging.separate_stains; print('torch' in sys.modules)")
    assert out.stdout.strip() == "False"
    assert "imaging" in dir(bk)


# ---------------------------------------------------------------- any number of channels

def _channel_images(n_channels, n=48, size=16, seed=0):
    """Random images whose label is whether channel 0 is bright in the centre."""
    rng = np.random.default_rng(seed)
    images = rng.random((n, n_channels, size, size)).astype(np.float32) * 0.5
    y = np.arange(n) % 2
    images[y == 1, 0, 4:12, 4:12] += 0.5
    return images, y


@pytest.fixture(scope="module", params=[1, 3, 4], ids=["grey", "rgb", "4 markers"])
def small_cnn(request):
    images, y = _channel_images(request.param)
    model = bk.imaging.PatchCNN(in_channels=request.param, channels=(4, 8), epochs=2, batch_size=16,
                                random_state=0).fit(images, y)
    return model, images[:6]


def _direct_grad_cam(model, images):
    """Grad-CAM by hand: the network run layer by layer, the gradient of the log-odds taken at
    the feature maps, no hooks."""
    network = model.module_
    activation = network.features(torch.tensor(images)).detach().requires_grad_(True)
    logits = network.head(network.pool(activation))
    (grad,) = torch.autograd.grad((logits[:, 1] - logits[:, 0]).sum(), activation)
    cam = torch.relu((grad.mean(dim=(2, 3), keepdim=True) * activation).sum(dim=1, keepdim=True))
    cam = torch.nn.functional.interpolate(cam, size=images.shape[2:], mode="bilinear", align_corners=False)
    return cam[:, 0].detach().numpy()


def test_saliency_for_any_channel_count_is_the_autograd_gradient(small_cnn):
    model, images = small_cnn
    maps = bk.imaging.saliency_map(model, images, batch_size=4)
    assert maps.shape == (6, 16, 16) and np.isfinite(maps).all() and maps.max() > 0
    # one image by hand: |d log-odds / d pixel|, the largest over the channels
    x = torch.tensor(images[2:3], requires_grad=True)
    logits = model.module_(x)
    (logits[0, 1] - logits[0, 0]).backward()
    by_hand = x.grad.abs().amax(dim=1)[0].numpy()
    np.testing.assert_allclose(maps[2], by_hand, rtol=1e-5, atol=1e-8)
    if images.shape[1] == 1:  # one channel: its own gradient
        np.testing.assert_allclose(maps[2], np.abs(x.grad[0, 0].numpy()), rtol=1e-5, atol=1e-8)


def test_grad_cam_for_any_channel_count_matches_a_direct_computation(small_cnn):
    # for 3 channels this also pins Grad-CAM of colour images to its definition: the
    # channel-count change left it as it was
    model, images = small_cnn
    maps = bk.imaging.grad_cam(model, images, batch_size=4)
    assert maps.shape == (6, 16, 16) and np.isfinite(maps).all() and (maps >= 0).all()
    np.testing.assert_allclose(maps, _direct_grad_cam(model, images), rtol=1e-5, atol=1e-8)
    normalized = bk.imaging.grad_cam(model, images, normalize=True)
    peaks = normalized.max(axis=(1, 2))
    assert np.all((peaks == 0) | np.isclose(peaks, 1))


def test_maps_refuse_images_with_other_channels_than_the_network(small_cnn):
    model, images = small_cnn
    c = images.shape[1]
    wrong = np.repeat(images[:, :1], 2, axis=1)  # 2 channels: no network here takes those
    expected = "3 colour channels" if c == 3 else rf"\(n, {c}, height, width\) for a network with in_channels={c}"
    for explain in (bk.imaging.saliency_map, bk.imaging.grad_cam):
        with pytest.raises(ValueError, match=expected):
            explain(model, wrong)
        with pytest.raises(ValueError, match=r"channels last\? pass images.transpose\(0, 3, 1, 2\)"):
            explain(model, images.transpose(0, 2, 3, 1))


def test_maps_take_the_channel_count_of_a_network_s_first_convolution():
    network = torch.nn.Sequential(torch.nn.Conv2d(4, 2, 3, padding=1), torch.nn.ReLU(),
                                  torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(2, 2))
    images, _ = _channel_images(4, n=3, size=8)
    assert bk.imaging.saliency_map(network, images).shape == (3, 8, 8)
    assert bk.imaging.grad_cam(network, images, layer=network[1]).shape == (3, 8, 8)
    with pytest.raises(ValueError, match=r"shape \(n, 4, height, width\) for a network with in_channels=4"):
        bk.imaging.saliency_map(network, images[:, :3])
    with pytest.raises(ValueError, match=r"got one image .* pass images.transpose\(2, 0, 1\)\[None\]"):
        bk.imaging.saliency_map(network, images[0].transpose(1, 2, 0))


@pytest.mark.parametrize("images, message", [
    (np.zeros((2, 8, 8), np.float32), r"grey images without a channel axis\? pass images\[:, None\]"),
    (np.zeros((2, 8, 8, 1), np.float32), r"in_channels=1 .*channels last\? pass images.transpose\(0, 3, 1, 2\)"),
    (np.zeros((2, 1, 0, 8), np.float32), "empty channel or pixel axis"),
])
def test_grey_networks_name_bad_image_shapes(images, message):
    with pytest.raises(ValueError, match=message):
        bk.imaging.PatchCNN(in_channels=1, epochs=1).fit(images, [0, 1])


@pytest.mark.parametrize("n_channels", [1, 2, 4])
def test_plot_patches_shows_other_channel_counts_in_grey(n_channels):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    images, _ = _channel_images(n_channels, n=3, size=8)
    masks = np.zeros((3, 8, 8), bool)
    masks[:, 2:5, 2:5] = True
    fig = bk.imaging.plot_patches(images, maps=images[:, 0], masks=masks, titles=["a", "b", "c"])
    try:
        shown = fig.axes[1].images[0]
        assert shown.get_cmap().name == "gray" and shown.get_clim() == (0, 1)
        np.testing.assert_allclose(shown.get_array(), images[1].mean(axis=0), rtol=1e-6)  # the mean channel
        assert len(fig.axes[1].images) == 2  # the image and the map over it
    finally:
        plt.close(fig)
    with pytest.raises(ValueError, match=r"grey images without a channel axis\? pass images\[:, None\]"):
        bk.imaging.plot_patches(images[:, 0])


def test_flips_and_turns_take_any_channels_but_stain_jitter_needs_colour():
    batch = torch.rand(8, 4, 6, 6, generator=torch.Generator().manual_seed(0))
    out = bk.imaging.Augmentation()(batch, torch.Generator().manual_seed(1))
    for original, augmented in zip(batch, out):
        assert any(torch.equal(augmented, t) for t in _dihedral(original))
    with pytest.raises(ValueError, match=r"stain jitter needs colour images: .* got \(8, 4, 6, 6\)"):
        bk.imaging.Augmentation(stain_scale=0.2)(batch, torch.Generator())
    grey, y = _channel_images(1, n=16, size=8)
    model = bk.imaging.PatchCNN(in_channels=1, channels=(2,), epochs=1, augment=bk.imaging.Augmentation(),
                                random_state=0).fit(grey, y)
    assert model.predict_proba(grey).shape == (16, 2)


# ---------------------------------------------------------------- image size of a fitted PatchCNN

@pytest.mark.parametrize("pooling", ["flatten", "average"])
def test_maps_refuse_another_size_as_predict_proba_does(pooling):
    """The maps take the images that the fitted network's predict_proba takes. With
    ``pooling="flatten"`` another size used to reach torch and fail there with a shape error;
    predict_proba refuses another size whatever the pooling, and so do the maps."""
    images, y = _channel_images(1, n=16, size=16)
    model = bk.imaging.PatchCNN(in_channels=1, channels=(2,), epochs=1, pooling=pooling,
                                random_state=0).fit(images, y)
    other = _channel_images(1, n=3, size=12)[0]
    message = r"images have shape \(1, 12, 12\) per image but the network was trained on \(1, 16, 16\)"
    with pytest.raises(ValueError, match=message):
        model.predict_proba(other)
    for explain in (bk.imaging.saliency_map, bk.imaging.grad_cam):
        with pytest.raises(ValueError, match=message):
            explain(model, other)
        assert explain(model, images[:3]).shape == (3, 16, 16)  # the training size still works
    if pooling == "average":
        # the network itself takes any size: passed as a torch module, it is explained at 12 x 12
        module = model.module_
        assert bk.imaging.saliency_map(module, other).shape == (3, 12, 12)
        assert bk.imaging.grad_cam(module, other, layer=module.features).shape == (3, 12, 12)
    else:
        with pytest.raises(RuntimeError):  # the torch error the check stands in front of
            bk.imaging.saliency_map(model.module_, other)

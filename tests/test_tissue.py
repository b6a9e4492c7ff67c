"""The tissue-patch simulator: deterministic, and the truth it returns is the truth."""

import numpy as np
import pandas as pd
import pytest
from scipy import ndimage, stats

import biomedkit as bk
from biomedkit.simulate.tissue import DOMAINS


@pytest.fixture(scope="module")
def patches():
    return bk.simulate.tissue_patches(n=300, atypia=1.0, random_state=0)


def test_is_deterministic_for_a_seed(patches):
    data, truth = patches
    again, truth_again = bk.simulate.tissue_patches(n=300, atypia=1.0, random_state=0)
    other, _ = bk.simulate.tissue_patches(n=300, atypia=1.0, random_state=1)
    np.testing.assert_array_equal(data.images, again.images)
    np.testing.assert_array_equal(truth.masks, truth_again.masks)
    pd.testing.assert_frame_equal(data.frame, again.frame)
    assert not np.array_equal(data.images, other.images)


def test_images_frame_and_card(patches):
    data, truth = patches
    assert data.images.shape == (300, 3, 32, 32) and data.images.dtype == np.float32
    assert 0 <= data.images.min() and data.images.max() <= 1
    assert list(data.frame.columns) == ["domain", "label"] and data.frame.index.name == "patch_id"
    assert data.target == "label" and set(data.y.unique()) == {0, 1}
    assert data.card["name"] == "tissue_patches" and data.card["rows"] == 300 and data.card["columns"] == 2
    assert data.truth is truth and "300 patches" in repr(truth)
    small, _ = bk.simulate.tissue_patches(n=5, size=48, random_state=0)
    assert small.images.shape == (5, 3, 48, 48)


def test_loads_through_the_catalogue():
    data = bk.datasets.load("tissue_patches", n=20, random_state=3)
    np.testing.assert_array_equal(data.images, bk.simulate.tissue_patches(n=20, random_state=3)[0].images)


def test_masks_mark_the_atypical_nuclei_of_tumour_patches_only(patches):
    data, truth = patches
    y = data.y.to_numpy()
    assert not truth.masks[y == 0].any()
    assert truth.masks[y == 1].any(axis=(1, 2)).all()
    assert np.array_equal(truth.n_atypical > 0, y == 1)
    assert truth.n_atypical.max() <= 3
    assert not (truth.masks & ~truth.nuclei).any(), "atypical nuclei are nuclei"


def _deconvolve(data, truth):
    """Per pixel haematoxylin and eosin amounts, from the simulator's own stains (Beer-Lambert)."""
    density = -np.log(np.clip(data.images / truth.glass, 1e-6, None))
    stains = truth.stain_matrix * truth.stain_amounts[:, None]
    return np.einsum("nchw,cs->nshw", density, np.linalg.pinv(stains))


def test_atypical_nuclei_are_larger_and_darker(patches):
    data, truth = patches
    amounts = _deconvolve(data, truth)
    normal_nuclei = truth.nuclei & ~truth.masks
    # hyperchromatic: more haematoxylin per pixel
    assert amounts[:, 0][truth.masks].mean() > amounts[:, 0][normal_nuclei].mean() + 0.1
    # larger: mean area of the connected atypical regions vs all nuclei of normal patches
    normal_patches = data.y.to_numpy() == 0

    def mean_area(masks):
        within_one_image = np.zeros((3, 3, 3), bool)
        within_one_image[1] = ndimage.generate_binary_structure(2, 1)
        labels, _ = ndimage.label(masks, structure=within_one_image)
        return np.bincount(labels.ravel())[1:].mean()

    assert mean_area(truth.masks) > 1.5 * mean_area(truth.nuclei[normal_patches])


def test_rendering_follows_beer_lambert_with_the_stains_in_the_truth(patches):
    # the two recovered amounts reproduce the image: nothing but the two stains and noise
    data, truth = patches
    amounts = _deconvolve(data, truth)
    stains = truth.stain_matrix * truth.stain_amounts[:, None]
    rebuilt = truth.glass * np.exp(-np.einsum("nshw,sc->nchw", amounts, stains))
    assert np.abs(rebuilt - data.images).mean() < 0.01
    assert amounts[:, 1][~truth.nuclei].mean() > amounts[:, 1][truth.nuclei].mean(), "eosin in the stroma"


def test_domains_render_the_same_tissue_in_other_colours():
    a, ta = bk.simulate.tissue_patches(n=50, domain="A", random_state=5)
    b, tb = bk.simulate.tissue_patches(n=50, domain="B", random_state=5)
    np.testing.assert_array_equal(ta.masks, tb.masks)
    np.testing.assert_array_equal(a.y, b.y)
    assert np.abs(a.images - b.images).mean() > 0.03
    assert b.images.mean() < a.images.mean(), "lab B stains darker"
    assert set(DOMAINS) == {"A", "B", "C"} and (b.frame["domain"] == "B").all()
    np.testing.assert_allclose(np.linalg.norm(tb.stain_matrix, axis=1), 1)


@pytest.mark.parametrize("prevalence", [0.2, 0.5])
def test_share_of_tumour_patches_follows_prevalence(prevalence):
    data, _ = bk.simulate.tissue_patches(n=1500, size=16, prevalence=prevalence, random_state=2)
    k = int(data.y.sum())
    assert stats.binomtest(k, 1500, prevalence).pvalue > 0.001


def test_slides_hold_tumour_only_when_positive():
    data, truth = bk.simulate.tissue_patches(n=400, size=16, n_slides=20, random_state=4)
    frame = data.frame
    assert list(frame.columns) == ["domain", "slide", "label"] and frame["slide"].nunique() == 20
    per_slide = frame.groupby("slide")["label"].sum()
    assert (per_slide[truth.slide_label == 0] == 0).all()
    assert ((truth.tumour_share[truth.slide_label == 1] >= 0.1)
            & (truth.tumour_share[truth.slide_label == 1] <= 0.5)).all()
    assert (frame.groupby("slide").size() == 20).all()


def test_atypia_zero_leaves_no_signal_in_the_nuclei():
    # with atypia=0 tumour patches are drawn like normal ones: per patch, the nuclear area and
    # the haematoxylin in the nuclei have the same distribution in both classes
    data, truth = bk.simulate.tissue_patches(n=800, size=16, atypia=0.0, random_state=6)
    y = data.y.to_numpy() == 1
    haematoxylin = (_deconvolve(data, truth)[:, 0] * truth.nuclei).sum(axis=(1, 2))
    area = truth.nuclei.sum(axis=(1, 2))
    for feature in (area, haematoxylin):
        assert stats.mannwhitneyu(feature[y], feature[~y]).pvalue > 0.001
    # and with atypia they differ
    data, truth = bk.simulate.tissue_patches(n=800, size=16, atypia=1.0, random_state=6)
    y = data.y.to_numpy() == 1
    area = truth.nuclei.sum(axis=(1, 2))
    assert stats.mannwhitneyu(area[y], area[~y]).pvalue < 1e-6


def test_the_caller_gets_a_new_array_each_time():
    first, _ = bk.simulate.tissue_patches(n=10, random_state=0)
    first.images[:] = 0
    second, _ = bk.simulate.tissue_patches(n=10, random_state=0)
    assert second.images.max() > 0


@pytest.mark.parametrize("kwargs, error, message", [
    ({"n": 0}, ValueError, "n must be an integer >= 1"),
    ({"n": 2.5}, ValueError, "n must be an integer"),
    ({"size": 8}, ValueError, "size must be an integer >= 16"),
    ({"size": 512}, ValueError, r"size must be an integer in \[16, 256\]"),
    ({"domain": "D"}, ValueError, r"domain must be one of \['A', 'B', 'C'\]; got 'D'"),
    ({"domain": 1}, TypeError, "domain must be one of"),
    ({"prevalence": 1.5}, ValueError, "prevalence must be a number in"),
    ({"atypia": -1}, ValueError, "atypia must be a number in"),
    ({"n": 10, "n_slides": 11}, ValueError, r"n_slides must be at most n \(10\)"),
    ({"n_slides": True}, ValueError, "n_slides must be an integer"),
    ({"random_state": "seed"}, TypeError, "random_state must be None, an int"),
])
def test_bad_arguments_are_named(kwargs, error, message):
    with pytest.raises(error, match=message):
        bk.simulate.tissue_patches(**{"n": 20, **kwargs})

"""biomedkit.deep.TabularToImage (DeepInsight-style images of tables) and PatchCNN on them.

References: rectangles and grids worked out by hand (a turned rectangle, a 2 x 4 grid);
features built to be correlated in known groups; duplicated columns whose collisions are
known; each pixel recomputed with a plain loop from the definition (min-max scaling, mean of
the features in a pixel); scikit-learn's own estimator checks; and, for the network, the
translation invariance of global average pooling, which makes two shifted images
indistinguishable to it.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

import biomedkit as bk
from biomedkit.deep.tabular_image import minimum_area_rotation, points_to_pixels

TabularToImage = bk.deep.TabularToImage


def turn(points, angle):
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    return np.asarray(points, float) @ rotation.T + [3.0, -2.0]


def grouped_features(n=150, groups=3, per_group=8, seed=0):
    """Columns in groups: each group shares a latent factor (correlation about 0.8 inside)."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(n, groups))
    X = np.repeat(latent, per_group, axis=1) + 0.5 * rng.normal(size=(n, groups * per_group))
    return X, np.repeat(np.arange(groups), per_group)


# ---------------------------------------------------------------- the geometry

def test_a_turned_rectangle_is_turned_back_to_its_sides():
    # a 4 x 1 rectangle with points inside, turned by 30 degrees: its minimum-area
    # rectangle is itself, so after alignment the extent is 4 by 1 (by hand)
    rng = np.random.default_rng(0)
    inside = rng.uniform([0, 0], [4, 1], size=(20, 2))
    points = turn(np.vstack([[[0, 0], [4, 0], [4, 1], [0, 1]], inside]), np.radians(30))
    aligned = minimum_area_rotation(points)
    np.testing.assert_allclose(np.ptp(aligned, axis=0), [4, 1], atol=1e-9)
    # distances are kept: a rotation, not a stretch
    np.testing.assert_allclose(np.linalg.norm(aligned[0] - aligned[5]), np.linalg.norm(points[0] - points[5]))
    # without the rotation the bounding box is much larger (4 cos 30 + sin 30 wide)
    assert np.prod(np.ptp(points, axis=0)) > 2 * 4


def test_points_land_in_the_pixels_worked_out_by_hand():
    corners_and_centre = [[0, 0], [4, 0], [4, 1], [0, 1], [2, 0.5]]
    rows, cols = points_to_pixels(corners_and_centre, (2, 4))
    assert list(zip(rows, cols)) == [(0, 0), (0, 3), (1, 3), (1, 0), (1, 2)]
    # turned by 50 degrees: the corners still fill the grid's corners (in some order: the
    # rectangle may come back mirrored) and the centre still lands in pixel (1, 2)
    rows, cols = points_to_pixels(turn(corners_and_centre, np.radians(50)), (2, 4))
    assert set(zip(rows[:4], cols[:4])) == {(0, 0), (0, 3), (1, 0), (1, 3)}
    assert (rows[4], cols[4]) == (1, 2)
    # a tall grid takes the long side vertically
    rows, cols = points_to_pixels(corners_and_centre, (4, 2))
    assert set(zip(rows[:4], cols[:4])) == {(0, 0), (3, 0), (0, 1), (3, 1)}


def test_points_without_a_hull_still_get_pixels():
    on_a_line = [[0, 0], [1, 1], [2, 2], [3, 3]]
    rows, cols = points_to_pixels(on_a_line, (3, 4))
    assert cols.tolist() == [0, 1, 2, 3] and set(rows) == {1}  # along the line, in the middle row
    rows, cols = points_to_pixels([[5.0, 5.0]], (3, 3))
    assert (rows[0], cols[0]) == (1, 1)


# ---------------------------------------------------------------- the transformer

@pytest.mark.parametrize("method", ["tsne", "kpca"])
def test_correlated_features_are_placed_near_each_other(method):
    X, group = grouped_features()
    layout = TabularToImage(method=method, size=16, random_state=0).fit(X).layout_
    where = layout[["row", "col"]].to_numpy(float)
    distance = np.linalg.norm(where[:, None] - where[None], axis=-1)
    same = group[:, None] == group[None]
    off_diagonal = ~np.eye(len(group), dtype=bool)
    assert distance[same & off_diagonal].mean() < 0.3 * distance[~same].mean()
    # every feature's nearest other feature belongs to its own group
    nearest = np.where(off_diagonal, distance, np.inf).argmin(axis=1)
    assert (group[nearest] == group).all()


@pytest.mark.parametrize("method", ["tsne", "kpca"])
def test_duplicated_columns_collide_and_are_counted(method):
    # columns a, a, a, b, b, c: identical columns get identical positions, so 3 pixels hold
    # 6 features: 3 collisions, pixels holding 3, 2 and 1 features (by hand)
    rng = np.random.default_rng(1)
    a, b, c = rng.normal(size=(3, 60))
    X = np.column_stack([a, a, a, b, b, c])
    fitted = TabularToImage(method=method, size=8, random_state=0).fit(X)
    assert fitted.n_collisions_ == 3
    assert sorted(fitted.pixel_counts_[fitted.pixel_counts_ > 0].tolist()) == [1, 2, 3]
    assert fitted.layout_["n_in_pixel"].tolist() == [3, 3, 3, 2, 2, 1]
    assert fitted.pixel_counts_.sum() == 6


def test_each_image_holds_the_scaled_values_at_the_mapped_pixels():
    X, _ = grouped_features(n=40, groups=2, per_group=6, seed=3)
    fitted = TabularToImage(method="kpca", size=3, random_state=0).fit(X)
    assert fitted.n_collisions_ > 0  # a 3 x 3 grid for 12 features: some pixels are shared
    new = X[:5] * 1.5  # new samples, some beyond the training range
    images = fitted.transform(new)
    assert images.shape == (5, 1, 3, 3) and images.dtype == np.float32
    # the definition, pixel by pixel: min-max scaling with the training data, clipped to
    # [0, 1], then the mean of the features in each pixel; 0 where there is none
    low, high = X.min(axis=0), X.max(axis=0)
    expected = np.zeros((5, 3, 3))
    for i in range(5):
        for r in range(3):
            for c in range(3):
                here = [f for f in range(X.shape[1])
                        if fitted.layout_["row"].iloc[f] == r and fitted.layout_["col"].iloc[f] == c]
                if here:
                    expected[i, r, c] = np.mean([min(max((new[i, f] - low[f]) / (high[f] - low[f]), 0), 1)
                                                 for f in here])
    np.testing.assert_allclose(images[:, 0], expected, atol=1e-6)
    assert images.min() >= 0 and images.max() <= 1


def test_the_inverse_mapping_round_trips():
    X, _ = grouped_features(n=50, groups=3, per_group=5, seed=4)
    frame = pd.DataFrame(X, columns=[f"gene_{i}" for i in range(X.shape[1])])
    fitted = TabularToImage(method="kpca", size=5, random_state=0).fit(frame)
    assert fitted.layout_.index.tolist() == frame.columns.tolist()
    named = []
    for r in range(5):
        for c in range(5):
            here = fitted.pixel_features(r, c)
            assert len(here) == fitted.pixel_counts_[r, c]
            for name in here:
                assert tuple(fitted.layout_.loc[name, ["row", "col"]]) == (r, c)
            named += here
    assert sorted(named) == sorted(frame.columns)  # every feature in exactly one pixel
    # an image read back gives each feature its own scaled value where it has a pixel alone
    images = fitted.transform(frame)
    back = fitted.map_to_features(images)
    assert back.shape == (50, 15) and back.columns.tolist() == frame.columns.tolist()
    scaled = (frame - frame.min()) / (frame.max() - frame.min())
    alone = fitted.layout_["n_in_pixel"] == 1
    assert alone.any()
    np.testing.assert_allclose(back.loc[:, alone], scaled.loc[:, alone], atol=1e-6)
    one = fitted.map_to_features(images[0, 0])
    assert isinstance(one, pd.Series) and one.index.equals(back.columns)


def test_shuffled_layout_uses_the_same_pixels_for_other_features():
    X, group = grouped_features()
    plain = TabularToImage(method="kpca", size=16, random_state=0).fit(X)
    shuffled = TabularToImage(method="kpca", size=16, shuffle=True, random_state=0).fit(X)
    np.testing.assert_array_equal(plain.pixel_counts_, shuffled.pixel_counts_)
    assert shuffled.n_collisions_ == plain.n_collisions_
    assert (plain.layout_[["row", "col"]] != shuffled.layout_[["row", "col"]]).any(axis=None)


def test_fit_is_deterministic_for_a_seed_and_leaves_the_data_alone():
    X, _ = grouped_features(n=60)
    before = X.copy()
    a = TabularToImage(size=10, random_state=5).fit(X)
    b = TabularToImage(size=10, random_state=5).fit(X)
    pd.testing.assert_frame_equal(a.layout_, b.layout_)
    np.testing.assert_array_equal(X, before)
    assert a.perplexity_ == pytest.approx(min(30, (24 - 1) / 3)) and a.image_shape_ == (1, 10, 10)
    assert TabularToImage(size=(6, 9), method="kpca").fit(X).transform(X).shape == (60, 1, 6, 9)


# t-SNE and kernel PCA both go through scikit-learn's checks (small grids keep them fast)
@parametrize_with_checks([TabularToImage(method="kpca", size=4), TabularToImage(size=4, max_iter=250)])
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("params, error, message", [
    ({"method": "umap"}, ValueError, r"method must be one of \('tsne', 'kpca'\)"),
    ({"size": 1}, ValueError, r"size\[0\] \(height\) must be an integer >= 2"),
    ({"size": (8,)}, TypeError, "size must be an int .* or a .height, width. tuple"),
    ({"size": "24"}, TypeError, "size must be an int"),
    ({"size": (8, 2.5)}, ValueError, r"size\[1\] \(width\) must be an integer"),
    ({"perplexity": 0}, ValueError, "perplexity must be a number in"),
    ({"max_iter": 100}, ValueError, "max_iter must be an integer >= 250"),
    ({"shuffle": "yes"}, TypeError, "shuffle must be True or False"),
    ({"random_state": 1.5}, TypeError, "random_state must be None or an int"),
    ({"random_state": -1}, ValueError, "random_state must be an integer >= 0"),
])
def test_bad_parameters_are_named(params, error, message):
    X, _ = grouped_features(n=20)
    with pytest.raises(error, match=message):
        TabularToImage(**params).fit(X)


def test_bad_data_and_queries_are_named():
    X, _ = grouped_features(n=30)
    with pytest.raises(ValueError, match="NaN"):
        TabularToImage(method="kpca").fit(np.where(X > 2, np.nan, X))
    with pytest.raises(ValueError, match="1 feature"):
        TabularToImage(method="kpca").fit(X[:, :1])
    with pytest.raises(ValueError, match="1 sample"):
        TabularToImage(method="kpca").fit(X[:1])
    fitted = TabularToImage(method="kpca", size=6).fit(X)
    with pytest.raises(ValueError, match="X has 23 features, but TabularToImage is expecting 24"):
        fitted.transform(X[:, :-1])
    with pytest.raises(ValueError, match=r"row must be in 0..5 for this grid; got 6"):
        fitted.pixel_features(6, 0)
    with pytest.raises(TypeError, match="col must be an int"):
        fitted.pixel_features(0, 1.0)
    with pytest.raises(ValueError, match=r"maps must have shape \(6, 6\), \(n, 6, 6\)"):
        fitted.map_to_features(np.zeros((5, 5)))
    with pytest.raises(TypeError, match="maps must be numeric"):
        fitted.map_to_features(np.full((6, 6), "a"))
    with pytest.raises(ValueError, match="not fitted"):
        TabularToImage().pixel_features(0, 0)
    with pytest.raises(ValueError, match="points must have shape"):
        points_to_pixels(np.zeros((3, 3)), (4, 4))
    with pytest.raises(TypeError, match="shape must be an int"):
        points_to_pixels(np.zeros((3, 2)), None)


# ---------------------------------------------------------------- PatchCNN on grey images

torch = pytest.importorskip("torch")


def test_patch_cnn_learns_from_the_images_of_a_table():
    X, group = grouped_features(n=200, groups=2, per_group=10, seed=6)
    y = (X[:, :10].mean(axis=1) > 0).astype(int)  # the first group carries the label
    to_image = TabularToImage(method="kpca", size=8, random_state=0).fit(X[:150])
    model = bk.imaging.PatchCNN(in_channels=1, pooling="flatten", channels=(8,), epochs=20, random_state=0)
    model.fit(to_image.transform(X[:150]), y[:150])
    p = model.predict_proba(to_image.transform(X[150:]))[:, 1]
    assert bk.validation.auc_ci(y[150:], p).low > 0.8
    again = bk.imaging.PatchCNN(in_channels=1, pooling="flatten", channels=(8,), epochs=20, random_state=0)
    np.testing.assert_array_equal(again.fit(to_image.transform(X[:150]), y[:150]).predict_proba(
        to_image.transform(X[150:]))[:, 1], p)


def test_only_flatten_pooling_sees_where_a_pattern_is():
    # one bright pixel at (4, 4) or at (10, 10): the same pattern shifted by an even number
    # of pixels, far from the borders. Global average pooling is blind to such a shift (the
    # two images give the same features, so the same probabilities); the flattened maps are not.
    images = np.zeros((2, 1, 16, 16), np.float32)
    images[0, 0, 4, 4] = images[1, 0, 10, 10] = 1.0
    X, y = np.tile(images, (16, 1, 1, 1)), np.tile([0, 1], 16)
    kwargs = {"in_channels": 1, "channels": (4,), "epochs": 30, "batch_size": 8, "random_state": 0}
    average = bk.imaging.PatchCNN(pooling="average", **kwargs).fit(X, y).predict_proba(images)
    flatten = bk.imaging.PatchCNN(pooling="flatten", **kwargs).fit(X, y).predict_proba(images)
    np.testing.assert_allclose(average[0], average[1], atol=1e-5)
    assert flatten[0, 0] > 0.9 and flatten[1, 1] > 0.9


def test_patch_cnn_names_a_wrong_channel_count_and_pooling():
    grey = np.zeros((4, 1, 8, 8), np.float32)
    with pytest.raises(ValueError, match="must have 3 colour channels"):
        bk.imaging.PatchCNN(epochs=1).fit(grey, [0, 1, 0, 1])
    with pytest.raises(ValueError, match=r"shape \(n, 1, height, width\) for a network with in_channels=1"):
        bk.imaging.PatchCNN(in_channels=1, epochs=1).fit(np.zeros((4, 3, 8, 8), np.float32), [0, 1, 0, 1])
    with pytest.raises(ValueError, match="Divide by 255"):
        bk.imaging.PatchCNN(in_channels=1, epochs=1).fit(grey + 7, [0, 1, 0, 1])
    with pytest.raises(ValueError, match=r"pooling must be one of \('average', 'flatten'\)"):
        bk.imaging.PatchCNN(in_channels=1, pooling="max").fit(grey, [0, 1, 0, 1])
    with pytest.raises(ValueError, match="in_channels must be an integer >= 1"):
        bk.imaging.PatchCNN(in_channels=0).fit(grey, [0, 1, 0, 1])
    model = bk.imaging.PatchCNN(in_channels=1, pooling="flatten", channels=(2,), epochs=1).fit(grey, [0, 1, 0, 1])
    with pytest.raises(ValueError, match=r"trained on \(1, 8, 8\)"):
        model.predict_proba(np.zeros((2, 1, 10, 10), np.float32))
    as_uint8 = model.predict_proba(np.zeros((2, 1, 8, 8), np.uint8))
    np.testing.assert_allclose(as_uint8, model.predict_proba(grey[:2]))

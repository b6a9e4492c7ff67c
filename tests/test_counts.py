"""The one engine of sorted counts and the one AUC, against scikit-learn and by hand."""

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix, roc_auc_score, roc_curve

from biomedkit._counts import (
    SortedCounts,
    auc_from_counts,
    auc_from_flagged,
    delong,
    delong_from_counts,
    placements,
    resample_cells,
)


@pytest.fixture(scope="module")
def tied():
    """Scores on a coarse grid (many ties, within and across the classes) and weights."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    s = np.round(rng.normal(size=400) + y, 1)
    w = rng.uniform(0, 3, 400)
    return y, s, w


def test_hand_computed_case():
    # scores 0.9 0.7 0.7 0.4 0.2 with outcomes 1 1 0 0 1
    y = np.array([1, 1, 0, 0, 1])
    s = np.array([0.9, 0.7, 0.7, 0.4, 0.2])
    c = SortedCounts(y, s)
    np.testing.assert_array_equal(c.scores, [0.9, 0.7, 0.4, 0.2])
    np.testing.assert_array_equal(c.tp, [1, 2, 2, 3])
    np.testing.assert_array_equal(c.fp, [0, 1, 2, 2])
    assert (c.positives, c.negatives) == (3, 2)
    tp, fp = c.at([1.0, 0.7, 0.5, 0.0])
    np.testing.assert_array_equal(tp, [0, 2, 2, 3])
    np.testing.assert_array_equal(fp, [0, 1, 1, 2])
    # pairs (event, non-event): 0.9 beats both; 0.7 ties one (1/2) and beats 0.4; 0.2 beats none
    assert c.auc() == pytest.approx((2 + 1.5 + 0) / 6)
    # the one AUC, from the points of the ROC curve (flag nobody, then each distinct score)
    assert auc_from_flagged([0, 1, 2, 2, 3], [0, 0, 1, 2, 2]) == pytest.approx(3.5 / 6)
    assert tp.dtype.kind == "i"  # unweighted counts stay counts


def test_counts_at_thresholds_equal_confusion_matrix_with_weights(tied):
    y, s, w = tied
    c = SortedCounts(y, s, w)
    thresholds = np.r_[np.unique(s)[::7], s.max() + 1, s.min() - 1]
    tp, fp = c.at(thresholds)
    for t, a, b in zip(thresholds, tp, fp):
        tn, fp_ref, fn, tp_ref = confusion_matrix(y, s >= t, sample_weight=w, labels=[0, 1]).ravel()
        assert (a, b) == pytest.approx((tp_ref, fp_ref), abs=1e-9)
        assert (c.positives - a, c.negatives - b) == pytest.approx((fn, tn), abs=1e-9)


@pytest.mark.parametrize("weighted", [False, True])
def test_roc_and_auc_equal_scikit_learn_with_ties(tied, weighted):
    y, s, w = tied
    w = w if weighted else None
    c = SortedCounts(y, s, w)
    fpr, tpr, thr = roc_curve(y, s, sample_weight=w, drop_intermediate=False)
    threshold, our_fpr, our_tpr = c.roc()
    np.testing.assert_array_equal(threshold, thr)
    np.testing.assert_allclose(our_fpr, fpr, atol=1e-14)
    np.testing.assert_allclose(our_tpr, tpr, atol=1e-14)
    assert c.auc() == pytest.approx(roc_auc_score(y, s, sample_weight=w), abs=1e-14)


def test_replicate_weights_reuse_the_sort(tied):
    y, s, _ = tied
    rng = np.random.default_rng(1)
    weights = rng.multinomial(y.size, np.full(y.size, 1 / y.size), size=6).astype(float)
    c = SortedCounts(y, s)
    reps = c.reweighted(weights)
    assert reps.tp.shape == (6, c.scores.size)
    for k, wk in enumerate(weights):
        assert reps.auc()[k] == pytest.approx(roc_auc_score(y, s, sample_weight=wk), abs=1e-14)
        tp, fp = reps.at([0.5])
        i = np.repeat(np.arange(y.size), wk.astype(int))  # the resample itself
        assert tp[k, 0] == ((s[i] >= 0.5) & (y[i] == 1)).sum()
        assert fp[k, 0] == ((s[i] >= 0.5) & (y[i] == 0)).sum()


def test_counts_given_per_class_equal_the_same_row_weights(tied):
    y, s, _ = tied
    c = SortedCounts(y, s)
    cases, controls = c.order[y[c.order] == 1], c.order[y[c.order] == 0]  # in the sort's order
    rng = np.random.default_rng(4)
    a = rng.multinomial(cases.size, np.full(cases.size, 1 / cases.size), size=5)
    b = rng.multinomial(controls.size, np.full(controls.size, 1 / controls.size), size=5)
    w = np.zeros((5, y.size))
    w[:, cases], w[:, controls] = a, b
    per_class, per_row = c.resampled(a, b), c.reweighted(w)
    np.testing.assert_allclose(per_class.auc(), per_row.auc(), atol=1e-14)
    for u, v in zip(per_class.at([s.min(), 0.3, 1.5, s.max() + 1]), per_row.at([s.min(), 0.3, 1.5, s.max() + 1])):
        np.testing.assert_array_equal(u, v)
    np.testing.assert_array_equal(per_class.positives, per_row.positives)
    np.testing.assert_array_equal(per_class.negatives, per_row.negatives)


def test_auc_from_counts_is_the_auc_of_the_rows(tied):
    y, s, _ = tied
    values, inverse = np.unique(s, return_inverse=True)  # increasing
    pos = np.bincount(inverse, weights=y, minlength=values.size)
    neg = np.bincount(inverse, weights=1 - y, minlength=values.size)
    assert auc_from_counts(pos, neg) == pytest.approx(roc_auc_score(y, s), abs=1e-14)
    # leading axes are separate problems; a problem without one class is NaN
    both = auc_from_counts(np.stack([pos, neg]), np.stack([neg, pos]))
    assert both == pytest.approx([roc_auc_score(y, s), roc_auc_score(1 - y, s)], abs=1e-14)
    assert np.isnan(auc_from_counts(pos, np.zeros_like(neg)))


def brute_force_placements(y, s):
    pos, neg = s[y == 1], s[y == 0]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    return psi.mean(axis=1), psi.mean(axis=0)


def test_delong_equals_its_definition(tied):
    y, s, _ = tied
    rng = np.random.default_rng(2)
    b = np.round(s + rng.normal(size=s.size), 1)
    aucs, cov = delong(y, np.vstack([s, b]))
    (a10, a01), (b10, b01) = brute_force_placements(y, s), brute_force_placements(y, b)
    m, n = a10.size, a01.size
    expected = np.cov(np.vstack([a10, b10])) / m + np.cov(np.vstack([a01, b01])) / n
    np.testing.assert_allclose(cov, expected, rtol=1e-12)
    assert aucs == pytest.approx([roc_auc_score(y, s), roc_auc_score(y, b)], abs=1e-14)


def test_placements_and_delong_from_counts_agree_with_the_rows(tied):
    y, s, _ = tied
    values, inverse = np.unique(s, return_inverse=True)
    pos = np.bincount(inverse, weights=y, minlength=values.size)
    neg = np.bincount(inverse, weights=1 - y, minlength=values.size)
    v10, v01 = placements(pos, neg)
    b10, b01 = brute_force_placements(y, s)
    np.testing.assert_allclose(v10[inverse[y == 1]], b10, atol=1e-15)
    np.testing.assert_allclose(v01[inverse[y == 0]], b01, atol=1e-15)
    auc, se = delong_from_counts(pos, neg)
    aucs, cov = delong(y, s)
    assert auc == pytest.approx(aucs[0], abs=1e-15)
    assert se == pytest.approx(np.sqrt(cov[0, 0]), rel=1e-12)


def test_resampled_cells_add_up_and_are_unbiased():
    rng = np.random.default_rng(3)
    cells = np.array([5.0, 0.0, 30.0, 65.0])
    draws = resample_cells(cells, 100, 20_000, rng)
    assert draws.shape == (20_000, 4) and (draws.sum(axis=1) == 100).all() and (draws[:, 1] == 0).all()
    assert draws.mean(axis=0) == pytest.approx(cells, abs=0.2)
    # weighted cells (total weight 100 on 50 rows): 50 rows drawn, scaled back to the weight
    weighted = resample_cells(cells, 50, 10, rng)
    assert weighted.sum(axis=1) == pytest.approx(np.full(10, 100.0))
    assert set(np.unique(weighted)) <= set(2.0 * np.arange(51))


def test_inputs_are_not_modified(tied):
    y, s, w = tied
    copies = y.copy(), s.copy(), w.copy()
    SortedCounts(y, s, w).reweighted(np.vstack([w, w])).auc()
    delong(y, np.vstack([s, s]))
    for a, b in zip((y, s, w), copies):
        np.testing.assert_array_equal(a, b)


def test_delong_from_counts_is_nan_with_a_single_row_in_a_class():
    # by hand: values 1 < 2 < 3 < 4; one event at 3, non-events at 1, 2 and 4. It outranks
    # two of the three: AUC 2/3. The events' placement values have no sample variance
    # (one value, zero degrees of freedom), so the standard error is undefined.
    pos, neg = np.array([0, 0, 1, 0]), np.array([1, 1, 0, 1])
    auc, se = delong_from_counts(pos, neg)
    assert auc == pytest.approx(2 / 3) and np.isnan(se)
    auc, se = delong_from_counts(neg, pos)  # a single non-event: the mirror image
    assert auc == pytest.approx(1 / 3) and np.isnan(se)
    # leading axes are separate problems: only the one with a single event is NaN
    two = np.array([0, 1, 1, 0])  # events at 2 and 3 against non-events at 1 and 4
    aucs, ses = delong_from_counts(np.vstack([pos, two]), np.vstack([neg, np.array([1, 0, 0, 1])]))
    assert np.isnan(ses[0]) and aucs[1] == pytest.approx(0.5)
    y, s = np.array([0, 1, 1, 0]), np.array([1.0, 2.0, 3.0, 4.0])
    assert ses[1] == pytest.approx(np.sqrt(delong(y, s)[1][0, 0]), rel=1e-12)

"""Explanations: they add up to the model output, agree with shap and with Shapley's
definition, and the importance and dependence tables agree with scikit-learn."""

import itertools
import json
import math

import numpy as np
import pandas as pd
import pytest

import biomedkit as bk

xgb = pytest.importorskip("xgboost")
shap = pytest.importorskip("shap")
from sklearn.compose import make_column_transformer  # noqa: E402
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.linear_model import LinearRegression, LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402

CATEGORICAL = ["group", "site"]


@pytest.fixture(scope="module")
def cohort():
    data, _ = bk.simulate.cohort(n=600, n_sites=3, random_state=0)
    return data.X, data.y


@pytest.fixture(scope="module")
def numeric(cohort):
    X, y = cohort
    return X.drop(columns=CATEGORICAL), y


@pytest.fixture(scope="module")
def booster(cohort):
    X, y = cohort  # pandas with two categorical columns
    return xgb.XGBClassifier(n_estimators=40, max_depth=3, enable_categorical=True, n_jobs=1,
                             random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def forest(numeric):
    X, y = numeric
    return RandomForestClassifier(n_estimators=20, max_depth=4, random_state=0, n_jobs=1).fit(X, y)


def one_hot_pipeline(X, y):
    encode = make_column_transformer((OneHotEncoder(), CATEGORICAL), remainder=StandardScaler())
    return make_pipeline(encode, LogisticRegression(max_iter=1000)).fit(X, y)


# --- additivity: values + base value == model output, for every path -------------

def test_xgboost_classifier_on_categorical_columns_adds_up_to_the_log_odds(booster, cohort):
    X, _ = cohort
    expl = bk.explain.explain(booster, X)
    assert expl.method == "xgboost" and expl.output == "log-odds" and expl.values.shape == X.shape
    np.testing.assert_allclose(expl.prediction, booster.predict(X, output_margin=True), atol=1e-5)
    assert expl.feature_names == list(X.columns)


def test_xgboost_regressor_adds_up_to_the_prediction(numeric):
    X, _ = numeric
    model = xgb.XGBRegressor(n_estimators=30, max_depth=3, n_jobs=1).fit(X.drop(columns="sbp"), X["sbp"])
    expl = bk.explain.explain(model, X.drop(columns="sbp"))
    assert expl.output == "raw"
    np.testing.assert_allclose(expl.prediction, model.predict(X.drop(columns="sbp")), rtol=1e-6)


def test_forest_adds_up_to_the_probability_and_equals_shap(forest, numeric):
    X, _ = numeric
    expl = bk.explain.explain(forest, X)
    assert expl.method == "tree" and expl.output == "probability"
    np.testing.assert_allclose(expl.prediction, forest.predict_proba(X)[:, 1], atol=1e-10)
    reference = shap.TreeExplainer(forest).shap_values(X)[..., 1]
    np.testing.assert_allclose(expl.values, reference, atol=1e-12)


def test_gradient_boosting_adds_up_to_the_log_odds(numeric):
    X, y = numeric
    model = GradientBoostingClassifier(n_estimators=30, max_depth=2, random_state=0).fit(X, y)
    expl = bk.explain.explain(model, X)
    assert expl.output == "log-odds"
    np.testing.assert_allclose(expl.prediction, model.decision_function(X), atol=1e-10)


def test_logistic_regression_is_coefficient_times_distance_from_the_background_mean(numeric):
    X, y = numeric
    model = LogisticRegression(max_iter=5000).fit(X, y)
    background = X.iloc[:80]
    expl = bk.explain.explain(model, X.iloc[100:150], background)
    assert expl.method == "linear" and expl.output == "log-odds"
    np.testing.assert_allclose(expl.prediction, model.decision_function(X.iloc[100:150]), atol=1e-10)
    by_hand = model.coef_[0] * (X.iloc[100:150] - background.mean()).to_numpy()
    np.testing.assert_allclose(expl.values, by_hand, atol=1e-10)


def test_pipeline_with_one_hot_encoder_adds_up_to_the_probability(cohort):
    X, y = cohort
    model = one_hot_pipeline(X, y)
    before = X.copy()
    # the model-agnostic path, asked for: the exact path through the pipeline is tested below
    expl = bk.explain.explain(model, X.iloc[:15], X.iloc[100:160], n_permutations=1, random_state=0,
                              method="permutation")
    assert expl.method == "permutation" and expl.output == "probability"
    np.testing.assert_allclose(expl.prediction, model.predict_proba(X.iloc[:15])[:, 1], atol=1e-12)
    assert expl.base_values[0] == pytest.approx(model.predict_proba(X.iloc[100:160])[:, 1].mean(), abs=1e-12)
    pd.testing.assert_frame_equal(X, before)  # the caller's data untouched


def test_permutation_values_are_exact_for_an_additive_model(numeric):
    # For f(x) = b + sum_j w_j x_j the interventional Shapley value is w_j (x_j - mean_bg x_j),
    # whatever permutations are drawn: an independent check of the model-agnostic path.
    X, _ = numeric
    model = make_pipeline(StandardScaler(), LinearRegression()).fit(X.drop(columns="sbp"), X["sbp"])
    rows, background = X.drop(columns="sbp").iloc[:10], X.drop(columns="sbp").iloc[200:260]
    expl = bk.explain.explain(model, rows, background, n_permutations=1, random_state=1, method="permutation")
    assert expl.method == "permutation" and expl.output == "raw"
    w = model[-1].coef_ / model[0].scale_
    np.testing.assert_allclose(expl.values, w * (rows - background.mean()).to_numpy(), atol=1e-9)


# --- agreement with shap and with Shapley's definition --------------------------------

def test_xgboost_values_equal_shap_tree_explainer(booster, cohort):
    # shap (0.51) answers path-dependent TreeSHAP for XGBoost by calling the same
    # pred_contribs, so this checks our handling of outputs, base value and categories;
    # the brute-force test below is the independent check.
    X, _ = cohort
    explainer = shap.TreeExplainer(booster)
    expl = bk.explain.explain(booster, X.iloc[:50])
    np.testing.assert_allclose(expl.values, explainer.shap_values(X.iloc[:50]), atol=1e-6)
    np.testing.assert_allclose(expl.base_values, np.ravel(explainer.expected_value)[0], atol=1e-6)


def shapley_by_enumeration(trees, x, n_features):
    """Exact Shapley values of v(S) = sum over trees of E[tree | x_S], the expectation taken
    down the branches not fixed by S weighted by the training cover (Lundberg et al. 2020,
    Algorithm 1), by enumerating all subsets."""
    def expectation(tree, node, subset):
        left, right, feature, goes_left, value, cover = tree
        if left[node] < 0:
            return value[node]
        if feature[node] in subset:
            return expectation(tree, left[node] if goes_left(node, x) else right[node], subset)
        return (cover[left[node]] * expectation(tree, left[node], subset)
                + cover[right[node]] * expectation(tree, right[node], subset)) / cover[node]

    def v(subset):
        return sum(expectation(tree, 0, subset) for tree in trees)

    phi = np.zeros(n_features)
    for i in range(n_features):
        others = [j for j in range(n_features) if j != i]
        for size in range(n_features):
            weight = math.factorial(size) * math.factorial(n_features - size - 1) / math.factorial(n_features)
            for subset in itertools.combinations(others, size):
                phi[i] += weight * (v(set(subset) | {i}) - v(set(subset)))
    return phi, v(set()), v(set(range(n_features)))


def test_xgboost_and_forest_match_shapley_values_by_enumeration():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(300, 4)).astype(np.float32), columns=list("abcd"))
    y = (X.a + X.b * X.c + rng.normal(0, 0.5, 300) > 0).astype(int)
    rows = X.iloc[:4]

    model = xgb.XGBClassifier(n_estimators=5, max_depth=3, n_jobs=1, random_state=0).fit(X, y)
    dump = json.loads(model.get_booster().save_raw("json"))["learner"]["gradient_booster"]["model"]["trees"]
    trees = []
    for t in dump:  # leaves keep their value in split_conditions; x < split goes left
        split = np.asarray(t["split_conditions"], dtype=np.float32)
        trees.append((t["left_children"], t["right_children"], t["split_indices"],
                      lambda node, x, f=t["split_indices"], s=split: np.float32(x[f[node]]) < s[node],
                      split.astype(float), t["sum_hessian"]))
    expl = bk.explain.explain(model, rows)
    margin = model.predict(rows, output_margin=True)
    for i in range(len(rows)):
        phi, empty, full = shapley_by_enumeration(trees, rows.iloc[i].to_numpy(), 4)
        np.testing.assert_allclose(expl.values[i], phi, atol=1e-5)
        assert expl.base_values[i] == pytest.approx(empty + margin[i] - full, abs=1e-5)

    forest = RandomForestClassifier(n_estimators=3, max_depth=3, random_state=0).fit(X, y)
    trees = []
    for estimator in forest.estimators_:
        t = estimator.tree_
        share = t.value[:, 0, 1] / t.value[:, 0, :].sum(axis=1) / len(forest.estimators_)
        trees.append((t.children_left, t.children_right, t.feature,
                      lambda node, x, t=t: x[t.feature[node]] <= t.threshold[node],
                      share, t.weighted_n_node_samples))
    expl = bk.explain.explain(forest, rows)
    for i in range(len(rows)):
        phi, empty, _ = shapley_by_enumeration(trees, rows.iloc[i].to_numpy(float), 4)
        np.testing.assert_allclose(expl.values[i], phi, atol=1e-10)
        assert expl.base_values[i] == pytest.approx(empty, abs=1e-10)


# --- the Explanation object -----------------------------------------------------------

def test_importance_frames_and_row_subsets(booster, cohort):
    X, _ = cohort
    expl = bk.explain.explain(booster, X)
    table = expl.importance()
    assert list(table.columns) == ["feature", "mean_abs_shap", "share", "mean_shap"]
    assert table.mean_abs_shap.is_monotonic_decreasing and table.share.sum() == pytest.approx(1)
    assert table.set_index("feature").mean_abs_shap["age"] == pytest.approx(np.abs(expl.values[:, 0]).mean())
    long = expl.to_frame()
    assert long.shape == (X.size, 4) and long.loc[1, "feature"] == "female"
    assert long.loc[1, "shap"] == expl.values[0, 1] and long.loc[2, "value"] == X.iloc[0, 2]
    wide = expl.to_frame(kind="wide")
    assert wide.index.equals(X.index) and wide.loc[X.index[3], "sbp"] == expl.values[3, 4]
    part = expl[[2, 5]]
    assert len(part) == 2 and part.data.index.equals(X.index[[2, 5]])
    np.testing.assert_array_equal(part.values, expl.values[[2, 5]])


def test_what_if_explains_the_changed_patient(booster, cohort):
    X, _ = cohort
    expl = bk.explain.explain(booster, X.iloc[:20])
    changed = expl.what_if(3, smoker=1 - X.smoker.iloc[3], site="site_2", age=75)
    by_hand = X.iloc[[3]].copy()
    by_hand[["smoker", "age"]] = [[1 - X.smoker.iloc[3], 75.0]]
    by_hand["site"] = pd.Categorical(["site_2"], dtype=X.site.dtype)
    assert len(changed) == 1
    assert changed.prediction[0] == pytest.approx(booster.predict(by_hand, output_margin=True)[0], abs=1e-5)
    np.testing.assert_allclose(changed.values, bk.explain.explain(booster, by_hand).values)
    assert expl.data.age.iloc[3] == X.age.iloc[3]  # the stored row is untouched
    same = expl.what_if(X.iloc[3].to_dict())
    np.testing.assert_allclose(same.values[0], expl.values[3], atol=1e-6)
    with pytest.raises(ValueError, match=r"unknown features \['height'\]"):
        expl.what_if(0, height=180)
    with pytest.raises(ValueError, match="site='site_9' is not one of its categories"):
        expl.what_if(0, site="site_9")


def test_what_if_keeps_the_background_of_the_permutation_method(cohort):
    X, y = cohort
    model = one_hot_pipeline(X, y)
    expl = bk.explain.explain(model, X.iloc[:3], X, max_background=40, n_permutations=1, random_state=0,
                              method="permutation")
    changed = expl.what_if(0, group="B")
    assert changed.method == "permutation"
    assert len(expl.background) == 40 and changed.base_values[0] == pytest.approx(expl.base_values[0])
    row = X.iloc[[0]].assign(group=pd.Categorical(["B"], dtype=X.group.dtype))
    assert changed.prediction[0] == pytest.approx(model.predict_proba(row)[0, 1], abs=1e-12)


def test_predict_row_is_the_old_name_of_what_if_and_warns(booster, cohort):
    X, _ = cohort
    expl = bk.explain.explain(booster, X.iloc[:5])
    with pytest.warns(FutureWarning, match=r"Explanation.predict_row is deprecated .* use Explanation.what_if"):
        old = expl.predict_row(2, age=70)
    new = expl.what_if(2, age=70)
    np.testing.assert_array_equal(old.values, new.values)
    np.testing.assert_array_equal(old.prediction, new.prediction)


def test_options_passed_by_position_still_work_with_a_warning(booster, cohort):
    X, _ = cohort
    expl = bk.explain.explain(booster, X.iloc[:30])
    with pytest.warns(FutureWarning, match=r"passing kind of Explanation.to_frame\(\) by position .* use kind=\.\.\."):
        wide = expl.to_frame("wide")
    pd.testing.assert_frame_equal(wide, expl.to_frame(kind="wide"))
    curves = bk.explain.partial_dependence(booster, X, "age", grid_resolution=5, max_rows=20, random_state=0)
    with pytest.warns(FutureWarning, match=r"passing kind of DependenceCurves.to_frame\(\) by position"):
        ice = curves.to_frame("individual")
    pd.testing.assert_frame_equal(ice, curves.to_frame(kind="individual"))


# --- bad input ------------------------------------------------------------------------

@pytest.mark.parametrize("model", [xgb.XGBClassifier(), LogisticRegression(), RandomForestClassifier()])
def test_an_unfitted_model_is_refused(model, numeric):
    with pytest.raises(NotFittedError, match=r"is not fitted yet: call model.fit\(X, y\) first"):
        bk.explain.explain(model, numeric[0])


def test_columns_must_match_the_model(booster, cohort):
    X, y = cohort
    with pytest.raises(ValueError, match=r"has columns the model was not fitted on \['event'\]"):
        bk.explain.explain(booster, X.assign(event=y))
    with pytest.raises(ValueError, match=r"lacks the model's features \['crp'\]"):
        bk.explain.explain(booster, X.drop(columns="crp"))
    with pytest.raises(TypeError, match="'site' was categorical when the model was fitted"):
        bk.explain.explain(booster, X.assign(site=X.site.astype(str)))
    reordered = bk.explain.explain(booster, X[X.columns[::-1]].iloc[:5])
    assert reordered.feature_names == list(X.columns)


def test_arrays_are_explained_and_their_width_is_checked(numeric):
    X, y = numeric
    model = LinearRegression().fit(X.to_numpy(), y)
    expl = bk.explain.explain(model, X.to_numpy()[:5])
    assert expl.feature_names == [f"x{i}" for i in range(X.shape[1])]
    with pytest.raises(ValueError, match="X has 9 columns but the model was fitted on 10"):
        bk.explain.explain(model, X.to_numpy()[:5, :-1])


def test_missing_values_are_refused_only_where_the_model_cannot_take_them(booster, cohort, numeric):
    X, _ = cohort
    holes = X.iloc[:30].copy()
    holes.loc[holes.index[:5], "sbp"] = np.nan
    expl = bk.explain.explain(booster, holes)  # XGBoost sends missing values down default branches
    np.testing.assert_allclose(expl.prediction, booster.predict(holes, output_margin=True), atol=1e-5)
    Xn, yn = numeric
    model = LinearRegression().fit(Xn, yn)
    message = r"missing values \(NaN\) in \['sbp'\] and LinearRegression cannot take them; impute"
    with pytest.raises(ValueError, match=message):
        bk.explain.explain(model, holes.drop(columns=CATEGORICAL))


def test_several_outputs_need_output_index(numeric):
    X, _ = numeric
    classes = pd.cut(X.age, [0, 55, 65, 100], labels=False)
    model = xgb.XGBClassifier(n_estimators=10, max_depth=2, n_jobs=1).fit(X.drop(columns="age"), classes)
    with pytest.raises(ValueError, match="the model has 3 outputs"):
        bk.explain.explain(model, X.drop(columns="age"))
    expl = bk.explain.explain(model, X.drop(columns="age"), output_index=2)
    margin = model.predict(X.drop(columns="age"), output_margin=True)
    np.testing.assert_allclose(expl.prediction, margin[:, 2], atol=1e-5)
    with pytest.raises(ValueError, match="the model has a single output"):
        bk.explain.explain(LinearRegression().fit(X, X.smoker), X, output_index=1)


# --- importance, dependence and interactions ---------------------------------------------

def test_permutation_importance_equals_scikit_learn_with_its_intervals(booster, cohort):
    from scipy import stats
    from sklearn.inspection import permutation_importance

    X, y = cohort
    table = bk.explain.permutation_importance(booster, X, y, n_repeats=5, random_state=3).set_index("feature")
    reference = permutation_importance(booster, X, y, scoring="roc_auc", n_repeats=5, random_state=3)
    assert table.attrs["scoring"] == "roc_auc"
    np.testing.assert_allclose(table.loc[X.columns, "mean"], reference.importances_mean, atol=1e-12)
    np.testing.assert_allclose(table.loc[X.columns, "sd"], reference.importances_std * np.sqrt(5 / 4))
    low, high = stats.t.interval(0.95, 4, loc=reference.importances_mean,
                                 scale=reference.importances.std(axis=1, ddof=1) / np.sqrt(5))
    np.testing.assert_allclose(table.loc[X.columns, "low"], low)
    np.testing.assert_allclose(table.loc[X.columns, "high"], high)
    spread = bk.explain.permutation_importance(booster, X, y, n_repeats=5, interval="percentile",
                                               level=0.5, random_state=3).set_index("feature")
    np.testing.assert_allclose(spread.loc[X.columns, "low"], np.percentile(reference.importances, 25, axis=1))
    with pytest.raises(ValueError, match="interval must be one of"):
        bk.explain.permutation_importance(booster, X, y, interval="bootstrap")


def test_impurity_importance_reads_the_model(forest, numeric, cohort):
    X, y = numeric
    table = bk.explain.impurity_importance(forest).set_index("feature")
    np.testing.assert_allclose(table.loc[X.columns, "importance"], forest.feature_importances_)
    pipeline = make_pipeline(StandardScaler(), RandomForestClassifier(5, random_state=0)).fit(X, y)
    assert set(bk.explain.impurity_importance(pipeline).feature) == set(X.columns)
    with pytest.raises(TypeError, match="has no feature_importances_"):
        bk.explain.impurity_importance(one_hot_pipeline(*cohort))


@pytest.mark.parametrize("feature", ["age", "site"])
def test_partial_dependence_and_ice_equal_predictions_by_hand(booster, cohort, feature):
    X, _ = cohort
    curves = bk.explain.partial_dependence(booster, X, feature, grid_resolution=8, max_rows=100,
                                           random_state=0)
    rows = X.loc[curves.individual.row.unique()]
    assert len(rows) == 100 and curves.categorical == (feature == "site")
    for value, average in curves.average.itertuples(index=False):
        changed = rows.copy()
        changed[feature] = pd.Categorical([value] * 100, dtype=X.site.dtype) if curves.categorical else value
        p = booster.predict_proba(changed)[:, 1]
        assert average == pytest.approx(p.mean(), abs=1e-6)
        ice = curves.individual[curves.individual.value == value].prediction.to_numpy()
        np.testing.assert_allclose(ice, p, atol=1e-6)
    assert (curves.centered().groupby("row").prediction.first() == 0).all()
    pd.testing.assert_frame_equal(curves.to_frame(), curves.average)
    pd.testing.assert_frame_equal(curves.to_frame(kind="individual"), curves.individual)
    assert curves.to_frame() is not curves.average  # a copy: editing it leaves the curves alone
    with pytest.raises(ValueError, match="kind must be 'average' or 'individual'"):
        curves.to_frame(kind="centered")


def test_interaction_values_add_up_to_the_shap_values(booster, forest, cohort, numeric):
    X, _ = cohort
    inter = bk.explain.interaction_values(booster, X, max_rows=30, random_state=0)
    assert inter.values.shape == (30, 12, 12)
    expl = bk.explain.explain(booster, inter.data)
    np.testing.assert_allclose(inter.shap_values, expl.values, atol=1e-5)
    np.testing.assert_allclose(inter.base_values + inter.values.sum(axis=(1, 2)), expl.prediction, atol=1e-5)
    pairs = inter.pairs()
    assert len(pairs) == 66 and pairs.mean_abs_interaction.is_monotonic_decreasing
    long = inter.to_frame()
    assert list(long.columns) == ["row", "feature_a", "feature_b", "shap_interaction"]
    assert len(long) == 30 * 12 * 12
    picked = long[(long.row == inter.data.index[4]) & (long.feature_a == "age") & (long.feature_b == "sbp")]
    a, b = inter.feature_names.index("age"), inter.feature_names.index("sbp")
    assert picked.shap_interaction.item() == inter.values[4, a, b]
    summed = long.groupby(["row", "feature_a"], sort=False).shap_interaction.sum().unstack()
    np.testing.assert_allclose(summed.loc[inter.data.index, inter.feature_names], inter.shap_values, atol=1e-12)
    # shap 0.51 cannot pass categorical columns to xgboost here: compare on numeric ones
    Xn, yn = numeric
    plain = xgb.XGBClassifier(n_estimators=20, max_depth=3, n_jobs=1, random_state=0).fit(Xn, yn)
    inter = bk.explain.interaction_values(plain, Xn, max_rows=20, random_state=0)
    reference = shap.TreeExplainer(plain).shap_interaction_values(inter.data)
    np.testing.assert_allclose(inter.values, reference, atol=1e-6)
    inter = bk.explain.interaction_values(forest, Xn, max_rows=10, random_state=0)
    np.testing.assert_allclose(inter.shap_values, bk.explain.explain(forest, inter.data).values, atol=1e-12)
    with pytest.raises(TypeError, match="interaction values need a tree model"):
        bk.explain.interaction_values(LinearRegression().fit(*numeric), numeric[0])


def test_a_leaky_site_marker_tops_the_shap_ranking_there_and_not_elsewhere():
    data, truth = bk.simulate.cohort(n=3_000, n_sites=3, leaky_site="site_2", random_state=0)
    X, y = data.X, data.y
    model = xgb.XGBClassifier(n_estimators=60, max_depth=3, enable_categorical=True, n_jobs=1,
                              random_state=0).fit(X, y)
    leaky = (X.site == truth.leak["site"]).to_numpy()
    expl = bk.explain.explain(model, X)
    there = expl[leaky].importance().set_index("feature").mean_abs_shap
    elsewhere = expl[~leaky].importance().set_index("feature").mean_abs_shap
    assert there.idxmax() == "sample_tube" and elsewhere.idxmax() != "sample_tube"
    assert elsewhere["sample_tube"] < 0.5 * there["sample_tube"]


# --- plots ------------------------------------------------------------------------------

def test_plots_draw_on_the_axes_given(booster, cohort):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = cohort
    expl = bk.explain.explain(booster, X)
    fig, axes = plt.subplots(2, 3)
    assert bk.explain.plot_summary(expl, max_features=5, ax=axes[0, 0]) is axes[0, 0]
    assert [t.get_text() for t in axes[0, 0].get_yticklabels()][::-1] == list(expl.importance().feature[:5])
    assert bk.explain.plot_waterfall(expl, row=2, max_features=4, ax=axes[0, 1]) is axes[0, 1]
    bars = axes[0, 1].patches
    assert len(bars) == 5  # four features and the rest; the top bar ends at the prediction
    assert bars[-1].get_x() + bars[-1].get_width() == pytest.approx(expl.prediction[2], abs=1e-9)
    assert bk.explain.plot_dependence(expl, "age", color_by="auto", ax=axes[0, 2]) is axes[0, 2]
    assert bk.explain.plot_dependence(expl, "site", color_by="smoker", ax=axes[1, 0]) is axes[1, 0]
    table = bk.explain.permutation_importance(booster, X, y, n_repeats=2, random_state=0)
    assert bk.explain.plot_importance(table, ax=axes[1, 1]) is axes[1, 1]
    curves = bk.explain.partial_dependence(booster, X, "site", max_rows=50, random_state=0)
    assert bk.explain.plot_partial_dependence(curves, n_ice=10, ax=axes[1, 2]) is axes[1, 2]
    assert len(axes[1, 2].lines) == 11
    with pytest.raises(ValueError, match="feature must be one of the explained features"):
        bk.explain.plot_dependence(expl, "height")
    plt.close("all")


def test_plot_options_passed_by_position_still_work_with_a_warning(booster, cohort):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, _ = cohort
    expl = bk.explain.explain(booster, X.iloc[:50])
    curves = bk.explain.partial_dependence(booster, X, "age", grid_resolution=5, max_rows=20, random_state=0)
    calls = [(bk.explain.plot_summary, (expl, 5), "max_features of plot_summary"),
             (bk.explain.plot_waterfall, (expl, 2, 4), "row, max_features of plot_waterfall"),
             (bk.explain.plot_dependence, (expl, "age", None), "color_by of plot_dependence"),
             (bk.explain.plot_importance, (expl, 5), "max_features of plot_importance"),
             (bk.explain.plot_partial_dependence, (curves, 10, True), "n_ice, centered of plot_partial_dependence")]
    for plot, args, named in calls:
        with pytest.warns(FutureWarning, match=rf"passing {named}\(\) by position"):
            assert plot(*args).figure is not None
    with pytest.warns(FutureWarning):
        ax = bk.explain.plot_waterfall(expl, 2, 4)
    assert len(ax.patches) == 5  # the positional values were used: row 2, four features and the rest
    plt.close("all")


def test_uses_background_is_false_only_for_path_dependent_trees(booster, forest, numeric, cohort):
    uses_background = bk.explain.uses_background
    X, y = numeric
    lr = LogisticRegression(max_iter=1000).fit(X, y)
    assert not uses_background(booster, cohort[0]) and not uses_background(forest, X)
    assert uses_background(lr, X) and uses_background(forest, X, method="permutation")
    assert uses_background(one_hot_pipeline(*cohort), cohort[0])
    # and each answer is what explain does: a background kept, or none
    assert bk.explain.explain(forest, X.iloc[:3]).background is None
    assert bk.explain.explain(lr, X.iloc[:3], X.iloc[3:30]).background is not None


def test_uses_background_checks_its_arguments(forest, numeric):
    from sklearn.exceptions import NotFittedError

    X, _ = numeric
    with pytest.raises(NotFittedError):
        bk.explain.uses_background(LogisticRegression(), X)
    with pytest.raises(ValueError, match="method"):
        bk.explain.uses_background(forest, X, method="tree")
    with pytest.raises(ValueError):
        bk.explain.uses_background(forest, X.drop(columns=X.columns[0]))
    with pytest.raises(TypeError):
        bk.explain.uses_background(forest, X, "permutation")  # method is keyword-only

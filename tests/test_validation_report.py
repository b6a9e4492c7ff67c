"""ValidationReport: the constructor checks the arguments, the validation runs once when needed."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import biomedkit as bk

COLS = ["age", "female", "smoker", "sbp", "diabetes"]


class CountingModel:
    """A fitted classifier that counts its predictions."""

    def __init__(self, model):
        self.model, self.calls = model, 0

    def predict_proba(self, X):
        self.calls += 1
        return self.model.predict_proba(X)


@pytest.fixture(scope="module")
def data():
    val, _ = bk.simulate.cohort(600, n_sites=3, random_state=5)
    model = LogisticRegression(max_iter=1000).fit(val.frame[COLS], val.y)
    return model, val


def test_constructing_checks_but_does_not_predict_until_a_result_is_asked_for(data):
    model, val = data
    counting = CountingModel(model)
    report = bk.validation.ValidationReport(counting, val.frame[COLS], val.y,
                                            sites=val.frame["site"], n_boot=5)
    assert counting.calls == 0 and "sections" not in vars(report)
    p = model.predict_proba(val.frame[COLS])[:, 1]
    assert report.auc_.auc == pytest.approx(bk.validation.auc_ci(val.y, p).auc)
    assert counting.calls == 1
    assert report.run() is report and counting.calls == 1  # runs once
    assert [s.title for s in report.sections][:3] == ["Data", "Discrimination", "Calibration"]
    np.testing.assert_array_equal(report.p_, p)


def test_rendering_runs_the_validation_and_gives_the_report_of_an_explicit_run(data):
    model, val = data
    kwargs = dict(sites=val.frame["site"], subgroups={"group": val.frame["group"]},
                  development=(val.frame[COLS], val.y), n_boot=20)
    lazy = bk.validation.ValidationReport(model, val.frame[COLS], val.y, **kwargs)
    eager = bk.validation.ValidationReport(model, val.frame[COLS], val.y, **kwargs).run()
    assert lazy.to_markdown() == eager.to_markdown()
    pd.testing.assert_frame_equal(lazy.net_benefit_, eager.net_benefit_)
    assert lazy.meta_ is not None and "auc_drop" in lazy.sites_


def test_unknown_attributes_still_raise_attribute_error(data):
    model, val = data
    report = bk.validation.ValidationReport(model, val.frame[COLS], val.y, n_boot=5)
    with pytest.raises(AttributeError, match="no attribute 'nope_'"):
        report.nope_
    assert not hasattr(report, "nope_") and "sections" not in vars(report)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(y=[0, 1, 2, 1]), ValueError, "y must hold only 0 and 1"),
    (dict(thresholds=0.2), TypeError, r"thresholds must be a sequence of risks"),
    (dict(thresholds=(0.1, 1.5)), ValueError, r"thresholds must lie strictly inside \(0, 1\)"),
    (dict(level=95), ValueError, "level must be a number in"),
    (dict(n_boot=0), ValueError, r"n_boot must be an integer >= 1"),
])
def test_bad_arguments_fail_when_the_report_is_made(data, kwargs, error, message):
    model, val = data
    args = dict(model=CountingModel(model), X=val.frame[COLS].iloc[:4], y=[0, 1, 0, 1]) | kwargs
    with pytest.raises(error, match=message):
        bk.validation.ValidationReport(**args)
    assert args["model"].calls == 0


def test_a_site_whose_auc_has_no_variance_stays_in_the_table_out_of_the_pooled_summary(data):
    """A small site whose risks separate its outcomes (AUC 1, SE 0) or with a single event
    (SE NaN) used to make the random-effects summary fail and the whole report with it."""
    model, val = data
    sites = val.frame["site"].astype(str).to_numpy().copy()
    p = model.predict_proba(val.frame[COLS])[:, 1]
    y = val.y.to_numpy()
    highest_events = np.flatnonzero(y == 1)[np.argsort(-p[y == 1])][:3]
    lowest_non_events = np.flatnonzero(y == 0)[np.argsort(p[y == 0])][:6]
    separated = np.r_[highest_events, lowest_non_events]
    sites[separated] = "tiny"
    report = bk.validation.ValidationReport(model, val.frame[COLS], val.y, sites=sites, n_boot=5).run()
    assert report.sites_.loc["tiny", "auc"] == 1.0
    assert report.meta_ is not None  # the other three sites are pooled
    assert "tiny" in report.to_markdown()


def _pipeline(y, X):
    """A fitted pipeline whose FunctionTransformer holds a lambda: its repr names a memory
    address, which changes from one run to the next."""
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    return make_pipeline(SimpleImputer(strategy="median"), FunctionTransformer(func=lambda x: x),
                         StandardScaler(), LogisticRegression(C=0.5, max_iter=500)).fit(X, y)


def test_model_card_describes_a_pipeline_by_its_steps_without_memory_addresses(data):
    _, val = data
    X, y = val.frame[COLS], val.y
    one, two = _pipeline(y, X), _pipeline(y, X)  # two lambdas: two addresses
    assert "0x" in repr(one)  # the text the card must not print
    cards = [bk.validation.ValidationReport(m, X, y, n_boot=5).model_card() for m in (one, two)]
    assert cards[0] == cards[1]  # stable: the same model gives the same card
    card = cards[0]
    steps = "Pipeline: SimpleImputer → FunctionTransformer → StandardScaler → LogisticRegression"
    assert card.startswith(f"# Model card: {steps}\n") and f"- Type: {steps}\n" in card
    assert "0x" not in card and "<function" not in card
    # each step with the parameters that differ from its defaults, on lines of their own
    for line in ("  - simpleimputer: SimpleImputer(strategy='median')",
                 "  - functiontransformer: FunctionTransformer(func=<lambda>)",
                 "  - standardscaler: StandardScaler()",
                 "  - logisticregression: LogisticRegression(C=0.5, max_iter=500)"):
        assert line + "\n" in card
    report = bk.validation.ValidationReport(one, X, y, n_boot=5, model_name="imputed logistic")
    named = report.model_card()
    assert named.startswith("# Model card: imputed logistic\n") and f"- Type: {steps}\n" in named
    assert "0x" not in report.to_markdown() and "0x" not in report.to_html()


def test_model_card_names_other_estimators_by_their_class(data):
    model, val = data
    card = bk.validation.ValidationReport(model, val.frame[COLS], val.y, n_boot=5).model_card()
    assert card.startswith("# Model card: LogisticRegression\n")
    assert "- Type: LogisticRegression\n- Parameters other than the defaults: max_iter=1000\n" in card
    # an object without get_params (any classifier with predict_proba) still gets a card
    counting = bk.validation.ValidationReport(CountingModel(model), val.frame[COLS], val.y, n_boot=5)
    assert "- Type: CountingModel\n- Parameters: not available\n" in counting.model_card()


def test_model_card_shows_objects_without_a_repr_by_class_and_settings(data):
    # scikit-learn's column selector has no repr of its own: "<... object at 0x...>"
    from sklearn.compose import make_column_selector, make_column_transformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    _, val = data
    selector = make_column_selector(dtype_include="number")
    assert "0x" in repr(selector)
    model = make_pipeline(make_column_transformer((StandardScaler(), selector)),
                          LogisticRegression()).fit(val.frame[COLS], val.y)
    card = bk.validation.ValidationReport(model, val.frame[COLS], val.y, n_boot=5).model_card()
    assert "- Type: Pipeline: ColumnTransformer → LogisticRegression\n" in card and "0x" not in card
    assert ("  - columntransformer: ColumnTransformer(transformers=[('standardscaler', StandardScaler(), "
            "make_column_selector(dtype_include='number'))])\n") in card
    assert "  - logisticregression: LogisticRegression()\n" in card

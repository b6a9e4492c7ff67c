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


# --- ValidationReport.from_risks: risks computed elsewhere, the same report -------------------

def _risk_kwargs(val):
    return dict(sites=val.frame["site"], subgroups={"group": val.frame["group"]}, n_boot=20,
                thresholds=(0.05, 0.1, 0.2), model_name="logistic")


def test_from_risks_gives_the_tables_of_the_report_built_from_the_model(data):
    """The model's own risks, passed as numbers, give exactly the same results: one engine."""
    model, val = data
    X, y = val.frame[COLS], val.y
    p = model.predict_proba(X)[:, 1]
    dev = val.frame.sample(frac=0.5, random_state=1)  # any development data with both classes
    p_dev = model.predict_proba(dev[COLS])[:, 1]
    from_model = bk.validation.ValidationReport(model, X, y, development=(dev[COLS], dev["event"]),
                                                **_risk_kwargs(val)).run()
    from_risks = bk.validation.ValidationReport.from_risks(y, p, development=(dev["event"], p_dev),
                                                           **_risk_kwargs(val)).run()
    assert from_risks.auc_ == from_model.auc_ and str(from_risks.auc_) == str(from_model.auc_)
    pd.testing.assert_frame_equal(from_risks.calibration_.to_frame(), from_model.calibration_.to_frame())
    for name in ("thresholds_", "net_benefit_", "sites_"):
        pd.testing.assert_frame_equal(getattr(from_risks, name), getattr(from_model, name))
    pd.testing.assert_frame_equal(from_risks.subgroups_["group"], from_model.subgroups_["group"])
    assert from_risks.meta_ == from_model.meta_ and "auc_drop" in from_risks.sites_
    np.testing.assert_array_equal(from_risks.p_, from_model.p_)
    # the printed report: every section the same, but the two that need the model itself
    assert [s.title for s in from_risks.sections] == [s.title for s in from_model.sections]
    for a, b in zip(from_risks.sections, from_model.sections):
        if a.title not in ("Participants", "Model"):
            assert (a.text, a.items, a.partly) == (b.text, b.items, b.partly)
            if a.table is not None:
                pd.testing.assert_frame_equal(a.table, b.table)
    head = "\n## Participants"
    assert from_risks.to_markdown().split(head)[0] == from_model.to_markdown().split(head)[0]


def test_from_risks_by_hand_on_six_patients():
    # events' risks 0.35, 0.8, 0.7 against non-events' 0.1, 0.4, 0.2: of the 9 pairs only
    # (0.35, 0.4) is ranked the wrong way, so AUC = 8/9.
    # Brier = mean((risk - y)^2) = (0.01 + 0.16 + 0.04 + 0.65^2 + 0.2^2 + 0.3^2) / 6 = 0.7625 / 6.
    y, risks = [0, 0, 1, 1, 0, 1], [0.1, 0.4, 0.35, 0.8, 0.2, 0.7]
    report = bk.validation.ValidationReport.from_risks(y, risks, model_name="my score", n_boot=20)
    assert report.auc_.auc == pytest.approx(8 / 9, abs=1e-12)
    assert report.calibration_.brier == pytest.approx(0.7625 / 6, abs=1e-12)
    # at threshold 0.3 the flagged are 0.4, 0.35, 0.8, 0.7: all 3 events and 1 of 3 non-events
    at = report.thresholds_.set_index("threshold").loc[0.3]
    assert (at["sensitivity"], at["specificity"], at["ppv"]) == pytest.approx((1.0, 2 / 3, 3 / 4))
    text = report.to_markdown()
    assert text.startswith("# Validation report: my score\n")
    assert "6 patients, 3 with the outcome (50.0%)." in text and "AUC 0.889 (" in text
    assert "Brier score 0.1271 " in text


def test_from_risks_card_and_report_say_the_risks_came_from_outside(data):
    model, val = data
    p = model.predict_proba(val.frame[COLS])[:, 1]
    report = bk.validation.ValidationReport.from_risks(val.y, p, model_name="QRISK-like score",
                                                       outcome="a heart attack", n_boot=5)
    card, text, page = report.model_card(), report.to_markdown(), report.to_html()
    assert card.startswith("# Model card: QRISK-like score\n")
    assert ("- Type: risks computed outside this report and validated as given; the model itself was "
            "not available\n- TODO (author): the model's full specification") in card
    assert "were computed outside this report" in text and "the model itself was not available" in text
    assert "must add a table of the participants' characteristics (TRIPOD+AI 20b)" in text
    for out in (card, text, page):
        assert "0x" not in out and "OutsideRisks" not in out and "Parameters" not in out
    # the items that need the model or the features stay the author's; the measured ones are covered
    status = report.tripod().set_index("item")["status"]
    assert (status[["22", "12g", "20b"]] == "author must write").all()
    assert (status[["12e", "15", "21", "23a"]] == "covered").all()
    from_model = bk.validation.ValidationReport(model, val.frame[COLS], val.y, n_boot=5).tripod()
    assert (from_model.set_index("item").loc[["22", "12g", "20b"], "status"] == "covered").all()
    default = bk.validation.ValidationReport.from_risks(val.y, p, n_boot=5)
    assert default.model_name == "precomputed risks" and "0x" not in default.model_card()


def test_from_risks_takes_the_options_of_the_constructor_with_the_same_defaults():
    import dataclasses
    import inspect

    options = {f.name: f.default for f in dataclasses.fields(bk.validation.ValidationReport)
               if f.kw_only and f.init}
    params = inspect.signature(bk.validation.ValidationReport.from_risks).parameters
    given = {name: p.default for name, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}
    assert given == options


def test_from_risks_copies_the_risks_and_leaves_the_callers_arrays_unchanged(data):
    model, val = data
    p = pd.Series(model.predict_proba(val.frame[COLS])[:, 1], index=val.y.index)
    y, p_before, y_before = val.y, p.copy(), val.y.copy()
    report = bk.validation.ValidationReport.from_risks(y, p, n_boot=5)
    p.iloc[:] = 0.5  # changed after the report was made: the report keeps the risks it was given
    assert report.auc_.auc == pytest.approx(bk.validation.auc_ci(y, p_before).auc, abs=1e-15)
    pd.testing.assert_series_equal(y, y_before)
    assert not np.shares_memory(report.p_, p.to_numpy())


@pytest.mark.parametrize("risks, auc", [
    (np.full(80, 0.3), 0.5),  # all equal: every pair tied; no calibration slope (NaN, with a warning)
    (np.r_[np.zeros(40), np.ones(40)], 0.5),  # exactly 0 and 1, each half events
])
def test_from_risks_reports_degenerate_risks(risks, auc):
    import warnings

    y = np.tile([0, 1], 40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the calibration's own warnings, tested there
        report = bk.validation.ValidationReport.from_risks(y, risks, n_boot=5).run()
        text = report.to_markdown()
    assert report.auc_.auc == auc and "## Calibration" in text and "## Clinical utility" in text


_Y6 = np.array([0, 0, 1, 1, 0, 1])
_R6 = np.array([0.1, 0.4, 0.35, 0.8, 0.2, 0.7])


@pytest.mark.parametrize("y, risks, kwargs, error, message", [
    (_Y6, _R6[:5], {}, ValueError, r"risks has 5 values but y has 6 outcomes; pass one risk per patient"),
    (_Y6, np.r_[_R6[:2], np.nan, _R6[3:]], {}, ValueError,
     r"risks has 1 missing or infinite values \(first at position 2\)"),
    (_Y6, np.r_[_R6[:5], np.inf], {}, ValueError, r"risks has 1 missing or infinite values"),
    (_Y6, _R6 * 100, {}, ValueError, r"risks must be probabilities in \[0, 1\].*pass risks / 100"),
    (_Y6, np.log(_R6 / (1 - _R6)), {}, ValueError, r"risks must be .*log-odds.*1 / \(1 \+ np\.exp\(-lp\)\)"),
    (_Y6, _R6.reshape(2, 3), {}, ValueError, r"risks must be one-dimensional, one risk per patient"),
    (_Y6, np.column_stack([1 - _R6, _R6]), {}, ValueError, r"risks has two columns; .*predict_proba\(X\)\[:, 1\]"),
    (_Y6, pd.DataFrame({"id": np.arange(6), "risk": _R6}), {}, ValueError,
     r"risks is a table with 2 columns \['id', 'risk'\]; pass the one column .* frame\['risk'\]"),
    (_Y6, pd.DataFrame({"risk": _R6}), {}, ValueError, r"risks is a table .* frame\['risk'\] rather than"),
    (_Y6, _R6 > 0.3, {}, TypeError, r"risks holds True/False, predicted classes rather than risks"),
    (_Y6, np.array(["10%"] * 6), {}, TypeError, r"risks must hold numbers"),
    (_Y6, 0.5, {}, ValueError, r"risks must be one-dimensional"),
    (pd.Series(_Y6), pd.Series(_R6, index=np.arange(6)[::-1]), {}, ValueError,
     r"risks and y have different pandas indexes.*risks\.loc\[y\.index\]"),
    (np.array([0, 1, 2, 1, 0, 1]), _R6, {}, ValueError, r"y must hold only 0 and 1"),
    (_Y6, _R6, dict(development=(_Y6,)), TypeError, r"development must be a pair \(y_dev, risks_dev\)"),
    (_Y6, _R6, dict(development=(_Y6, _R6 * 100)), ValueError, r"development risks must be probabilities"),
    (_Y6, _R6, dict(development=(_Y6, _R6[:4])), ValueError,
     r"development risks has 4 values but development y has 6 outcomes"),
    (_Y6, _R6, dict(model_name=3), TypeError, r"model_name must be a str"),
    (_Y6, _R6, dict(thresholds=(0.1, 1.5)), ValueError, r"thresholds must lie strictly inside \(0, 1\)"),
    (_Y6, _R6, dict(sites=["a"] * 3 + ["all validation"] * 3), ValueError, "sites"),
])
def test_from_risks_bad_input_names_the_argument_and_the_fix(y, risks, kwargs, error, message):
    import copy

    before = copy.deepcopy((y, risks, kwargs))
    with pytest.raises(error, match=message):
        bk.validation.ValidationReport.from_risks(y, risks, **kwargs)
    for a, b in zip((y, risks, *kwargs.values()), before[:2] + tuple(before[2].values())):
        if isinstance(a, (pd.Series, pd.DataFrame)):
            assert a.equals(b) and a.index.equals(b.index)
        elif isinstance(a, tuple):
            assert all(np.array_equal(u, v, equal_nan=True) for u, v in zip(a, b))
        else:
            assert np.array_equal(a, b, equal_nan=np.asarray(a).dtype.kind == "f")


def test_from_risks_reads_risks_as_a_spreadsheet_gives_them():
    """A Series with the same index as y, nullable Float64, and numbers stored as text."""
    y = pd.Series(_Y6, index=[10, 11, 12, 13, 14, 15])
    for risks in (pd.Series(_R6, index=y.index), pd.Series(_R6, index=y.index, dtype="Float64"),
                  [str(r) for r in _R6], list(_R6)):
        report = bk.validation.ValidationReport.from_risks(y, risks, n_boot=5)
        assert report.auc_.auc == pytest.approx(8 / 9, abs=1e-12)
    with pytest.raises(ValueError, match="risks has 1 missing"):
        bk.validation.ValidationReport.from_risks(y, pd.Series([*_R6[:5], None], index=y.index, dtype="Float64"))

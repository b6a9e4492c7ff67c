"""A validation report that maps its content to TRIPOD+AI and can emit a model card."""

from __future__ import annotations

import html
from dataclasses import KW_ONLY, dataclass, field

import numpy as np
import pandas as pd

from biomedkit._checks import check_binary, check_labels_for_model, check_level, check_n_boot, check_thresholds
from biomedkit._deprecation import keyword_only_after
from biomedkit._groups import ordered_levels
from biomedkit._report import HtmlMarkdownReport, html_table, md_table, png_figure
from biomedkit.validation._model_text import model_text, parameters_item, params_inline
from biomedkit.validation._outside import OUTSIDE_NAME, OUTSIDE_TODO, OutsideRisks, check_risks, check_same_index
from biomedkit.validation.calibration import calibration_summary
from biomedkit.validation.decision import net_benefit
from biomedkit.validation.discrimination import auc_ci
from biomedkit.validation.external import ALL, DEVELOPMENT, check_reserved, external_validation, random_effects
from biomedkit.validation.thresholds import threshold_metrics

# TRIPOD+AI (Collins et al., BMJ 2024;385:e078378): the items this report can fill,
# and the ones only the author can write. (item, topic)
TRIPOD_AI = [
    ("1", "Title"), ("2", "Abstract"), ("3a", "Healthcare context and rationale"),
    ("3b", "Target population and intended users"), ("3c", "Known health inequalities"),
    ("4", "Objectives"), ("5a", "Data sources"), ("5b", "Dates of data collection"),
    ("6a", "Setting and centres"), ("6b", "Eligibility criteria"), ("6c", "Treatments received"),
    ("7", "Data preparation"), ("8a", "Outcome definition and time horizon"),
    ("8b", "Outcome assessors"), ("8c", "Blinding of outcome assessment"),
    ("9a", "Choice of predictors"), ("9b", "Predictor definitions"), ("9c", "Predictor assessors"),
    ("10", "Sample size"), ("11", "Missing data"), ("12a", "How the data were used"),
    ("12b", "Handling of predictors"), ("12c", "Model type and building, tuning, internal validation"),
    ("12d", "Heterogeneity across clusters (methods)"), ("12e", "Performance measures"),
    ("12f", "Model updating"), ("12g", "How predictions were calculated"), ("13", "Class imbalance"),
    ("14", "Fairness"), ("15", "Model output and thresholds"),
    ("16", "Differences between development and evaluation data"), ("17", "Ethical approval"),
    ("18a-f", "Funding, conflicts, protocol, registration, data and code sharing"),
    ("19", "Patient and public involvement"), ("20a", "Flow of participants"),
    ("20b", "Characteristics of participants"), ("20c", "Development vs evaluation data"),
    ("21", "Participants and outcome events in each analysis"), ("22", "Model specification"),
    ("23a", "Performance with confidence intervals, overall and by subgroup"),
    ("23b", "Heterogeneity of performance across clusters"), ("24", "Model updating results"),
    ("25", "Interpretation"), ("26", "Limitations"), ("27a-c", "Usability, expertise, future research"),
]


PARTLY = "partly covered: author completes"

# What run() computes; asked for before it has run, any of them runs it.
_RESULTS = frozenset({"y_", "p_", "auc_", "calibration_", "thresholds_", "net_benefit_", "subgroups_",
                      "sites_", "meta_", "sections"})


@dataclass
class _Section:
    title: str
    text: str
    table: pd.DataFrame | None = None
    items: tuple = ()  # TRIPOD+AI items this section covers
    partly: tuple = ()  # items it gives the numbers for, which the author completes


@dataclass
class ValidationReport(HtmlMarkdownReport):
    """Validate a fitted binary classifier on data and report it.

    Risks computed elsewhere (a published score, a model fitted in R or SAS, risks exported
    from a hospital system) get the same report from :meth:`from_risks`.

    Parameters
    ----------
    model : fitted classifier with ``predict_proba``
        (In a report made by :meth:`from_risks`: a stand-in that holds the risks.)
    X, y : validation data (``y`` 0/1, the labels the model was fitted on)
    model_name : str, optional
        The model's name in the titles and the decision curve. By default its class, and
        for a Pipeline its steps' classes ("Pipeline: StandardScaler → LogisticRegression").
    outcome : str, default="the outcome"
        What ``y = 1`` means, for the text.
    sites : array-like, optional
        Site, hospital or period of each patient: performance per site and a
        random-effects summary of the AUC (TRIPOD+AI 12d and 23b).
    subgroups : mapping of name to array-like, optional
        For example ``{"sex": X["female"], "age group": age_band}``: performance per
        subgroup (TRIPOD+AI 23a). Site and subgroup labels may not be "all validation"
        (nor "development" with ``development``): those name the tables' summary rows.
    thresholds : sequence of float, default=(0.1, 0.2, 0.3)
        Risk thresholds a clinician might act on (TRIPOD+AI 15): any risks in (0, 1),
        shown with their own digits.
    development : tuple (X_dev, y_dev), optional
        The development data, for the drop in performance (20c).
    level : float, default=0.95
    n_boot : int, default=200
        Bootstrap replicates for the net-benefit intervals (at least 1).
    random_state : int, default=0

    Attributes
    ----------
    auc_ : AUCResult
    calibration_ : calibration summary (``calibration_summary``)
    thresholds_, net_benefit_ : DataFrame
        ``threshold_metrics`` at ``thresholds``; ``net_benefit`` on a grid of thresholds.
    subgroups_ : dict of name to DataFrame
    sites_ : DataFrame or None
        ``external_validation`` per site (with a development row if ``development``).
    meta_ : random-effects summary of the site AUCs, or None
    y_, p_ : ndarray
        The outcomes and the predicted risks.
    sections : list
        The report's sections.

    Constructing the report checks the arguments; the validation itself (:meth:`run`)
    runs once, when a result or the rendered report is first asked for.

    In a notebook the report renders as HTML tables; ``save("report.html")`` writes a
    standalone, styled page with the calibration and decision curves embedded as PNG
    images (``to_html(figures=True)``). :meth:`tripod` lists every TRIPOD+AI item as
    covered, covered in part (the numbers are here, the author completes), or left to
    the author.

    Examples
    --------
    >>> report = bk.validation.ValidationReport(model, X_test, y_test, sites=site)   # doctest: +SKIP
    >>> report                       # renders as HTML in a notebook                   # doctest: +SKIP
    >>> report.save("report.md"); print(report.model_card())                          # doctest: +SKIP
    >>> bk.validation.ValidationReport.from_risks(y_test, risk, model_name="QRISK3")  # doctest: +SKIP
    """

    model: object = field(repr=False)
    X: object = field(repr=False)
    y: object = field(repr=False)
    _: KW_ONLY  # the options
    model_name: str | None = None
    outcome: str = "the outcome"
    sites: object = field(default=None, repr=False)
    subgroups: dict | None = field(default=None, repr=False)
    thresholds: tuple = (0.1, 0.2, 0.3)
    development: tuple | None = field(default=None, repr=False)
    level: float = 0.95
    n_boot: int = 200
    random_state: int = 0
    sections: list = field(init=False, repr=False)

    _html_page_title = "Validation report"  # a saved .html is a standalone page, with figures

    def __post_init__(self):
        """Check the arguments; the analysis waits for :meth:`run`."""
        if not self._outside and not hasattr(self.model, "predict_proba"):
            raise TypeError("model must be a fitted classifier with predict_proba")
        y = check_binary(self.y, "y")
        if not self._outside:  # from_risks has checked its risks against y
            n_rows = self.X.shape[0] if hasattr(self.X, "shape") else len(self.X)
            if n_rows != y.size:
                raise ValueError(f"y has {y.size} outcomes but X has {n_rows} rows; they must match")
            # 0/1 outcomes for a model fitted on other labels would invert or scramble every measure
            check_labels_for_model(self.y, self.model, y.size, "y")
        if np.ndim(self.thresholds) != 1:
            raise TypeError(f"thresholds must be a sequence of risks, e.g. (0.1, 0.2, 0.3); "
                            f"got {self.thresholds!r}")
        check_thresholds(self.thresholds)
        check_level(self.level)
        reserved = {ALL} | ({DEVELOPMENT} if self.development is not None else set())
        if self.sites is not None:
            check_reserved(ordered_levels(self.sites), reserved, "sites")
        for name, levels in (self.subgroups or {}).items():
            check_reserved(ordered_levels(levels), reserved, f"subgroups[{name!r}]")
        check_n_boot(self.n_boot, minimum=1)  # the decision-curve table shows the intervals
        self.model_name = self.model_name or (OUTSIDE_NAME if self._outside else model_text(self.model))

    @classmethod
    def from_risks(cls, y, risks, *, model_name: str | None = None, outcome: str = "the outcome",
                   sites=None, subgroups: dict | None = None, thresholds: tuple = (0.1, 0.2, 0.3),
                   development: tuple | None = None, level: float = 0.95, n_boot: int = 200,
                   random_state: int = 0) -> ValidationReport:
        """Validate risks computed elsewhere: a published score, a model fitted in R or SAS,
        risks exported from a hospital system.

        The same report as for a fitted model, from the same computations: discrimination,
        calibration, thresholds, decision curve, subgroups and sites. The sections that need
        the model itself (its specification, the patients' features) say that the risks
        came from outside and what the author must add; their TRIPOD+AI items stay marked
        for the author.

        Parameters
        ----------
        y : array-like of 0/1
            The observed outcomes.
        risks : array-like of float
            Each patient's predicted risk of ``y = 1``, a probability in [0, 1], in the
            order of ``y`` (one column: ``frame["risk"]``, not ``frame[["risk"]]``).
            Convert percentages (``risks / 100``) and log-odds (``1 / (1 + np.exp(-lp))``)
            first. Never changed: the report works on a copy.
        model_name : str, optional
            The score's or model's name for the titles, e.g. "QRISK3" (by default
            "precomputed risks").
        development : tuple (y_dev, risks_dev), optional
            The development data's outcomes and risks, for the drop in performance (20c).
        outcome, sites, subgroups, thresholds, level, n_boot, random_state
            As for the constructor; ``sites`` and the subgroups are arrays aligned with ``y``.

        Returns
        -------
        ValidationReport

        Examples
        --------
        >>> import biomedkit as bk
        >>> y = [0, 0, 1, 1, 0, 1]
        >>> risk = [0.1, 0.4, 0.35, 0.8, 0.2, 0.7]   # e.g. a column exported from a spreadsheet
        >>> report = bk.validation.ValidationReport.from_risks(y, risk, model_name="my score")
        >>> round(report.auc_.auc, 3)
        0.889
        >>> print(report.model_card())                                       # doctest: +SKIP
        """
        if model_name is not None and not isinstance(model_name, str):
            raise TypeError(f"model_name must be a str, e.g. 'QRISK3'; got {type(model_name).__name__}")
        n = check_binary(y, "y").size
        checked = check_risks(risks, n)
        check_same_index(y, risks)
        dev = None
        if development is not None:
            if not isinstance(development, (tuple, list)) or len(development) != 2:
                raise TypeError("development must be a pair (y_dev, risks_dev): the development data's "
                                f"outcomes and risks; got {type(development).__name__}")
            y_dev = check_binary(development[0], "development y").astype(int)
            dev = (y_dev, check_risks(development[1], y_dev.size, "development risks", "development y"))
            check_same_index(*development, "development risks", "development y")
        return cls(OutsideRisks(checked, dev), None, y, model_name=model_name, outcome=outcome, sites=sites,
                   subgroups=subgroups, thresholds=thresholds, development=development, level=level,
                   n_boot=n_boot, random_state=random_state)

    @property
    def _outside(self) -> bool:
        """Whether the risks came from outside (:meth:`from_risks`) rather than from a model."""
        return isinstance(self.model, OutsideRisks)

    def _validation_risks(self) -> np.ndarray:
        return self.model.risks if self._outside else self.model.predict_proba(self.X)[:, 1]

    def _development_risks(self) -> tuple | None:
        """The development data's (outcomes, risks), or None."""
        if self.development is None:
            return None
        if self._outside:
            return self.model.development
        X_dev, y_dev = self.development
        return np.asarray(y_dev), self.model.predict_proba(X_dev)[:, 1]

    def run(self) -> ValidationReport:
        """Validate: predict the risks, compute every measure and write the sections.

        Runs once, when a result or the rendered report is first asked for; call it to do
        the work up front. Later calls return at once. Returns the report itself.
        """
        if "sections" in self.__dict__:
            return self
        y = check_binary(self.y, "y").astype(int)
        p = self._validation_risks()
        self.y_, self.p_ = y, p
        self.auc_ = auc_ci(y, p, level=self.level)
        self.calibration_ = calibration_summary(y, p, level=self.level)
        self.thresholds_ = threshold_metrics(y, p, list(self.thresholds), level=self.level)
        # a grid for the curve, and the thresholds themselves (any risk in (0, 1), exactly)
        grid = np.round(np.arange(0.01, min(0.99, max(self.thresholds) * 2) + 1e-9, 0.01), 2)
        grid = np.unique(np.r_[grid, np.asarray(self.thresholds, dtype=float)])
        self.net_benefit_ = net_benefit(y, {self.model_name: p}, thresholds=grid, n_boot=self.n_boot,
                                        level=self.level, random_state=self.random_state)
        self.subgroups_ = {name: external_validation(y, p, g, level=self.level)
                           for name, g in (self.subgroups or {}).items()}
        self.sites_, self.meta_ = self._across_sites(y, p)
        self.sections = self._build()
        return self

    def __getattr__(self, name):
        # Reached only for attributes not set yet: a result asked for before run().
        if name in _RESULTS and "sections" not in self.__dict__:
            return getattr(self.run(), name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _across_sites(self, y, p):
        """Performance per site (with the development data as a row, if given) and the
        random-effects summary of the site AUCs (None with fewer than 2 sites)."""
        dev = self._development_risks()
        if self.sites is None:
            if dev is None:
                return None, None
            return external_validation(y, p, np.full(y.size, "validation"), development=dev,
                                       level=self.level), None
        sites = external_validation(y, p, self.sites, development=dev, level=self.level)
        per_site = sites.drop(index=["development", "all validation"], errors="ignore")
        # A site whose AUC has no usable variance (a single event, or risks that separate its
        # outcomes: SE NaN or 0) or sits at 0 or 1 (no logit) stays in the table, out of the
        # pooled summary, which would otherwise fail for every site.
        se = per_site["auc_se"]
        per_site = per_site[np.isfinite(se) & (se > 0) & per_site["auc"].between(0, 1, inclusive="neither")]
        if len(per_site) < 2:
            return sites, None
        return sites, random_effects(per_site["auc"], per_site["auc_se"] ** 2, level=self.level,
                                     scale="logit")

    # --- content -------------------------------------------------------------
    def _build(self) -> list:
        """The sections of the report, in order, each naming the TRIPOD+AI items it covers."""
        lvl = f"{self.level:.0%}"
        s = [*self._headline(lvl), self._thresholds_section(lvl), self._utility_section()]
        for name, table in self.subgroups_.items():
            s.append(_Section(f"By {name}", f"Performance within each level of {name}.",
                              table[_perf_cols(table)].rename_axis(name), items=("23a", "14")))
        if self.sites_ is not None:
            s.append(self._sites_section(lvl))
        return s + [self._participants_section(), self._model_section()]

    def _model_section(self) -> _Section:
        """What the model is, and how its risks were computed (22, 12g)."""
        if self._outside:  # nothing of the model is known here: both items stay the author's
            name = "" if self.model_name == OUTSIDE_NAME else f" ({self.model_name})"
            return _Section("Model", f"The risks of {self.outcome}{name} were computed outside this report "
                            "and validated as given; the model itself was not available. The author must "
                            f"add {OUTSIDE_TODO}")
        text = (f"{model_text(self.model)}; the risk of {self.outcome} is the model's "
                "predict_proba (the probability of class 1) on each patient's features, used as is.")
        coefficients = _coefficients(self.model)
        if coefficients is None:
            text += (" The full specification (the fitted model file, or its code and parameters: "
                     f"{params_inline(self.model)}) must come from the author.")
            return _Section("Model", text, items=("12g",), partly=("22",))
        text += " Logistic model: log-odds = intercept + the sum of coefficient x feature (after the "\
                "pipeline's preprocessing, where there is one)."
        return _Section("Model", text, coefficients, items=("12g", "22"))

    def _participants_section(self) -> _Section:
        """The patients' features, in the validation (and development) data (20b, 20c, 16)."""
        if self._outside:
            dev = " and of the development data beside it (20c, 16)" if self.development is not None else ""
            return _Section("Participants", "The risks came without the patients' features, so this report "
                            "cannot describe them: the author must add a table of the participants' "
                            f"characteristics (TRIPOD+AI 20b){dev}.")
        table = _describe(self.X).add_prefix("validation ")
        text = "Each feature in the validation data: the mean (sd) of numbers, the commonest value " \
               "of categories, and the share of missing values."
        if self.development is not None:
            table = pd.concat([table, _describe(self.development[0]).add_prefix("development ")], axis=1)
            text += " The development data beside it, for the differences between the two."
        return _Section("Participants", text, table.rename_axis("feature"), items=("20b",),
                        partly=("20c", "16") if self.development is not None else ())

    def _headline(self, lvl: str) -> list:
        """The data, discrimination and calibration sections."""
        a, c = self.auc_, self.calibration_
        calibration = c.to_frame()
        calibration["value"] = pd.Series([int(v) if k in ("n", "events") else v  # counts print as counts
                                          for k, v in calibration["value"].items()],
                                         index=calibration.index, dtype=object)
        return [
            _Section("Data", f"{c.n} patients, {c.events} with {self.outcome} "
                     f"({c.observed_rate:.1%}).", items=("21",)),
            _Section(
                "Discrimination",
                f"AUC {a.auc:.3f} ({lvl} CI {a.low:.3f} to {a.high:.3f}, DeLong). The AUC is the "
                "probability that a randomly chosen patient with the outcome gets a higher risk than "
                "one without.", items=("12e", "23a")),
            _Section(
                "Calibration",
                f"Calibration-in-the-large {c.citl:.3f} ({lvl} CI {c.citl_low:.3f} to {c.citl_high:.3f}; "
                f"0 is ideal), calibration slope {c.slope:.3f} ({c.slope_low:.3f} to {c.slope_high:.3f}; "
                f"1 is ideal), observed/expected events {c.oe_ratio:.2f}. Brier score {c.brier:.4f} "
                f"(scaled {c.brier_scaled:.3f}); ICI {c.ici:.4f}, E50 {c.e50:.4f}, E90 {c.e90:.4f}.",
                calibration, items=("12e", "23a")),
        ]

    def _thresholds_section(self, lvl: str) -> _Section:
        cols = ["threshold", "sensitivity", "specificity", "ppv", "npv", "alerts_per_1000", "nne"]
        return _Section(
            "Thresholds",
            f"Flagging patients whose risk is at least each threshold ({lvl} Wilson intervals in "
            "the data; nne = number needed to evaluate = 1/PPV).",
            _readable_thresholds(self.thresholds_[cols]), items=("15",))

    def _utility_section(self) -> _Section:
        nb = self.net_benefit_
        at = nb[nb.threshold.isin(np.asarray(self.thresholds, dtype=float))]
        nb_cols = ["model", "threshold", "net_benefit", "net_benefit_low", "net_benefit_high",
                   "net_interventions_avoided"]
        return _Section(
            "Clinical utility (decision curve)",
            "Net benefit of acting on the model against treating everyone or no one, at the "
            f"thresholds above ({self.n_boot} bootstrap replicates).",
            _readable_thresholds(at[nb_cols]).reset_index(drop=True), items=("12e", "15"))

    def _sites_section(self, lvl: str) -> _Section:
        table = self.sites_[_perf_cols(self.sites_)]
        drop = "auc_drop" in self.sites_
        if self.sites is None:  # development data, no sites: the two data sets side by side
            table = table.drop(index=ALL).rename_axis("data")
            return _Section("Development and validation data", "Performance in the development data "
                            "and in the validation data, and the drop in AUC between them.", table,
                            items=("20c",))
        text = "Performance per site (or period)"
        text += ", and the drop in AUC from the development data." if drop else "."
        if self.meta_ is not None:
            m = self.meta_
            text += (f" Random-effects summary of the AUC over {m.k} sites: {m.pooled:.3f} "
                     f"({lvl} CI {m.low:.3f} to {m.high:.3f}); {lvl} prediction interval for a new "
                     f"site {m.prediction_low:.3f} to {m.prediction_high:.3f}; I² {m.i2:.0%}.")
        return _Section("Across sites", text, table.rename_axis("site"),
                        items=("12d", "23b", "20c") if drop else ("12d", "23b"))

    def tripod(self) -> pd.DataFrame:
        """Each TRIPOD+AI item: covered by this report (and where), covered in part (the
        report gives the numbers, the author adds what only they know), or left to the author."""
        full, part = {}, {}
        for sec in self.sections:
            for item in sec.items:
                full.setdefault(item, []).append(sec.title)
            for item in sec.partly:
                part.setdefault(item, []).append(sec.title)
        rows = []
        for item, topic in TRIPOD_AI:
            status = "covered" if item in full else PARTLY if item in part else "author must write"
            rows.append((item, topic, status, "; ".join(full.get(item, part.get(item, [])))))
        return pd.DataFrame(rows, columns=["item", "topic", "status", "section"])

    def _coverage(self) -> str:
        t = self.tripod()
        return (f"This report covers {int((t.status == 'covered').sum())} of {len(t)} items, and "
                f"{int((t.status == PARTLY).sum())} more in part; the author must write the rest "
                "(the items marked below).")

    # --- output --------------------------------------------------------------
    def to_markdown(self) -> str:
        out = [f"# Validation report: {self.model_name}", ""]
        for sec in self.sections:
            out += [f"## {sec.title}", "", sec.text, ""]
            if sec.table is not None:
                out += [md_table(_shown(sec.table)), ""]
        out += ["## TRIPOD+AI checklist", "", self._coverage(), "", md_table(self.tripod())]
        return "\n".join(out) + "\n"

    @keyword_only_after(1)
    def to_html(self, *, figures: bool = False) -> str:
        """The report as HTML; ``figures=True`` adds the calibration and decision curves as
        embedded PNG images (a saved .html page has them)."""
        parts = [f"<h2>Validation report: {html.escape(self.model_name)}</h2>"]
        for sec in self.sections:
            parts.append(f"<h3>{html.escape(sec.title)}</h3><p>{html.escape(sec.text)}</p>")
            if sec.table is not None:
                parts.append(html_table(_shown(sec.table)))
            if figures and sec.title in self._figures():
                parts.append(self._figures()[sec.title]())
        parts.append(f"<h3>TRIPOD+AI checklist</h3><p>{html.escape(self._coverage())}</p>"
                     + html_table(self.tripod()))
        return "<div class='biomedkit-report'>" + "\n".join(parts) + "</div>"

    def _page_body(self) -> str:
        return self.to_html(figures=True)

    def _figures(self) -> dict:
        """Section title -> a function drawing its figure as embedded HTML."""
        from biomedkit.validation.calibration import calibration_curve
        from biomedkit.validation.plots import plot_calibration, plot_decision_curve

        def calibration():
            curve = calibration_curve(self.y_, self.p_, level=self.level)
            return png_figure(lambda ax: plot_calibration(curve, ax=ax), "Calibration: observed event "
                              f"rate against predicted risk ({curve.binning} with {self.level:.0%} Wilson "
                              "intervals, and a smoothed curve)")

        def decision():
            return png_figure(lambda ax: plot_decision_curve(self.net_benefit_, ax=ax),
                              "Decision curve: net benefit of the model, of treating all and of treating "
                              "none", size=(6.0, 4.0))
        return {"Calibration": calibration, "Clinical utility (decision curve)": decision}

    @keyword_only_after(1)
    def model_card(self, *, intended_use: str = "", training_data: str = "", ethical: str = "") -> str:
        """A model card (Mitchell et al. 2019) in Markdown; the measured parts filled in.

        Sections the data cannot tell are left as explicit TODO lines for the author.
        """
        a, c = self.auc_, self.calibration_
        todo = "TODO (author): "
        factors = ", ".join(self.subgroups_) if self.subgroups_ else ""
        lines = [
            f"# Model card: {self.model_name}", "",
            "## Model details", "", *self._card_model_lines(todo),
            f"- {todo}developers, date, version, licence, contact.", "",
            "## Intended use", "", intended_use or f"{todo}primary uses and users, and out-of-scope uses.", "",
            "## Factors", "", (f"Performance is reported by: {factors}." if factors else
                               f"{todo}relevant groups (demographic, clinical, instrument)."), "",
            "## Metrics", "", "AUC with DeLong intervals; calibration-in-the-large, slope, Brier score, "
            "ICI; sensitivity, specificity, PPV, NPV with Wilson intervals at the decision thresholds; "
            "net benefit.", "",
            "## Evaluation data", "", f"{c.n} patients, {c.events} events ({c.observed_rate:.1%}).", "",
            "## Training data", "", training_data or f"{todo}source, size and preprocessing.", "",
            "## Quantitative analyses", "",
            f"- AUC {a.auc:.3f} ({self.level:.0%} CI {a.low:.3f} to {a.high:.3f})",
            f"- Calibration slope {c.slope:.3f}, calibration-in-the-large {c.citl:.3f}, Brier {c.brier:.4f}",
            "", md_table(_readable_thresholds(self.thresholds_[["threshold", "sensitivity", "specificity", "ppv",
                                                           "npv"]])), "",
            "## Ethical considerations", "", ethical or f"{todo}risks, sensitive data, fairness findings.", "",
            "## Caveats and recommendations", "",
            f"{todo}known limitations; validate again before use in a new setting.",
        ]
        return "\n".join(lines) + "\n"


    def _card_model_lines(self, todo: str) -> list:
        """The model card's type and parameters; for risks from outside, what the author must add."""
        if self._outside:
            return ["- Type: risks computed outside this report and validated as given; the model itself "
                    "was not available", f"- {todo}{OUTSIDE_TODO}"]
        return [f"- Type: {model_text(self.model)}", *parameters_item(self.model)]


# positional options keep working for one release, with a warning
ValidationReport.__init__ = keyword_only_after(4)(ValidationReport.__init__)


def _readable_thresholds(table: pd.DataFrame) -> pd.DataFrame:
    """The threshold column as text with the digits it has (0.125 stays 0.125, 0.004 stays
    0.004), where the tables' 3 decimals would round it."""
    return table.assign(threshold=[f"{t:.6g}" for t in table["threshold"]])


_COUNTS = {"n", "events", "tp", "fp", "tn", "fn", "k"}


def _cell(value, count: bool = False) -> str:
    """A table cell as shown: counts as integers, other numbers to 3 decimals, NaN blank."""
    if value is None or (isinstance(value, (float, np.floating)) and np.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_, str)):
        return str(value)
    if isinstance(value, (int, np.integer)) or (count and float(value).is_integer()):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return f"{value:.3f}"
    return str(value)


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    """The table as the report shows it (text cells), the same in Markdown and HTML."""
    return pd.DataFrame({c: [_cell(v, c in _COUNTS) for v in table[c]] for c in table.columns},
                        index=table.index)


def _describe(X) -> pd.DataFrame:
    """Per feature: mean (sd) of a number, the commonest value of a category, share missing."""
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X)).add_prefix("x")
    rows = {}
    for name, column in frame.items():
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            summary = f"{column.mean():.3g} ({column.std():.3g})"
        else:
            counts = column.astype(object).value_counts()
            summary = f"{counts.index[0]} ({counts.iloc[0] / counts.sum():.0%})" if len(counts) else ""
        rows[str(name)] = {"summary": summary, "missing": f"{column.isna().mean():.1%}"}
    return pd.DataFrame.from_dict(rows, orient="index")


def _coefficients(model) -> pd.DataFrame | None:
    """Intercept and coefficients of a binary logistic model (or a Pipeline ending in one),
    named by the features they multiply; None for other models."""
    pipeline = type(model).__name__ == "Pipeline"
    final = model[-1] if pipeline else model
    if not type(final).__name__.startswith("LogisticRegression"):
        return None
    coef = np.atleast_2d(getattr(final, "coef_", np.empty((2, 0))))
    if coef.shape[0] != 1:
        return None
    try:
        names = model[:-1].get_feature_names_out() if pipeline else final.feature_names_in_
    except AttributeError:
        names = [f"x{i}" for i in range(coef.shape[1])]
    values = np.r_[np.ravel(final.intercept_)[:1], coef[0]]
    return pd.DataFrame({"coefficient": [f"{v:.6g}" for v in values]},
                        index=pd.Index(["(intercept)", *map(str, names)], name="term"))


def _perf_cols(table: pd.DataFrame) -> list:
    wanted = ["n", "events", "auc", "auc_low", "auc_high", "citl", "slope", "oe_ratio", "brier",
              "auc_drop", "note"]
    return [c for c in wanted if c in table]

"""A validation report that maps its content to TRIPOD+AI and can emit a model card."""

from __future__ import annotations

import html
from dataclasses import KW_ONLY, dataclass, field

import numpy as np
import pandas as pd

from biomedkit._checks import check_binary, check_level, check_n_boot, check_thresholds
from biomedkit._deprecation import keyword_only_after
from biomedkit._report import HtmlMarkdownReport, md_table
from biomedkit.validation.calibration import calibration_summary
from biomedkit.validation.decision import net_benefit
from biomedkit.validation.discrimination import auc_ci
from biomedkit.validation.external import external_validation, random_effects
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


# What run() computes; asked for before it has run, any of them runs it.
_RESULTS = frozenset({"y_", "p_", "auc_", "calibration_", "thresholds_", "net_benefit_", "subgroups_",
                      "sites_", "meta_", "sections"})


@dataclass
class _Section:
    title: str
    text: str
    table: pd.DataFrame | None = None
    items: tuple = ()  # TRIPOD+AI items this section covers


@dataclass
class ValidationReport(HtmlMarkdownReport):
    """Validate a fitted binary classifier on data and report it.

    Parameters
    ----------
    model : fitted classifier with ``predict_proba``
    X, y : validation data (``y`` 0/1)
    model_name : str, optional
    outcome : str, default="the outcome"
        What ``y = 1`` means, for the text.
    sites : array-like, optional
        Site, hospital or period of each patient: performance per site and a
        random-effects summary of the AUC (TRIPOD+AI 12d and 23b).
    subgroups : mapping of name to array-like, optional
        For example ``{"sex": X["female"], "age group": age_band}``: performance per
        subgroup (TRIPOD+AI 23a).
    thresholds : sequence of float, default=(0.1, 0.2, 0.3)
        Risk thresholds a clinician might act on (TRIPOD+AI 15).
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

    Examples
    --------
    >>> report = bk.validation.ValidationReport(model, X_test, y_test, sites=site)   # doctest: +SKIP
    >>> report                       # renders as HTML in a notebook                   # doctest: +SKIP
    >>> report.save("report.md"); print(report.model_card())                          # doctest: +SKIP
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

    def __post_init__(self):
        """Check the arguments; the analysis waits for :meth:`run`."""
        if not hasattr(self.model, "predict_proba"):
            raise TypeError("model must be a fitted classifier with predict_proba")
        check_binary(self.y, "y")
        if np.ndim(self.thresholds) != 1:
            raise TypeError(f"thresholds must be a sequence of risks, e.g. (0.1, 0.2, 0.3); "
                            f"got {self.thresholds!r}")
        check_thresholds(self.thresholds)
        check_level(self.level)
        check_n_boot(self.n_boot, minimum=1)  # the decision-curve table shows the intervals
        self.model_name = self.model_name or type(self.model).__name__

    def run(self) -> ValidationReport:
        """Validate: predict the risks, compute every measure and write the sections.

        Runs once, when a result or the rendered report is first asked for; call it to do
        the work up front. Later calls return at once. Returns the report itself.
        """
        if "sections" in self.__dict__:
            return self
        y = np.asarray(self.y)
        p = self.model.predict_proba(self.X)[:, 1]
        self.y_, self.p_ = y, p
        self.auc_ = auc_ci(y, p, level=self.level)
        self.calibration_ = calibration_summary(y, p, level=self.level)
        self.thresholds_ = threshold_metrics(y, p, list(self.thresholds), level=self.level)
        grid = np.round(np.arange(0.01, min(0.99, max(self.thresholds) * 2) + 1e-9, 0.01), 2)
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
        dev = None
        if self.development is not None:
            X_dev, y_dev = self.development
            dev = (np.asarray(y_dev), self.model.predict_proba(X_dev)[:, 1])
        if self.sites is None:
            if dev is None:
                return None, None
            return external_validation(y, p, np.full(y.size, "validation"), development=dev,
                                       level=self.level), None
        sites = external_validation(y, p, self.sites, development=dev, level=self.level)
        per_site = sites.drop(index=["development", "all validation"], errors="ignore")
        per_site = per_site.dropna(subset=["auc"])
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
                              table[_perf_cols(table)], items=("23a", "14")))
        if self.sites_ is not None:
            s.append(self._sites_section(lvl))
        return s

    def _headline(self, lvl: str) -> list:
        """The data, discrimination and calibration sections."""
        a, c = self.auc_, self.calibration_
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
                c.to_frame(), items=("12e", "23a")),
        ]

    def _thresholds_section(self, lvl: str) -> _Section:
        cols = ["threshold", "sensitivity", "specificity", "ppv", "npv", "alerts_per_1000", "nne"]
        return _Section(
            "Thresholds",
            f"Flagging patients whose risk is at least each threshold ({lvl} Wilson intervals in "
            "the data; nne = number needed to evaluate = 1/PPV).",
            self.thresholds_[cols], items=("15",))

    def _utility_section(self) -> _Section:
        nb = self.net_benefit_
        at = nb[nb.threshold.isin(np.round(self.thresholds, 2))]
        nb_cols = ["model", "threshold", "net_benefit", "net_benefit_low", "net_benefit_high",
                   "net_interventions_avoided"]
        return _Section(
            "Clinical utility (decision curve)",
            "Net benefit of acting on the model against treating everyone or no one, at the "
            f"thresholds above ({self.n_boot} bootstrap replicates).", at[nb_cols], items=("12e", "15"))

    def _sites_section(self, lvl: str) -> _Section:
        text = "Performance per site (or period)"
        if "auc_drop" in self.sites_:
            text += ", and the drop in AUC from the development data"
        text += "."
        if self.meta_ is not None:
            m = self.meta_
            text += (f" Random-effects summary of the AUC over {m.k} sites: {m.pooled:.3f} "
                     f"({lvl} CI {m.low:.3f} to {m.high:.3f}); {lvl} prediction interval for a new "
                     f"site {m.prediction_low:.3f} to {m.prediction_high:.3f}; I² {m.i2:.0%}.")
        return _Section("Across sites", text, self.sites_[_perf_cols(self.sites_)],
                        items=("12d", "23b", "20c") if "auc_drop" in self.sites_ else ("12d", "23b"))

    def tripod(self) -> pd.DataFrame:
        """Each TRIPOD+AI item: covered by this report (and where) or left to the author."""
        where = {}
        for sec in self.sections:
            for item in sec.items:
                where.setdefault(item, []).append(sec.title)
        rows = [(item, topic, "covered" if item in where else "author must write",
                 "; ".join(where.get(item, []))) for item, topic in TRIPOD_AI]
        return pd.DataFrame(rows, columns=["item", "topic", "status", "section"])

    # --- output --------------------------------------------------------------
    def to_markdown(self) -> str:
        out = [f"# Validation report: {self.model_name}", ""]
        for sec in self.sections:
            out += [f"## {sec.title}", "", sec.text, ""]
            if sec.table is not None:
                out += [md_table(sec.table), ""]
        t = self.tripod()
        out += ["## TRIPOD+AI checklist", "",
                f"This report covers {int((t.status == 'covered').sum())} of {len(t)} items; "
                "the author must still write the rest.", "", md_table(t)]
        return "\n".join(out) + "\n"

    def to_html(self) -> str:
        parts = [f"<h2>Validation report: {html.escape(self.model_name)}</h2>"]
        for sec in self.sections:
            parts.append(f"<h3>{html.escape(sec.title)}</h3><p>{html.escape(sec.text)}</p>")
            if sec.table is not None:
                parts.append(sec.table.to_html(float_format=lambda v: f"{v:.3f}", na_rep=""))
        t = self.tripod()
        parts.append(f"<h3>TRIPOD+AI checklist</h3><p>Covered: {int((t.status == 'covered').sum())} "
                     f"of {len(t)} items.</p>" + t.to_html(index=False))
        return "<div class='biomedkit-report'>" + "\n".join(parts) + "</div>"

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
            "## Model details", "", f"- Type: {type(self.model).__name__}",
            f"- Parameters: {_params(self.model)}", f"- {todo}developers, date, version, licence, contact.", "",
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
            "", md_table(self.thresholds_[["threshold", "sensitivity", "specificity", "ppv", "npv"]]), "",
            "## Ethical considerations", "", ethical or f"{todo}risks, sensitive data, fairness findings.", "",
            "## Caveats and recommendations", "",
            f"{todo}known limitations; validate again before use in a new setting.",
        ]
        return "\n".join(lines) + "\n"


# positional options keep working for one release, with a warning
ValidationReport.__init__ = keyword_only_after(4)(ValidationReport.__init__)


def _perf_cols(table: pd.DataFrame) -> list:
    wanted = ["n", "events", "auc", "auc_low", "auc_high", "citl", "slope", "oe_ratio", "brier",
              "auc_drop", "note"]
    return [c for c in wanted if c in table]


def _params(model) -> str:
    try:
        params = model.get_params(deep=False)
    except AttributeError:
        return "not available"
    return ", ".join(f"{k}={v!r}" for k, v in params.items())[:500]

"""Simulated patients seen through three modalities: clinical record, expression, imaging."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit

from biomedkit._checks import check_float, check_int, check_random_state
from biomedkit.simulate._common import as_dataset, intercept_for_prevalence

MODALITIES = ("clinical", "expression", "imaging")
# The clinical score: weights on standardised variables (population mean and sd), scaled to a
# unit-variance score. `female` is recorded but carries no risk (a realistic passenger).
_CLINICAL_WEIGHTS = {"age": 0.45, "smoker": 0.3, "stage": 0.7, "ecog": 0.45}
_STAGE_P = np.array([0.25, 0.30, 0.30, 0.15])  # stages I to IV
_ECOG_P = np.array([0.50, 0.35, 0.15])  # performance status 0 to 2
_N_EXPRESSION_NUISANCE = 3  # non-prognostic programmes (cell-type mix) shared across genes
_GH_NODES = 40  # Gauss-Hermite nodes for the risk without a modality


@dataclass(repr=False)
class MultimodalTruth:
    """What generated a simulated multi-modal cohort.

    The outcome depends on three **latent** scores, one per modality, each with unit
    variance: ``clinical`` (a weighted sum of age, smoking, stage and performance status, read
    exactly from the record), ``expression`` (a gene programme that the signature genes
    measure with noise) and ``imaging`` (a tumour phenotype that some image features measure
    with noise). ``expression`` and ``imaging`` are correlated (``shared``): two instruments see
    the same tumour. The logit is::

        intercept + b_c * clinical + b_e * expression + b_i * imaging + b_x * expression * imaging

    Attributes
    ----------
    risk, logit : ndarray
        Each patient's true probability of the event and its logit.
    intercept : float
        Solved so that the mean true risk equals ``prevalence``.
    latent : DataFrame
        The three latent scores per patient (columns ``clinical``, ``expression``, ``imaging``).
    terms : DataFrame
        One row per term of the logit: ``term``, ``modality`` (the modalities it needs),
        ``coefficient``, ``variance`` (its variance in the population, by construction) and
        ``share`` (its variance over the sum of the four variances). The shares leave out the
        covariance of the expression and imaging terms, ``2 b_e b_i shared``.
    modalities : dict
        Modality name -> the columns that measure it.
    signature : DataFrame
        The informative measured columns, with the modality and the loading on its latent
        score: the signature genes and the informative image features (clinical columns are
        exact, with their weights in the clinical score).
    shared : float
        The correlation of the expression and imaging scores.
    observed : DataFrame of bool
        Per patient and modality: whether the modality was recorded (see ``missing``).
    """

    risk: np.ndarray
    logit: np.ndarray
    intercept: float
    latent: pd.DataFrame
    terms: pd.DataFrame
    modalities: dict
    signature: pd.DataFrame
    shared: float
    observed: pd.DataFrame

    def _coefficients(self) -> dict:
        return dict(zip(self.terms.term, self.terms.coefficient))

    def _rows(self, y) -> tuple[np.ndarray, np.ndarray]:
        """``y`` as an array, and the positions of its patients (a Series: by patient_id)."""
        if isinstance(y, pd.Series):
            where = self.latent.index.get_indexer(y.index)
            if (where < 0).any():
                raise ValueError("y holds patients this truth does not know; pass outcomes indexed by "
                                 "patient_id, e.g. data.y or data.y.iloc[rows]")
            return y.to_numpy(), where
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != len(self.risk):
            raise ValueError(f"y must hold the outcomes of all {len(self.risk)} patients, or be a Series "
                             f"indexed by patient_id for some of them (data.y.iloc[rows]); got shape {y.shape}")
        return y, np.arange(len(y))

    def oracle_auc(self, y) -> float:
        """AUC of the true risk against outcomes ``y``: the ceiling of any model.

        ``y``: every patient's outcome, or a Series indexed by patient_id (``data.y.iloc[rows]``)
        for a subset, such as a test set.
        """
        y, rows = self._rows(y)
        return _auc(y, self.risk[rows])

    def risk_without(self, modality: str) -> np.ndarray:
        """The best risk a model can reach without ``modality``: E[risk | the other latent scores].

        It integrates the true risk over the missing score's distribution given the others:
        the clinical score independently (over its population distribution), the expression
        score given the imaging one as a normal with mean ``shared * imaging`` and variance
        ``1 - shared**2`` (and the reverse), by Gauss-Hermite quadrature.
        """
        if modality not in MODALITIES:
            raise ValueError(f"modality must be one of {list(MODALITIES)}; got {modality!r}")
        b = self._coefficients()
        c, e, i = (self.latent[m].to_numpy() for m in MODALITIES)
        if modality == "clinical":
            values, weights = _clinical_distribution()
            lp = (self.intercept + b["expression"] * e + b["imaging"] * i
                  + b["expression x imaging"] * e * i)[:, None] + b["clinical"] * values[None, :]
            return expit(lp) @ weights
        nodes, weights = np.polynomial.hermite_e.hermegauss(_GH_NODES)
        weights = weights / weights.sum()
        rho = self.shared
        known = i if modality == "expression" else e
        own = b[modality]
        other = b["imaging" if modality == "expression" else "expression"]
        # the missing score given the known one: rho * known + sqrt(1 - rho^2) * z
        draws = rho * known[:, None] + np.sqrt(1 - rho**2) * nodes[None, :]
        lp = (self.intercept + b["clinical"] * c + other * known)[:, None] + (
            own + b["expression x imaging"] * known)[:, None] * draws
        return expit(lp) @ weights

    def modality_importance(self, y) -> pd.DataFrame:
        """Per modality: its main term's share, and the oracle's AUC with and without it.

        ``auc_loss`` is what the best possible model loses when the modality is unknown: the
        truth that a modality ablation estimates. It counts only what the other modalities
        cannot stand in for (with ``shared > 0``, expression and imaging partly can). ``y`` as
        in :meth:`oracle_auc`.
        """
        y, rows = self._rows(y)
        full = _auc(y, self.risk[rows])
        shares = dict(zip(self.terms.term, self.terms.share))
        rows = [{"modality": m, "main_share": shares[m],
                 "in_interaction": m in ("expression", "imaging"),
                 "oracle_auc": full, "oracle_auc_without": _auc(y, self.risk_without(m)[rows])}
                for m in MODALITIES]
        table = pd.DataFrame(rows).set_index("modality")
        table["auc_loss"] = table["oracle_auc"] - table["oracle_auc_without"]
        return table

    def __repr__(self) -> str:
        parts = ", ".join(f"{t} {s:.0%}" for t, s in zip(self.terms.term, self.terms.share))
        sizes = ", ".join(f"{m} {len(c)}" for m, c in self.modalities.items())
        return (f"<MultimodalTruth: {len(self.risk)} patients, mean true risk {self.risk.mean():.3f}; "
                f"columns per modality: {sizes}; shares of the logit's variance: {parts}>")


def multimodal(
    n: int = 3000,
    *,
    n_genes: int = 50,
    n_signature: int = 8,
    n_image: int = 10,
    clinical: float = 0.8,
    expression: float = 1.0,
    imaging: float = 0.8,
    interaction: float = 0.6,
    shared: float = 0.3,
    expression_noise: float = 1.0,
    imaging_noise: float = 1.0,
    prevalence: float = 0.3,
    missing: dict | None = None,
    random_state: int | np.random.Generator | None = None,
):
    """Simulate patients with linked clinical, expression and image-derived features.

    Each patient has three latent scores with unit variance, one per modality, and the
    outcome (``event``) is drawn from a logistic model of them (see :class:`MultimodalTruth`):
    a clinical main effect, an expression signature, an imaging phenotype and a cross-modal
    interaction (the expression signature matters more when the imaging phenotype is high).
    What a model sees are the measurements:

    - **clinical**: ``age``, ``female``, ``smoker``, ``stage`` (1 to 4), ``ecog`` (0 to 2),
      recorded exactly; the clinical score is a weighted sum of all but ``female``.
    - **expression**: ``n_genes`` log-expression values (``gene_001``, ...). The
      ``n_signature`` signature genes load on the expression score; every gene also follows
      three non-prognostic programmes and has its own noise (``expression_noise``).
    - **imaging**: ``n_image`` radiomic-style features (``img_01``, ...). Half of them load
      on the imaging score; all follow an acquisition factor (scanner settings) and have
      their own noise (``imaging_noise``).

    Parameters
    ----------
    n : int, default=3000
        Number of patients.
    n_genes, n_signature : int, default=50, 8
        Number of genes, and how many of them carry the expression score.
    n_image : int, default=10
        Number of image features (at least 2); ``n_image // 2`` carry the imaging score.
    clinical, expression, imaging : float, default=0.8, 1.0, 0.8
        Coefficients of the three latent scores in the logit (each score has unit variance),
        in [0, 5]. 0 makes a modality uninformative.
    interaction : float, default=0.6
        Coefficient of the product ``expression * imaging`` in the logit, in [-5, 5].
    shared : float, default=0.3
        Correlation of the expression and imaging scores, in (-1, 1).
    expression_noise, imaging_noise : float, default=1.0
        Standard deviation of each measured gene's and image feature's own noise, in [0, 10].
    prevalence : float, default=0.3
        Mean true risk, in (0, 1); the intercept is solved for it.
    missing : dict or None
        ``{"imaging": 0.3}`` leaves out the imaging features (NaN) of a random 30 % of the
        patients; "expression" works alike. Missing completely at random; clinical data are
        always recorded. ``truth.observed`` says which patients have each modality.
    random_state : int, Generator or None
        Seeds everything; the same value gives the same patients.

    Returns
    -------
    data : Dataset
        ``data.frame`` indexed by ``patient_id``: the clinical columns, the genes, the image
        features and ``event`` (the target). ``data.modalities``: modality -> its columns.
    truth : MultimodalTruth
        The latent scores, the terms with their shares, the true risk, the informative
        columns, and ``modality_importance(y)``: what the oracle loses without each modality.

    Examples
    --------
    >>> import biomedkit as bk
    >>> data, truth = bk.simulate.multimodal(n=500, random_state=0)
    >>> list(data.modalities)
    ['clinical', 'expression', 'imaging']
    >>> truth.modality_importance(data.y)                               # doctest: +SKIP
    """
    n = check_int(n, "n", 10)
    n_genes = check_int(n_genes, "n_genes", 1)
    n_signature = check_int(n_signature, "n_signature", 1)
    if n_signature > n_genes:
        raise ValueError(f"n_signature must be at most n_genes ({n_genes}); got {n_signature}")
    n_image = check_int(n_image, "n_image", 2)
    coef = {name: check_float(value, name, 0, 5) for name, value in
            (("clinical", clinical), ("expression", expression), ("imaging", imaging))}
    coef["expression x imaging"] = check_float(interaction, "interaction", -5, 5)
    shared = check_float(shared, "shared", -1, 1, open_low=True, open_high=True)
    expression_noise = check_float(expression_noise, "expression_noise", 0, 10)
    imaging_noise = check_float(imaging_noise, "imaging_noise", 0, 10)
    prevalence = check_float(prevalence, "prevalence", 0, 1, open_low=True, open_high=True)
    missing = _check_missing(missing)
    rng = check_random_state(random_state)

    clinical_frame, c = _draw_clinical(n, rng)
    e = rng.standard_normal(n)
    i = shared * e + np.sqrt(1 - shared**2) * rng.standard_normal(n)
    genes, gene_loadings = _draw_expression(e, n_genes, n_signature, expression_noise, rng)
    images, image_loadings = _draw_imaging(i, n_image, imaging_noise, rng)

    lp = coef["clinical"] * c + coef["expression"] * e + coef["imaging"] * i + coef["expression x imaging"] * e * i
    intercept = intercept_for_prevalence(lp, prevalence)
    logit = intercept + lp
    risk = expit(logit)
    event = (rng.random(n) < risk).astype(np.int64)

    observed = pd.DataFrame({m: np.ones(n, bool) for m in MODALITIES})
    for modality, share in missing.items():  # drawn last: the data are the same without it
        observed[modality] = rng.random(n) >= share
    genes.loc[~observed["expression"].to_numpy()] = np.nan
    images.loc[~observed["imaging"].to_numpy()] = np.nan

    frame = pd.concat([clinical_frame, genes, images], axis=1)
    frame["event"] = event
    frame.index = pd.RangeIndex(1, n + 1, name="patient_id")
    observed.index = frame.index
    modalities = {"clinical": list(clinical_frame.columns), "expression": list(genes.columns),
                  "imaging": list(images.columns)}
    truth = MultimodalTruth(
        risk=risk, logit=logit, intercept=float(intercept),
        latent=pd.DataFrame({"clinical": c, "expression": e, "imaging": i}, index=frame.index),
        terms=_terms(coef, shared), modalities=modalities,
        signature=pd.concat([gene_loadings, image_loadings], ignore_index=True),
        shared=shared, observed=observed)
    data = as_dataset(frame, truth, name="multimodal", target="event", sites="")
    data.extras["modalities"] = {m: list(cols) for m, cols in modalities.items()}
    return data, truth


def _check_missing(missing) -> dict:
    if missing is None:
        return {}
    if not isinstance(missing, dict):
        raise TypeError(f"missing must be None or a dict such as {{'imaging': 0.3}}; "
                        f"got {type(missing).__name__}")
    out = {}
    for modality, share in missing.items():
        if modality not in ("expression", "imaging"):
            raise ValueError(f"missing can leave out 'expression' or 'imaging' (clinical data are always "
                             f"recorded); got {modality!r}")
        out[modality] = check_float(share, f"missing[{modality!r}]", 0, 1, open_high=True)
    return out


def _stage_ecog_moments():
    """Population mean and sd of stage (1-4) and ecog (0-2)."""
    stage, ecog = np.arange(1, 5), np.arange(3)
    m_s, m_e = stage @ _STAGE_P, ecog @ _ECOG_P
    return (m_s, np.sqrt((stage - m_s) ** 2 @ _STAGE_P)), (m_e, np.sqrt((ecog - m_e) ** 2 @ _ECOG_P))


def _clinical_score(age, smoker, stage, ecog) -> np.ndarray:
    """The unit-variance clinical score from the recorded columns (population standardisation)."""
    (m_s, s_s), (m_e, s_e) = _stage_ecog_moments()
    z = {"age": (age - 65) / 10, "smoker": (smoker - 0.3) / np.sqrt(0.21),
         "stage": (stage - m_s) / s_s, "ecog": (ecog - m_e) / s_e}
    norm = np.sqrt(sum(w**2 for w in _CLINICAL_WEIGHTS.values()))
    return sum(w * z[k] for k, w in _CLINICAL_WEIGHTS.items()) / norm


def _draw_clinical(n, rng):
    # age is not clipped or rounded, so its population mean and sd are exactly 65 and 10
    age = rng.normal(65, 10, n)
    female = (rng.random(n) < 0.45).astype(np.int64)
    smoker = (rng.random(n) < 0.3).astype(np.int64)
    stage = 1 + rng.choice(4, size=n, p=_STAGE_P)
    ecog = rng.choice(3, size=n, p=_ECOG_P)
    frame = pd.DataFrame({"age": age, "female": female, "smoker": smoker, "stage": stage, "ecog": ecog})
    return frame, _clinical_score(age, smoker, stage, ecog)


def _clinical_distribution(n_points: int = 400):
    """The clinical score's population distribution, as (values, weights): the exact mixture over
    smoking, stage and ecog, with age on Gauss-Hermite nodes."""
    nodes, w_age = np.polynomial.hermite_e.hermegauss(20)
    w_age = w_age / w_age.sum()
    values, weights = [], []
    for smoker, p_smoker in ((0, 0.7), (1, 0.3)):
        for stage, p_stage in zip(range(1, 5), _STAGE_P):
            for ecog, p_ecog in zip(range(3), _ECOG_P):
                values.append(_clinical_score(65 + 10 * nodes, smoker, stage, ecog))
                weights.append(p_smoker * p_stage * p_ecog * w_age)
    return np.concatenate(values), np.concatenate(weights)


def _draw_expression(e, n_genes, n_signature, noise, rng):
    n = e.size
    names = [f"gene_{j + 1:03d}" for j in range(n_genes)]
    signature = np.sort(rng.choice(n_genes, n_signature, replace=False))
    loading = np.zeros(n_genes)
    loading[signature] = rng.uniform(0.6, 1.0, n_signature) * rng.choice([-1, 1], n_signature)
    programmes = rng.standard_normal((n, _N_EXPRESSION_NUISANCE))
    programme_loadings = rng.normal(0, 0.5, (_N_EXPRESSION_NUISANCE, n_genes))
    baseline = rng.uniform(4, 10, n_genes)  # mean log2 expression
    values = (baseline + e[:, None] * loading + programmes @ programme_loadings
              + noise * rng.standard_normal((n, n_genes)))
    table = pd.DataFrame({"column": [names[j] for j in signature], "modality": "expression",
                          "loading": loading[signature]})
    return pd.DataFrame(values, columns=names), table


def _draw_imaging(i, n_image, noise, rng):
    n = i.size
    names = [f"img_{j + 1:02d}" for j in range(n_image)]
    informative = np.sort(rng.choice(n_image, n_image // 2, replace=False))
    loading = np.zeros(n_image)
    loading[informative] = rng.uniform(0.6, 1.0, informative.size) * rng.choice([-1, 1], informative.size)
    acquisition = rng.standard_normal(n)  # scanner settings: shared by every feature, no risk
    acquisition_loading = rng.uniform(0.3, 0.7, n_image)
    values = (i[:, None] * loading + acquisition[:, None] * acquisition_loading
              + noise * rng.standard_normal((n, n_image)))
    table = pd.DataFrame({"column": [names[j] for j in informative], "modality": "imaging",
                          "loading": loading[informative]})
    return pd.DataFrame(values, columns=names), table


def _terms(coef: dict, shared: float) -> pd.DataFrame:
    """The terms with their population variances (unit-variance scores, correlation ``shared``;
    var(e * i) = 1 + shared^2 for a bivariate normal pair)."""
    variance = {"clinical": coef["clinical"] ** 2, "expression": coef["expression"] ** 2,
                "imaging": coef["imaging"] ** 2,
                "expression x imaging": coef["expression x imaging"] ** 2 * (1 + shared**2)}
    total = sum(variance.values())
    modality = {"clinical": "clinical", "expression": "expression", "imaging": "imaging",
                "expression x imaging": "expression + imaging"}
    return pd.DataFrame([{"term": t, "modality": modality[t], "coefficient": coef[t], "variance": v,
                          "share": v / total if total else 0.0} for t, v in variance.items()])


def _auc(y: np.ndarray, score: np.ndarray) -> float:
    from scipy.stats import rankdata

    n_pos = int(y.sum())
    n_neg = y.size - n_pos
    ranks = rankdata(score)
    return float((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))

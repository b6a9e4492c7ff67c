"""Simulated gene expression with latent subtypes and batch effects."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from biomedkit._checks import check_float, check_int, check_random_state
from biomedkit.simulate._common import as_dataset


@dataclass(repr=False)
class ExpressionTruth:
    """What generated a simulated expression matrix.

    Attributes
    ----------
    baseline : Series
        Per gene: the mean log-expression of a sample without subtype or batch effects.
    sigma : Series
        Per gene: the standard deviation of the noise before batch scaling.
    subtype : ndarray of int
        The hidden subtype of each sample (0 .. n_subtypes - 1).
    de_genes : dict
        For each subtype, the genes that it over- or under-expresses.
    subtype_effects : DataFrame
        Subtypes x genes: the shift in mean log-expression of each subtype.
    additive : DataFrame
        Batches x genes: the additive batch effect (gamma in ComBat's notation).
    multiplicative : DataFrame
        Batches x genes: the factor that scales the noise (delta; 1 = none).
    clean : DataFrame
        Samples x genes: the expression without any batch effect.
    outcome_risk : ndarray
        The probability of outcome = 1 for each subtype.
    """

    baseline: pd.Series
    sigma: pd.Series
    subtype: np.ndarray
    de_genes: dict
    subtype_effects: pd.DataFrame
    additive: pd.DataFrame
    multiplicative: pd.DataFrame
    clean: pd.DataFrame
    outcome_risk: np.ndarray

    def __repr__(self) -> str:
        n_de = sum(len(v) for v in self.de_genes.values())
        return (f"<ExpressionTruth: {len(self.subtype)} samples in {len(self.de_genes)} subtypes "
                f"(sizes {np.bincount(self.subtype).tolist()}), {n_de} subtype genes, "
                f"{len(self.additive)} batches>")


def expression(
    n_samples: int = 200,
    n_genes: int = 1000,
    *,
    n_subtypes: int = 3,
    de_fraction: float = 0.05,
    de_effect: float = 1.5,
    n_batches: int = 2,
    batch_additive: float = 0.5,
    batch_multiplicative: float = 0.3,
    confounding: float = 0.0,
    random_state: int | np.random.Generator | None = None,
):
    """Simulate log-expression (samples x genes) with subtypes and batch effects.

    The model is the location-scale model behind ComBat (Johnson et al. 2007)::

        y[j, g] = alpha[g] + subtype_effect[s_j, g] + gamma[b_j, g] + delta[b_j, g] * sigma[g] * e[j, g]

    with ``e`` standard normal, ``s_j`` the hidden subtype and ``b_j`` the batch of
    sample ``j``. A binary ``outcome`` depends on the subtype only. With
    ``confounding > 0`` the batch also depends on the outcome, as when cases and
    controls are processed in different labs.

    Parameters
    ----------
    n_samples, n_genes : int, default=200, 1000
    n_subtypes : int, default=3
        Number of hidden subtypes, of equal expected size (1 means none).
    de_fraction : float, default=0.05
        Share of genes that each subtype over- or under-expresses.
    de_effect : float, default=1.5
        Size of those shifts in log2 units.
    n_batches : int, default=2
        Number of batches (labs, runs). 1 means no batch effect.
    batch_additive : float, default=0.5
        Standard deviation of the per-gene additive batch shifts.
    batch_multiplicative : float, default=0.3
        Standard deviation of the log of the per-gene noise scale factors.
    confounding : float, default=0.0
        In [0, 1]: the share of samples whose batch is set by their outcome
        (outcome 0 in the first batch, outcome 1 in the last) instead of at random.
    random_state : int, Generator or None

    Returns
    -------
    data : Dataset
        ``data.frame``: one column per gene (``g0001`` ...), then ``batch`` and
        ``outcome``; indexed by ``sample_id``. The subtype is hidden (``truth.subtype``).
    truth : ExpressionTruth

    Examples
    --------
    >>> data, truth = bk.simulate.expression(n_batches=3, random_state=0)
    >>> genes = data.frame.filter(like="g")                            # doctest: +SKIP
    """
    n_samples = check_int(n_samples, "n_samples", 4)
    n_genes = check_int(n_genes, "n_genes", 2)
    n_subtypes = check_int(n_subtypes, "n_subtypes", 1)
    de_fraction = check_float(de_fraction, "de_fraction", 0, 1)
    de_effect = check_float(de_effect, "de_effect", 0, 20)
    n_batches = check_int(n_batches, "n_batches", 1)
    batch_additive = check_float(batch_additive, "batch_additive", 0, 20)
    batch_multiplicative = check_float(batch_multiplicative, "batch_multiplicative", 0, 5)
    confounding = check_float(confounding, "confounding", 0, 1)
    if n_subtypes > n_samples:
        raise ValueError(f"n_subtypes ({n_subtypes}) cannot exceed n_samples ({n_samples})")
    rng = check_random_state(random_state)
    genes = [f"g{i + 1:0{max(4, len(str(n_genes)))}d}" for i in range(n_genes)]

    # One generator, in a fixed order: labels, subtype signatures, gene parameters, batch
    # effects, noise.
    subtype, outcome_risk, outcome, batch = _draw_labels(n_samples, n_subtypes, n_batches,
                                                         confounding, rng)
    effects, de_genes = _subtype_signatures(genes, n_subtypes, de_fraction, de_effect, rng)
    alpha = rng.normal(7.0, 1.5, n_genes)                 # baseline log2 expression
    sigma = np.exp(rng.normal(np.log(0.6), 0.25, n_genes))  # gene-level noise
    gamma, delta = _batch_effects(n_batches, n_genes, batch_additive, batch_multiplicative, rng)
    noise = rng.standard_normal((n_samples, n_genes)) * sigma
    clean = alpha + effects[subtype] + noise
    observed = alpha + effects[subtype] + gamma[batch] + delta[batch] * noise

    index = pd.Index([f"S{j + 1:04d}" for j in range(n_samples)], name="sample_id")
    batch_names = [f"batch_{b + 1}" for b in range(n_batches)]
    frame = pd.DataFrame(observed.round(4), index=index, columns=genes)
    frame["batch"] = pd.Categorical(np.asarray(batch_names)[batch], categories=batch_names)
    frame["outcome"] = outcome

    truth = ExpressionTruth(
        baseline=pd.Series(alpha, index=genes), sigma=pd.Series(sigma, index=genes),
        subtype=subtype, de_genes=de_genes,
        subtype_effects=pd.DataFrame(effects, columns=genes),
        additive=pd.DataFrame(gamma, index=batch_names[: len(gamma)], columns=genes),
        multiplicative=pd.DataFrame(delta, index=batch_names[: len(delta)], columns=genes),
        clean=pd.DataFrame(clean, index=index, columns=genes), outcome_risk=outcome_risk,
    )
    return as_dataset(frame, truth, name="expression", target="outcome", sites="batch"), truth


def _draw_labels(n_samples: int, n_subtypes: int, n_batches: int, confounding: float,
                 rng: np.random.Generator):
    """Each sample's hidden subtype, its outcome (whose risk depends on the subtype only),
    and its batch (set by the outcome for a share ``confounding`` of the samples)."""
    subtype = rng.integers(0, n_subtypes, n_samples)
    outcome_risk = np.linspace(0.2, 0.8, n_subtypes) if n_subtypes > 1 else np.array([0.5])
    outcome = (rng.random(n_samples) < outcome_risk[subtype]).astype(int)
    batch = rng.integers(0, n_batches, n_samples)
    if n_batches > 1 and confounding > 0:
        by_outcome = rng.random(n_samples) < confounding
        batch[by_outcome] = np.where(outcome[by_outcome] == 1, n_batches - 1, 0)
    return subtype, outcome_risk, outcome, batch


def _subtype_signatures(genes: list[str], n_subtypes: int, de_fraction: float, de_effect: float,
                        rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """Subtypes x genes shifts: each subtype shifts its own random set of genes up or down."""
    n_genes = len(genes)
    effects = np.zeros((n_subtypes, n_genes))
    n_de = int(round(de_fraction * n_genes)) if n_subtypes > 1 else 0
    de_genes = {}
    for s in range(n_subtypes):
        chosen = np.sort(rng.choice(n_genes, size=n_de, replace=False))
        effects[s, chosen] = de_effect * rng.choice([-1.0, 1.0], size=n_de)
        de_genes[s] = [genes[i] for i in chosen]
    return effects, de_genes


def _batch_effects(n_batches: int, n_genes: int, additive: float, multiplicative: float,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Batches x genes: the additive shifts (gamma) and the noise scale factors (delta), each
    drawn around a batch-wide mean; none with one batch."""
    if n_batches == 1:
        return np.zeros((1, n_genes)), np.ones((1, n_genes))
    gamma = rng.normal(rng.normal(0, additive, (n_batches, 1)), additive / 2, (n_batches, n_genes))
    delta = np.exp(rng.normal(rng.normal(0, multiplicative, (n_batches, 1)), multiplicative / 2,
                              (n_batches, n_genes)))
    return gamma, delta

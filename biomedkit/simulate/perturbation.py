"""Simulated gene knock-down screens on a known gene-regulatory network.

A sparse, signed network without feedback loops links ``n_genes`` genes; the first
``n_perturbed`` of them are regulators (transcription factors, say), the ones a screen knocks
down. Each gene's level is the steady state of

    saturating:  x[i] = p[i] * sigmoid(b[i] + sum_j W[i, j] * x[j])
    linear:      x[i] = p[i] * (1/2 + b[i] / 4 + sum_j W[i, j] / 4 * x[j])

where ``p[i]`` is 1, or ``1 - knockdown`` for a knocked-down gene. The linear model is the
saturating one's tangent at half saturation. An experiment knocks down one gene or two and
records the change of every gene from the unperturbed state, with noise.

Interactions (a double response minus the sum of its two single responses) have two sources
here. In both models, a **cascade**: when ``a`` regulates ``b`` (directly or through other
genes), knocking ``b`` down also removes the route by which ``a`` acted, so the double is not
the sum. In the saturating model only, **saturation**: two regulators that share a target
push the same sigmoid, whose slope changes as they push. Two genes with no directed path
between them therefore never interact in the linear model, and in the saturating model they
interact only through targets they share.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
from scipy.special import expit

from biomedkit._checks import check_float, check_int, check_random_state
from biomedkit.simulate._common import as_dataset

__all__ = ["PerturbationTruth", "perturbations"]

MODELS = ("saturating", "linear")
# The shape of the network: regulators regulate each other with this probability (j -> i for
# j < i, so there is no loop), and each target gene has 1 to 3 regulators.
P_REGULATOR_EDGE = 0.2
WEIGHT_RANGE = (1.0, 3.0)  # |W[i, j]| for the saturating model; 60 % of edges activate
P_ACTIVATING = 0.6


@dataclass(repr=False)
class PerturbationTruth:
    """What generated a simulated knock-down screen.

    Attributes
    ----------
    network : DataFrame
        Genes x genes: ``network.loc[i, j]`` is the weight with which gene ``j`` regulates
        gene ``i`` (positive: activates; 0: no edge). Lower-triangular: no feedback loops.
    perturbed : list of str
        The genes that single and double experiments knock down (the regulators).
    baseline : Series
        Each gene's level in unperturbed cells (noise-free).
    singles : DataFrame
        Perturbed genes x genes: the noise-free change of every gene when one gene is
        knocked down.
    doubles : DataFrame
        Every pair of perturbed genes (index ``"A+B"``) x genes: the noise-free change when
        both are knocked down, for all pairs, measured or not.
    interactions : DataFrame
        ``doubles`` minus the sum of the two singles: what an additive prediction misses.
    pairs : DataFrame
        One row per pair (index ``"A+B"``): ``gene_a``, ``gene_b``, ``path`` (``"a->b"``,
        ``"b->a"`` or ``"none"``: a directed path between them), ``shared_targets`` (genes
        both reach) and ``interaction`` (the root mean square of the pair's interaction
        profile).
    model : str
        ``"saturating"`` or ``"linear"``.
    knockdown : float
        The share of production a knock-down removes.
    noise : float
        Standard deviation of the measurement noise added to each gene of each profile.
    """

    network: pd.DataFrame
    perturbed: list
    baseline: pd.Series
    singles: pd.DataFrame
    doubles: pd.DataFrame
    interactions: pd.DataFrame
    pairs: pd.DataFrame
    model: str
    knockdown: float
    noise: float
    _bias: np.ndarray = None  # type: ignore[assignment]

    def response(self, genes) -> pd.Series:
        """The noise-free change of every gene when ``genes`` (one name or several) are knocked down.

        Examples
        --------
        >>> import biomedkit as bk
        >>> data, truth = bk.simulate.perturbations(random_state=0)
        >>> triple = truth.response(["G01", "G02", "G03"])     # a triple, never measured
        >>> triple.name, triple.shape
        ('G01+G02+G03', (60,))
        """
        names = [genes] if isinstance(genes, str) else list(genes)
        unknown = [g for g in names if g not in self.network.index]
        if unknown or not names:
            raise ValueError(f"genes must name genes of the network (e.g. {self.network.index[0]!r}); "
                             f"got unknown {unknown!r}" if unknown else "genes must name at least one gene")
        knocked = np.zeros((1, len(self.network)), bool)
        knocked[0, self.network.index.get_indexer(names)] = True
        level = _steady_state(self.network.to_numpy(), self._bias, knocked, self.knockdown, self.model)
        return pd.Series(level[0] - self.baseline.to_numpy(), index=self.network.index, name="+".join(names))

    def has_path(self, source: str, target: str) -> bool:
        """True when a chain of edges leads from gene ``source`` to gene ``target``."""
        reach = _reachable(self.network.to_numpy() != 0)
        index = self.network.index
        for name, value in (("source", source), ("target", target)):
            if value not in index:
                raise ValueError(f"{name} must name a gene of the network; got {value!r}")
        return bool(reach[index.get_loc(source), index.get_loc(target)])

    def __repr__(self) -> str:
        n_edges = int((self.network.to_numpy() != 0).sum())
        strong = int((self.pairs["interaction"] > 2 * self.noise).sum()) if self.noise > 0 else None
        extra = "" if strong is None else f"; {strong} pairs interact by more than twice the noise"
        return (f"<PerturbationTruth: {self.model} network of {len(self.network)} genes and {n_edges} "
                f"edges, {len(self.perturbed)} perturbed genes, {len(self.pairs)} pairs{extra}>")


def perturbations(
    n_genes: int = 60,
    *,
    n_perturbed: int = 20,
    n_doubles: int | None = None,
    knockdown: float = 0.8,
    noise: float = 0.01,
    model: str = "saturating",
    random_state: int | np.random.Generator | None = None,
):
    """Simulate a knock-down screen (single and double perturbations) on a known network.

    Genes ``G01`` .. ``G{n_perturbed}`` are regulators; the rest are their targets. Each
    regulator regulates each later regulator with probability 0.2, and each target has 1
    to 3 regulators, so the network is a sparse graph without loops (its weights are in
    ``truth.network``). Every regulator is knocked down alone (a *single*), and pairs of
    regulators together (*doubles*): all pairs, or a random ``n_doubles`` of them. Each
    experiment records the change of all genes from unperturbed cells, plus Gaussian noise.

    Parameters
    ----------
    n_genes : int, default=60
        Number of genes (at least 4).
    n_perturbed : int, default=20
        Number of regulators that are knocked down (2 to ``n_genes - 1``).
    n_doubles : int or None, default=None
        Number of double perturbations measured, drawn at random from all pairs; None
        measures every pair. The truth holds every pair either way.
    knockdown : float, default=0.8
        Share of a gene's production that a knock-down removes, in (0, 1] (1: a knock-out).
    noise : float, default=0.01
        Standard deviation of the measurement noise of each gene in each profile, and of the
        measured control levels, in [0, 1].
    model : {"saturating", "linear"}, default="saturating"
        How a gene responds to its regulators (see the module's docstring). In the linear
        model only cascades create interactions.
    random_state : int, Generator or None
        Seeds the network and the noise.

    Returns
    -------
    data : Dataset
        ``data.frame``: one row per experiment (index ``experiment_id``) with
        ``perturbation`` (``"G03"`` or ``"G03+G07"``), ``kind`` (single or double),
        ``gene_a``, ``gene_b`` (empty for singles) and one column per gene: the measured
        change. No target column: the whole profile is the outcome. ``data.control``: the
        measured level of every gene in unperturbed cells (a Series).
    truth : PerturbationTruth
        The network, the noise-free responses of all singles and pairs, and the
        interactions.

    Examples
    --------
    >>> import biomedkit as bk
    >>> data, truth = bk.simulate.perturbations(n_genes=30, n_perturbed=8, random_state=0)
    >>> data.frame["kind"].value_counts().to_dict()
    {'double': 28, 'single': 8}
    >>> truth.interactions.shape
    (28, 30)
    """
    n_genes = check_int(n_genes, "n_genes", 4)
    n_perturbed = check_int(n_perturbed, "n_perturbed", 2)
    if n_perturbed >= n_genes:
        raise ValueError(f"n_perturbed must be smaller than n_genes ({n_genes}), so that some genes are "
                         f"targets only; got {n_perturbed}")
    n_pairs = n_perturbed * (n_perturbed - 1) // 2
    if n_doubles is not None:
        n_doubles = check_int(n_doubles, "n_doubles", 0)
        if n_doubles > n_pairs:
            raise ValueError(f"n_doubles must be at most the number of pairs of perturbed genes "
                             f"({n_pairs}), or None for all of them; got {n_doubles}")
    knockdown = check_float(knockdown, "knockdown", 0, 1, open_low=True)
    noise = check_float(noise, "noise", 0, 1)
    if not isinstance(model, str):
        raise TypeError(f"model must be one of {MODELS} (a string); got {type(model).__name__}")
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}; got {model!r}")
    rng = check_random_state(random_state)
    net_rng, noise_rng = (np.random.default_rng(s) for s in rng.integers(0, 2**63 - 1, size=2))

    width = len(str(n_genes))
    genes = [f"G{i:0{width}d}" for i in range(1, n_genes + 1)]
    weights, bias = _network(n_genes, n_perturbed, net_rng)
    if model == "linear":  # the tangent of the sigmoid at 0 has slope 1/4 and value 1/2
        weights, bias = weights / 4, 0.5 + bias / 4

    # every condition at once: control, each single, each pair
    pair_idx = list(combinations(range(n_perturbed), 2))
    knocked = np.zeros((1 + n_perturbed + n_pairs, n_genes), bool)
    knocked[np.arange(1, n_perturbed + 1), np.arange(n_perturbed)] = True
    for row, (a, b) in enumerate(pair_idx, start=1 + n_perturbed):
        knocked[row, [a, b]] = True
    levels = _steady_state(weights, bias, knocked, knockdown, model)
    change = levels[1:] - levels[0]
    singles, doubles = change[:n_perturbed], change[n_perturbed:]
    a_idx = np.array([a for a, _ in pair_idx], int)
    b_idx = np.array([b for _, b in pair_idx], int)
    interactions = doubles - singles[a_idx] - singles[b_idx]

    perturbed = genes[:n_perturbed]
    labels = [f"{genes[a]}+{genes[b]}" for a, b in pair_idx]
    reach = _reachable(weights != 0)
    reached = reach | np.eye(n_genes, dtype=bool)  # a gene reaches itself and what it regulates
    pairs = pd.DataFrame({
        "gene_a": [genes[a] for a in a_idx], "gene_b": [genes[b] for b in b_idx],
        "path": np.where(reach[a_idx, b_idx], "a->b", np.where(reach[b_idx, a_idx], "b->a", "none")),
        "shared_targets": (reached[a_idx] & reached[b_idx]).sum(axis=1),
        "interaction": np.sqrt((interactions ** 2).mean(axis=1)),
    }, index=pd.Index(labels, name="pair"))
    truth = PerturbationTruth(
        network=pd.DataFrame(weights, index=genes, columns=genes),
        perturbed=perturbed,
        baseline=pd.Series(levels[0], index=genes, name="baseline"),
        singles=pd.DataFrame(singles, index=pd.Index(perturbed, name="perturbation"), columns=genes),
        doubles=pd.DataFrame(doubles, index=pd.Index(labels, name="pair"), columns=genes),
        interactions=pd.DataFrame(interactions, index=pd.Index(labels, name="pair"), columns=genes),
        pairs=pairs, model=model, knockdown=knockdown, noise=noise, _bias=bias)

    # the measured experiments: every single, then the doubles (all, or a random subset) in pair order
    chosen = np.arange(n_pairs) if n_doubles is None else np.sort(
        noise_rng.choice(n_pairs, size=n_doubles, replace=False))
    clean = np.vstack([singles, doubles[chosen]])
    measured = clean + noise_rng.normal(0.0, noise, clean.shape)
    control = levels[0] + noise_rng.normal(0.0, noise, n_genes)
    frame = pd.DataFrame(measured, columns=genes)
    frame.insert(0, "perturbation", perturbed + [labels[i] for i in chosen])
    frame.insert(1, "kind", pd.Categorical(["single"] * n_perturbed + ["double"] * len(chosen),
                                           categories=["single", "double"]))
    frame.insert(2, "gene_a", perturbed + [genes[a_idx[i]] for i in chosen])
    frame.insert(3, "gene_b", [""] * n_perturbed + [genes[b_idx[i]] for i in chosen])
    frame.index = pd.RangeIndex(len(frame), name="experiment_id")
    data = as_dataset(frame, truth, name="perturbations", target=None, sites="")
    data.extras["control"] = pd.Series(control, index=genes, name="control")
    return data, truth


def _network(n_genes, n_perturbed, rng):
    """Signed weights (lower-triangular: j regulates i only for j < i) and each gene's bias."""
    weights = np.zeros((n_genes, n_genes))
    low, high = WEIGHT_RANGE
    # regulators regulate later regulators: cascades
    below = np.tril(rng.random((n_perturbed, n_perturbed)) < P_REGULATOR_EDGE, k=-1)
    weights[:n_perturbed, :n_perturbed] = below
    # each target has 1 to 3 regulators
    for i in range(n_perturbed, n_genes):
        k = min(1 + rng.binomial(2, 0.5), n_perturbed)
        weights[i, rng.choice(n_perturbed, size=k, replace=False)] = 1.0
    edges = weights != 0
    sign = np.where(rng.random(edges.shape) < P_ACTIVATING, 1.0, -1.0)
    weights = edges * sign * rng.uniform(low, high, edges.shape)
    # biases that put each gene's input near the steep middle of its sigmoid, with spread
    bias = rng.uniform(-1.5, 1.5, n_genes) - weights.sum(axis=1) / 2
    return weights, bias


def _steady_state(weights, bias, knocked, knockdown, model):
    """Levels of every gene (conditions x genes), solved gene by gene in the network's order."""
    production = np.where(knocked, 1.0 - knockdown, 1.0)
    levels = np.zeros(knocked.shape)
    for i in range(weights.shape[0]):  # lower-triangular: gene i depends on genes j < i only
        drive = bias[i] + levels[:, :i] @ weights[i, :i]
        levels[:, i] = production[:, i] * (expit(drive) if model == "saturating" else drive)
    return levels


def _reachable(edges):
    """reach[j, i]: a directed path leads from gene j to gene i (``edges[i, j]``: j regulates i)."""
    n = edges.shape[0]
    step = edges.T.astype(np.int64)  # step[j, i]: j -> i
    reach = step.copy()
    for _ in range(n):  # repeated squaring would do; n is small
        nxt = np.minimum(reach + reach @ step, 1)
        if np.array_equal(nxt, reach):
            break
        reach = nxt
    return reach.astype(bool)

"""Predicting combinations of perturbations, and choosing the next experiments.

A screen knocks genes down one at a time (*singles*) and in pairs (*doubles*), and records how
every gene's expression changes. The simplest prediction of a double is **additive**: the sum
of its two single responses. What it misses, the double minus the sum, is the pair's
**genetic interaction**. This module gives the pieces a lesson needs around that baseline:

- :func:`additive_prediction` and :func:`pair_features`, the baseline and per-gene features
  of a pair from the singles, for a model that learns interactions;
- :func:`interaction_scores`, the error of predictions on the interaction part only,
  compared with the additive baseline pair by pair;
- :func:`active_learning_curve`, a closed loop that chooses the next experiments by a
  model's uncertainty or at random, repeated, and the experiments saved.

Profiles are pandas DataFrames: singles indexed by the knocked-down gene, pairs by the label
``"A+B"``, one column per measured gene.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from biomedkit._checks import check_int, check_level, check_random_state

__all__ = ["ActiveLearningResult", "InteractionScoresResult", "active_learning_curve", "additive_prediction",
           "interaction_scores", "pair_features"]

STRATEGIES = ("uncertainty", "random")


# --- the additive baseline and pair features ---------------------------------------------------

def _check_profiles(singles, name: str = "singles") -> pd.DataFrame:
    if not isinstance(singles, pd.DataFrame):
        raise TypeError(f"{name} must be a DataFrame (perturbed genes x measured genes, indexed by the "
                        f"knocked-down gene); got {type(singles).__name__}")
    values = singles.to_numpy()
    if values.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold numbers only (select the gene columns); got dtypes "
                        f"{sorted(set(map(str, singles.dtypes)))}")
    if not np.isfinite(values).all():
        raise ValueError(f"{name} contains NaN or infinite values; every profile must be complete")
    if not singles.index.is_unique:
        raise ValueError(f"{name} has repeated perturbations in its index; average replicates first "
                         f"({name}.groupby(level=0).mean())")
    return singles.astype(float)


def _check_pairs(pairs, singles: pd.DataFrame) -> list[tuple[str, str]]:
    if isinstance(pairs, (str, bytes)) or not hasattr(pairs, "__iter__"):
        raise TypeError("pairs must be a sequence of (gene_a, gene_b) pairs, "
                        f"e.g. list(zip(doubles.gene_a, doubles.gene_b)); got {type(pairs).__name__}")
    out = []
    for pair in pairs:
        if isinstance(pair, str) or not hasattr(pair, "__len__") or len(pair) != 2:
            raise ValueError(f"pairs must hold pairs of two gene names, e.g. ('G01', 'G02'); got {pair!r}")
        a, b = pair
        missing = [g for g in (a, b) if g not in singles.index]
        if missing:
            raise ValueError(f"pairs name genes without a single profile in singles: {missing}. "
                             "The additive prediction needs both singles.")
        if a == b:
            raise ValueError(f"pairs must combine two different genes; got {pair!r}")
        out.append((a, b))
    if not out:
        raise ValueError("pairs is empty; pass at least one pair")
    return out


def _labels(pairs) -> pd.Index:
    return pd.Index([f"{a}+{b}" for a, b in pairs], name="pair")


def additive_prediction(singles, pairs) -> pd.DataFrame:
    """The additive prediction of double perturbations: the sum of the two single responses.

    Parameters
    ----------
    singles : DataFrame
        Single-perturbation profiles: one row per knocked-down gene (the index), one column
        per measured gene.
    pairs : sequence of (str, str)
        The pairs to predict, as gene names of ``singles.index``.

    Returns
    -------
    DataFrame
        One row per pair (index ``"A+B"``), the columns of ``singles``.

    Examples
    --------
    >>> import pandas as pd
    >>> import biomedkit as bk
    >>> singles = pd.DataFrame([[1.0, 0.5], [0.25, -1.0]], index=["A", "B"], columns=["g1", "g2"])
    >>> bk.perturbation.additive_prediction(singles, [("A", "B")]).loc["A+B"].tolist()
    [1.25, -0.5]
    """
    singles = _check_profiles(singles)
    pairs = _check_pairs(pairs, singles)
    a, b = zip(*pairs)
    values = singles.loc[list(a)].to_numpy() + singles.loc[list(b)].to_numpy()
    return pd.DataFrame(values, index=_labels(pairs), columns=singles.columns)


FEATURES = ("additive", "product", "cascade", "largest", "control", "knocked")


def pair_features(singles, pairs, *, control=None) -> pd.DataFrame:
    """Features of each (pair, measured gene) from the single profiles, for learning interactions.

    For pair (a, b) and measured gene i, with ``sa`` and ``sb`` the single profiles:

    - ``additive``: ``sa[i] + sb[i]``, the additive prediction;
    - ``product``: ``sa[i] * sb[i]``: both singles move gene i. A gene pushed by two
      perturbations at once can saturate (or be pushed past a threshold), so the second push
      does less (or more) than alone;
    - ``cascade``: ``-(sa[b] / sb[b]) * sb[i] - (sb[a] / sa[a]) * sa[i]``. ``sa[b] / sb[b]``
      is the share of b's own knock-down that knocking down a already achieves (a regulates
      b): in the double, b's knock-down then adds less, so b's effects are partly counted twice
      by the sum. 0 when neither gene moves the other;
    - ``largest``: the larger of ``|sa[i]|`` and ``|sb[i]|``;
    - ``control``: the level of gene i in unperturbed cells (where on its response curve it
      sits), if ``control`` is given;
    - ``knocked``: 1 when gene i is a or b itself, else 0.

    All are symmetric in a and b. They use nothing but the singles (and the control levels):
    no network, so they exist for any screen.

    Parameters
    ----------
    singles : DataFrame
        Single profiles: knocked-down gene (index) x measured genes. A pair's genes must be
        among the measured genes for ``cascade`` and ``knocked``; otherwise those are 0.
    pairs : sequence of (str, str)
        The pairs.
    control : Series or None, default=None
        Each measured gene's level in unperturbed cells (index: the columns of ``singles``).

    Returns
    -------
    DataFrame
        One row per (pair, measured gene), with a MultiIndex ``(pair, gene)`` in the order of
        ``DataFrame.stack()`` on a pairs x genes frame: pair by pair, genes in column order.

    Examples
    --------
    >>> import pandas as pd
    >>> import biomedkit as bk
    >>> singles = pd.DataFrame([[-0.8, -0.4, 0.2], [0.0, -0.8, 0.3]],
    ...                        index=["A", "B"], columns=["A", "B", "g"])
    >>> features = bk.perturbation.pair_features(singles, [("A", "B")])
    >>> round(float(features.loc[("A+B", "g"), "cascade"]), 6)    # A does half of B's knock-down
    -0.15
    """
    singles = _check_profiles(singles)
    pairs = _check_pairs(pairs, singles)
    columns = singles.columns
    if control is not None:
        if not isinstance(control, pd.Series):
            raise TypeError(f"control must be a Series of levels indexed by gene; got {type(control).__name__}")
        missing = columns.difference(control.index)
        if len(missing):
            raise ValueError(f"control lacks the levels of {len(missing)} measured genes "
                             f"(e.g. {list(missing[:3])}); it needs one per column of singles")
        control_values = pd.to_numeric(control.loc[columns]).to_numpy(float)
        if not np.isfinite(control_values).all():
            raise ValueError("control contains NaN or infinite values")
    values = singles.to_numpy()
    row = {g: k for k, g in enumerate(singles.index)}
    col = {g: k for k, g in enumerate(columns)}
    blocks = []
    for a, b in pairs:
        sa, sb = values[row[a]], values[row[b]]
        cascade = np.zeros(len(columns))
        for x, y, sx, sy in ((a, b, sa, sb), (b, a, sb, sa)):  # x acts on y, then y's knock-down
            if y in col and x in col and abs(sy[col[y]]) > 1e-12:
                cascade -= sx[col[y]] / sy[col[y]] * sy
        block = {"additive": sa + sb, "product": sa * sb, "cascade": cascade,
                 "largest": np.maximum(np.abs(sa), np.abs(sb))}
        if control is not None:
            block["control"] = control_values
        block["knocked"] = columns.isin([a, b]).astype(float)
        blocks.append(block)
    names = [f for f in FEATURES if f != "control" or control is not None]
    data = {f: np.concatenate([blk[f] for blk in blocks]) for f in names}
    index = pd.MultiIndex.from_product([_labels(pairs), columns], names=["pair", "gene"])
    return pd.DataFrame(data, index=index)


# --- the error on the interaction part --------------------------------------------------------

@dataclass(repr=False)
class InteractionScoresResult:
    """Errors of interaction predictions, each compared with the additive baseline pair by pair.

    Attributes
    ----------
    per_pair : DataFrame
        Pairs x methods: the root mean squared error of each pair's predicted interaction over
        the measured genes (the additive baseline predicts no interaction).
    table : DataFrame
        What :meth:`to_frame` returns.
    level : float
        Level of the intervals.
    """

    per_pair: pd.DataFrame
    table: pd.DataFrame
    level: float

    def to_frame(self) -> pd.DataFrame:
        """One row per method: RMSE, share of the interaction explained with its interval.

        ``rmse``: root mean squared error of the interaction over all pairs and genes.
        ``explained``: 1 minus the method's summed squared error over the additive
        baseline's: the share of the interactions' sum of squares it recovers (0 for the
        baseline, negative for a method worse than it). ``low``, ``high``: a paired
        percentile bootstrap interval of ``explained`` over pairs (the same resampled pairs
        for the method and the baseline); above 0 means better than additive. ``better``:
        the pairs whose error the method lowers.

        Pairs that share a gene are not independent, so the interval is somewhat too narrow;
        repeat on other simulated networks or data splits before a firm claim.
        """
        return self.table.copy()

    def __repr__(self) -> str:
        lines = [f"<InteractionScoresResult: {len(self.per_pair)} pairs, {len(self.table)} methods; "
                 f"share of the interaction explained ({self.level:.0%} paired bootstrap interval)"]
        for method, r in self.table.iterrows():
            lines.append(f"  {method}: RMSE {r['rmse']:.4f}, explained {r['explained']:.1%} "
                         f"({r['low']:.1%} to {r['high']:.1%}), better on {int(r['better'])} of {int(r['pairs'])}")
        return "\n".join(lines) + ">"


def interaction_scores(true, predictions, *, level: float = 0.95, n_boot: int = 2000,
                       random_state=None) -> InteractionScoresResult:
    """Score predicted interactions against the true (or observed) ones, pair by pair.

    The interaction of a pair is its double response minus the sum of its two singles. A
    method that predicts the double well only because the singles are large is not
    rewarded: the additive part cancels, and only the interaction is scored. The additive
    baseline predicts no interaction; it is added as the first method, ``"additive"``.

    Parameters
    ----------
    true : DataFrame
        Pairs x genes: the interactions to predict (``truth.interactions`` in a simulation,
        or observed doubles minus the additive prediction).
    predictions : dict of str to DataFrame
        For each method, its predicted interactions with the index and columns of ``true``
        (a predicted double minus the additive prediction).
    level : float, default=0.95
        Level of the intervals.
    n_boot : int, default=2000
        Bootstrap resamples of the pairs for the interval of the share explained.
    random_state : int, Generator or None
        Seeds the bootstrap.

    Returns
    -------
    InteractionScoresResult
        ``to_frame()``: per method, the RMSE and the share of the interaction explained
        with its paired bootstrap interval; ``per_pair``: each pair's RMSE.

    Examples
    --------
    >>> res = bk.perturbation.interaction_scores(truth.interactions.loc[test],
    ...                                          {"ridge": predicted})       # doctest: +SKIP
    >>> res.to_frame()                                                       # doctest: +SKIP
    """
    true = _check_profiles(true, "true")
    level = check_level(level)
    n_boot = check_int(n_boot, "n_boot", 1)
    rng = check_random_state(random_state)
    if not isinstance(predictions, dict) or not predictions:
        raise TypeError("predictions must be a non-empty dict of method name -> DataFrame of predicted "
                        "interactions")
    if "additive" in predictions:
        raise ValueError("predictions must not contain 'additive': the additive baseline (no "
                         "interaction) is added by interaction_scores itself")
    squared = {"additive": (true ** 2).mean(axis=1).to_numpy()}
    for name, pred in predictions.items():
        pred = _check_profiles(pred, f"predictions[{name!r}]")
        if not (pred.index.equals(true.index) and pred.columns.equals(true.columns)):
            raise ValueError(f"predictions[{name!r}] must have the index and columns of true "
                             "(align it with pred.loc[true.index, true.columns])")
        squared[str(name)] = ((pred - true) ** 2).mean(axis=1).to_numpy()
    base = squared["additive"]
    n = len(base)
    # the same resampled pairs for every method: chunks bound the memory of the index matrix
    draws = []
    for lo in range(0, n_boot, max(1, 2_000_000 // n)):
        draws.append(rng.integers(0, n, size=(min(n_boot - lo, max(1, 2_000_000 // n)), n)))
    rows = []
    for method, sq in squared.items():
        # every pair has the same number of genes: per-pair mean squares add up like sums of squares
        with np.errstate(invalid="ignore", divide="ignore"):
            boot = np.concatenate([1 - sq[d].sum(axis=1) / base[d].sum(axis=1) for d in draws])
        boot[~np.isfinite(boot)] = np.nan  # a resample without any interaction: undefined
        low, high = (np.nanquantile(boot, [0.5 - level / 2, 0.5 + level / 2])
                     if np.isfinite(boot).any() else (np.nan, np.nan))
        rows.append({"method": method, "rmse": float(np.sqrt(sq.mean())),
                     "explained": float(1 - sq.sum() / base.sum()) if base.sum() > 0 else np.nan,
                     "low": float(low), "high": float(high), "better": int((sq < base).sum()), "pairs": n})
    per_pair = pd.DataFrame({k: np.sqrt(v) for k, v in squared.items()}, index=true.index)
    return InteractionScoresResult(per_pair, pd.DataFrame(rows).set_index("method"), level)


# --- active learning ---------------------------------------------------------------------------

@dataclass(repr=False)
class ActiveLearningResult:
    """Learning curves of experiment-choosing strategies, repeated (from :func:`active_learning_curve`).

    Attributes
    ----------
    curves : DataFrame
        Long format: ``strategy``, ``repeat``, ``n_experiments`` (labelled so far) and
        ``error`` (the RMSE on the test rows of the model fitted on them).
    chosen : dict
        For each strategy, a list (one per repeat) of the experiments in the order they were
        labelled, the initial ones first.
    n_initial : int
        Experiments labelled before the loop (the same ones for every strategy in a repeat).
    level : float
        Level of the intervals.
    """

    curves: pd.DataFrame
    chosen: dict
    n_initial: int
    level: float

    @property
    def strategies(self) -> list[str]:
        return list(dict.fromkeys(self.curves["strategy"]))

    def to_frame(self) -> pd.DataFrame:
        """Mean error per strategy and number of experiments, with a t interval over repeats."""
        from scipy import stats

        g = self.curves.groupby(["strategy", "n_experiments"], sort=False)["error"]
        out = g.agg(mean="mean", sd="std", repeats="count").reset_index()
        half = stats.t.ppf(0.5 + self.level / 2, out["repeats"] - 1) * out["sd"] / np.sqrt(out["repeats"])
        out["low"], out["high"] = out["mean"] - half, out["mean"] + half
        return out

    def experiments_to_reach(self, error: float) -> pd.DataFrame:
        """Per repeat, the fewest experiments after which each strategy's error is at most ``error``.

        NaN where a strategy never reached it within the budget.
        """
        if isinstance(error, bool) or not isinstance(error, (int, float, np.number)) or not np.isfinite(error):
            raise TypeError(f"error must be a finite number (a target RMSE); got {error!r}")
        reached = self.curves[self.curves["error"] <= error]
        first = reached.groupby(["repeat", "strategy"])["n_experiments"].min().unstack("strategy")
        repeats = sorted(self.curves["repeat"].unique())
        return first.reindex(index=repeats, columns=self.strategies).rename_axis(columns=None)

    def savings(self, error: float, *, strategy: str = "uncertainty", reference: str = "random") -> pd.DataFrame:
        """Experiments ``strategy`` saves over ``reference`` to reach ``error``, paired by repeat.

        One row: the mean number saved (``reference`` minus ``strategy``) over the repeats in
        which both reached the target, its t interval, how many repeats ``strategy`` needed
        fewer, as many and more experiments in, and in how many repeats either never reached
        the target (those are left out of the mean: say so when there are any).
        """
        from scipy import stats

        for name, value in (("strategy", strategy), ("reference", reference)):
            if value not in self.strategies:
                raise ValueError(f"{name} must be one of {self.strategies}; got {value!r}")
        table = self.experiments_to_reach(error)
        both = table[[strategy, reference]].dropna()
        saved = both[reference] - both[strategy]
        n = len(saved)
        if n > 1 and saved.std(ddof=1) > 0:
            half = stats.t.ppf(0.5 + self.level / 2, n - 1) * saved.std(ddof=1) / np.sqrt(n)
        else:
            half = 0.0 if n > 1 else np.nan
        mean = float(saved.mean()) if n else np.nan
        return pd.DataFrame([{
            "target_error": float(error), "saved": mean, "low": mean - half, "high": mean + half,
            f"{strategy}_mean": float(both[strategy].mean()) if n else np.nan,
            f"{reference}_mean": float(both[reference].mean()) if n else np.nan,
            "fewer": int((saved > 0).sum()), "same": int((saved == 0).sum()), "more": int((saved < 0).sum()),
            "not_reached": int(len(table) - n)}])

    def plot(self, *, ax=None, target: float | None = None):
        """Mean error against experiments, with the interval band, one line per strategy."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        for strategy, part in self.to_frame().groupby("strategy", sort=False):
            ax.plot(part["n_experiments"], part["mean"], marker="o", ms=3, label=strategy)
            ax.fill_between(part["n_experiments"], part["low"], part["high"], alpha=0.2)
        if target is not None:
            ax.axhline(target, color="grey", ls="--", lw=1, label=f"target {target:.3g}")
        ax.set_xlabel("experiments labelled")
        ax.set_ylabel("test error (RMSE)")
        ax.legend()
        return ax

    def __repr__(self) -> str:
        last = self.to_frame().groupby("strategy", sort=False).tail(1)
        parts = [f"{r.strategy} {r['mean']:.4g} ({r.low:.4g} to {r.high:.4g})" for _, r in last.iterrows()]
        n_rep = self.curves["repeat"].nunique()
        return (f"<ActiveLearningResult: {n_rep} repeats, {self.n_initial} initial experiments; "
                f"final error {'; '.join(parts)} after {int(last['n_experiments'].max())} experiments>")


def _as_2d(X, name: str) -> np.ndarray:
    a = X.to_numpy() if hasattr(X, "to_numpy") else np.asarray(X)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2:
        raise ValueError(f"{name} must be two-dimensional (rows x features); got shape {a.shape}")
    if a.dtype.kind not in "iufb":
        raise TypeError(f"{name} must be numeric; got dtype {a.dtype}")
    a = a.astype(float)
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def _as_target(y, n: int, name: str) -> np.ndarray:
    a = y.to_numpy() if hasattr(y, "to_numpy") else np.asarray(y)
    if a.ndim not in (1, 2) or a.shape[0] != n:
        raise ValueError(f"{name} must have one value (or row of values) per row of its X ({n}); "
                         f"got shape {a.shape}")
    if a.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be numeric; got dtype {a.dtype}")
    a = a.astype(float)
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def _fit_predict(estimator, X, y, blocks, X_new, n_members, rng):
    """Mean prediction and per-row variance (mean over outputs) for each array in ``X_new``.

    ``blocks``: the row indices of each labelled experiment. With ``n_members``: a bagged
    ensemble, each member fitted on a bootstrap resample of the experiments (not of rows: the
    rows of one experiment share its noise); otherwise the estimator's own
    ``predict(X, return_std=True)``.
    """
    from sklearn.base import clone

    members = []
    if n_members is None:
        rows = np.concatenate(blocks)
        members.append(clone(estimator).fit(X[rows], y[rows]))
    else:
        with_seed = "random_state" in estimator.get_params()
        for _ in range(n_members):
            pick = rng.integers(0, len(blocks), len(blocks))
            rows = np.concatenate([blocks[k] for k in pick])
            member = clone(estimator)
            if with_seed:
                member.set_params(random_state=int(rng.integers(0, 2**31 - 1)))
            members.append(member.fit(X[rows], y[rows]))
    out = []
    for X_k in X_new:
        if not len(X_k):
            out.append((np.zeros((0,)), np.zeros(0)))
            continue
        if n_members is None:
            mean, std = members[0].predict(X_k, return_std=True)
            mean = np.asarray(mean, float).reshape(len(X_k), -1)
            var = (np.asarray(std, float).reshape(len(X_k), -1) ** 2).mean(axis=1)
        else:
            stack = np.stack([np.asarray(m.predict(X_k), float).reshape(len(X_k), -1) for m in members])
            mean, var = stack.mean(axis=0), stack.var(axis=0).mean(axis=1)
        out.append((mean, var))
    return out


def active_learning_curve(X, y, groups, X_test, y_test, *, estimator, strategies=STRATEGIES,
                          initial=10, batch_size: int = 5, budget: int | None = None,
                          n_members: int | None = 5, n_repeats: int = 10, level: float = 0.95,
                          random_state=None) -> ActiveLearningResult:
    """Learning curves of a closed loop that chooses which experiments to run next.

    A pool of candidate experiments waits to be run; running one reveals its outcome (the
    rows of ``y`` that belong to it). Starting from ``initial`` experiments, each round fits
    the model on the experiments run so far, scores it on a fixed test set, and runs
    ``batch_size`` more, chosen by the strategy:

    - ``"uncertainty"``: the candidates whose predictions the model is least sure of (the
      mean variance over the experiment's rows: of a bagged ensemble's members, or of the
      estimator's own predictive distribution);
    - ``"random"``: candidates drawn at random.

    Every strategy starts from the same initial experiments in a repeat, and predicts with the
    same model, so the curves differ only by the choice: a paired comparison.

    Parameters
    ----------
    X : array-like or DataFrame, shape (n_rows, n_features)
        Features of the candidates' rows.
    y : array-like, shape (n_rows,) or (n_rows, n_outputs)
        Their outcomes, revealed when an experiment is run.
    groups : array-like of length n_rows, or None
        The experiment each row belongs to (all rows of an experiment are revealed together,
        e.g. the genes of one double perturbation); None: every row is an experiment.
    X_test, y_test : array-like
        Held-out rows on which every round's model is scored (RMSE over rows and outputs).
    estimator : scikit-learn regressor
        Cloned and fitted anew in every round (and for every ensemble member).
    strategies : sequence of {"uncertainty", "random"}, default=("uncertainty", "random")
    initial : int or sequence, default=10
        How many experiments to start from (drawn at random in each repeat), or the labels
        of the experiments already run (the same in every repeat).
    batch_size : int, default=5
        Experiments run per round.
    budget : int or None, default=None
        Stop when this many experiments have been run (None: the whole pool).
    n_members : int or None, default=5
        Size of the bagged ensemble whose spread measures uncertainty (at least 2); None uses
        ``estimator.predict(X, return_std=True)`` (a Gaussian process, Bayesian ridge).
    n_repeats : int, default=10
        Repeats of the whole loop with other random draws.
    level : float, default=0.95
        Level of the intervals over repeats.
    random_state : int, Generator or None

    Returns
    -------
    ActiveLearningResult
        ``curves`` (long), ``to_frame()`` (mean and interval per strategy and size),
        ``experiments_to_reach(error)``, ``savings(error)`` and ``plot()``.

    Examples
    --------
    >>> from sklearn.linear_model import Ridge
    >>> res = bk.perturbation.active_learning_curve(
    ...     X, y, groups, X_test, y_test, estimator=Ridge(), random_state=0)   # doctest: +SKIP
    >>> res.savings(0.02)                                                     # doctest: +SKIP
    """
    from biomedkit._progress import progress

    X = _as_2d(X, "X")
    y = _as_target(y, len(X), "y")
    X_test = _as_2d(X_test, "X_test")
    y_test = _as_target(y_test, len(X_test), "y_test")
    if X_test.shape[1] != X.shape[1]:
        raise ValueError(f"X_test must have the columns of X ({X.shape[1]}); got {X_test.shape[1]}")
    if y.ndim != y_test.ndim or (y.ndim == 2 and y.shape[1] != y_test.shape[1]):
        raise ValueError(f"y_test must have the shape of y per row; got {y_test.shape[1:]} and {y.shape[1:]}")
    if not (hasattr(estimator, "fit") and hasattr(estimator, "predict") and hasattr(estimator, "get_params")):
        raise TypeError("estimator must be a scikit-learn regressor (with fit, predict and get_params); "
                        f"got {type(estimator).__name__}")
    if groups is None:
        labels, codes = np.arange(len(X)), np.arange(len(X))
    else:
        g = np.asarray(groups.to_numpy() if hasattr(groups, "to_numpy") else groups)
        if g.ndim != 1 or len(g) != len(X):
            raise ValueError(f"groups must give one experiment label per row of X ({len(X)}); got shape {g.shape}")
        labels, codes = np.unique(g, return_inverse=True)
    blocks = [np.flatnonzero(codes == k) for k in range(len(labels))]
    n_pool = len(labels)
    if isinstance(strategies, str) or not hasattr(strategies, "__iter__"):
        raise TypeError(f"strategies must be a sequence of names from {STRATEGIES}; got {strategies!r}")
    strategies = list(strategies)
    bad = [s for s in strategies if s not in STRATEGIES]
    if bad or not strategies or len(set(strategies)) != len(strategies):
        raise ValueError(f"strategies must be distinct names from {STRATEGIES}; got {strategies!r}")
    fixed = None
    if isinstance(initial, (int, np.integer)) and not isinstance(initial, bool):
        n_initial = check_int(initial, "initial", 1)
    else:
        if isinstance(initial, (str, bool, float)) or not hasattr(initial, "__iter__"):
            raise TypeError(f"initial must be an int or a sequence of experiment labels; got {initial!r}")
        where = {v: k for k, v in enumerate(labels.tolist())}
        unknown = [v for v in initial if v not in where]
        if unknown or not len(initial):
            raise ValueError(f"initial must name experiments of groups; unknown {unknown[:5]}"
                             if unknown else "initial must name at least one experiment")
        fixed = np.array([where[v] for v in dict.fromkeys(initial)])
        n_initial = len(fixed)
    batch_size = check_int(batch_size, "batch_size", 1)
    budget = n_pool if budget is None else check_int(budget, "budget", 1)
    if n_initial >= n_pool or n_initial > budget:
        raise ValueError(f"initial ({n_initial} experiments) must be smaller than the pool ({n_pool}) "
                         f"and at most the budget ({budget})")
    budget = min(budget, n_pool)
    if n_members is not None:
        n_members = check_int(n_members, "n_members", 2)
    elif not _accepts_return_std(estimator):
        raise ValueError("n_members=None needs an estimator whose predict accepts return_std=True "
                         "(GaussianProcessRegressor, BayesianRidge); or give n_members >= 2 for an ensemble")
    n_repeats = check_int(n_repeats, "n_repeats", 1)
    level = check_level(level)
    rng = check_random_state(random_state)

    records, chosen = [], {s: [] for s in strategies}
    for repeat in progress(range(n_repeats), desc="active learning", min_total=2):
        start = fixed if fixed is not None else rng.choice(n_pool, size=n_initial, replace=False)
        # one stream for the ensembles, the same for every strategy (equal models on equal data),
        # and one per strategy for its random choices
        fit_seed, *choice_seeds = rng.integers(0, 2**63 - 1, size=1 + len(strategies))
        for strategy, seed in zip(strategies, choice_seeds):
            srng, fit_rng = np.random.default_rng(seed), np.random.default_rng(fit_seed)
            order = list(start)
            while True:
                labelled = np.array(order)
                rest = np.setdiff1d(np.arange(n_pool), labelled)
                need_pool = strategy == "uncertainty" and len(rest) and len(order) < budget
                X_rest = X[np.concatenate([blocks[k] for k in rest])] if need_pool else X[:0]
                fit_blocks = [blocks[k] for k in labelled]
                (test_mean, _), (_, pool_var) = _fit_predict(
                    estimator, X, y, fit_blocks, [X_test, X_rest], n_members, fit_rng)
                err = float(np.sqrt(np.mean((test_mean.reshape(y_test.shape) - y_test) ** 2)))
                records.append((strategy, repeat, len(order), err))
                if len(order) >= budget or not len(rest):
                    break
                take = min(batch_size, budget - len(order), len(rest))
                if strategy == "random":
                    picks = srng.choice(rest, size=take, replace=False)
                else:
                    sizes = np.array([len(blocks[k]) for k in rest])
                    score = np.add.reduceat(pool_var, np.r_[0, np.cumsum(sizes)[:-1]]) / sizes
                    shuffle = srng.permutation(len(rest))  # ties broken at random
                    picks = rest[shuffle[np.argsort(-score[shuffle], kind="stable")[:take]]]
                order.extend(int(k) for k in picks)
            chosen[strategy].append(labels[np.array(order)])
    curves = pd.DataFrame(records, columns=["strategy", "repeat", "n_experiments", "error"])
    return ActiveLearningResult(curves, chosen, n_initial, level)


def _accepts_return_std(estimator) -> bool:
    import inspect

    try:
        return "return_std" in inspect.signature(estimator.predict).parameters
    except (TypeError, ValueError):
        return False

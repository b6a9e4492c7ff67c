"""Reinforcement learning for treatment sequences: learning from a simulator and from records.

Three tools for the finite-horizon problems of :func:`bk.simulate.treatment_mdp
<biomedkit.simulate.treatment_mdp>`, none of which scikit-learn provides:

- :func:`q_learning`: tabular Q-learning by trial and error in the simulator;
- :func:`fitted_q_iteration`: a policy learned from logged records only, with
  any scikit-learn regressor;
- :func:`off_policy_estimates`: the value of a new policy estimated from those
  records, naively and by importance sampling, with bootstrap standard errors.

Examples
--------
>>> mdp = bk.simulate.treatment_mdp()
>>> logs = mdp.logged(n_patients=2000, random_state=0)
>>> fqi = bk.rl.fitted_q_iteration(logs, random_state=0)
>>> mdp.evaluate(fqi.policy), mdp.optimal().expected_return          # doctest: +SKIP
>>> bk.rl.off_policy_estimates(logs, fqi.policy, random_state=0)     # doctest: +SKIP
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from biomedkit._checks import check_float, check_int, check_random_state
from biomedkit._deprecation import warn_deprecated
from biomedkit.simulate.treatment import TreatmentMDP, as_policy_probs

__all__ = ["LearnedPolicy", "fitted_q_iteration", "off_policy_estimates", "q_learning"]

LOG_COLUMNS = ("patient", "visit", "state", "action", "reward", "next_state", "done")


@dataclass(frozen=True, repr=False)
class LearnedPolicy:
    """A policy learned by :func:`q_learning` or :func:`fitted_q_iteration`.

    Attributes
    ----------
    q : ndarray, shape (n_visits, n_states, n_actions)
        The learned expected total reward of each action at each visit and state.
    policy : ndarray of int, shape (n_visits, n_states)
        The greedy policy: the action with the largest ``q`` (ties go to the
        first action). Pass it to ``TreatmentMDP.evaluate`` for its true value.
    states, actions : tuple of str
    terminal : ndarray of bool
        Which states are absorbing (``dead``): their entries mean nothing.
    method : str
    """

    q: np.ndarray
    policy: np.ndarray
    states: tuple
    actions: tuple
    terminal: np.ndarray
    method: str

    def to_frame(self) -> pd.DataFrame:
        """The policy as visits x living states, holding action names."""
        table = pd.DataFrame(np.asarray(self.actions, dtype=object)[self.policy],
                             index=pd.RangeIndex(len(self.policy), name="visit"), columns=list(self.states))
        return table.loc[:, ~self.terminal]

    def table(self) -> pd.DataFrame:
        """Deprecated: use :meth:`to_frame`."""
        warn_deprecated("LearnedPolicy.table()", "LearnedPolicy.to_frame()")
        return self.to_frame()

    def __repr__(self) -> str:
        return f"<LearnedPolicy by {self.method}: {self.policy.shape[0]} visits x {len(self.states)} states>"


def q_learning(
    mdp: TreatmentMDP,
    n_episodes: int = 20_000,
    *,
    epsilon: float = 0.2,
    learning_rate: float | None = None,
    random_state: int | None = None,
) -> LearnedPolicy:
    """Tabular Q-learning in the simulator, with epsilon-greedy exploration.

    Each episode is one simulated patient. At every visit the learner takes
    the action it currently thinks best, except with probability ``epsilon`` a
    random one (exploration), then moves its estimate towards what it saw::

        Q[t, s, a] += alpha * (r + discount * max_a' Q[t + 1, s', a'] - Q[t, s, a])

    (Watkins and Dayan 1992; the visit ``t`` is part of the state because the
    horizon is finite). Only samples of the simulator are used, never ``P`` or
    ``R`` themselves.

    Parameters
    ----------
    mdp : TreatmentMDP
        The simulator, from :func:`bk.simulate.treatment_mdp`.
    n_episodes : int, default=20_000
        Number of simulated patients to learn from.
    epsilon : float, default=0.2
        Probability of a random action at each visit, in [0, 1].
    learning_rate : float or None
        A constant step ``alpha`` in (0, 1]; None (default) uses
        ``1 / n ** 0.8``, with ``n`` the number of times that visit, state and
        action were tried: a schedule under which Q-learning converges, faster
        than ``1 / n`` (Even-Dar and Mansour 2003).
    random_state : int or None

    Returns
    -------
    LearnedPolicy

    Examples
    --------
    >>> mdp = bk.simulate.treatment_mdp()
    >>> learned = bk.rl.q_learning(mdp, n_episodes=5_000, random_state=0)
    >>> mdp.evaluate(learned.policy)                                  # doctest: +SKIP
    """
    if not isinstance(mdp, TreatmentMDP):
        raise TypeError(f"mdp must be a TreatmentMDP from bk.simulate.treatment_mdp(); got {type(mdp).__name__}")
    n_episodes = check_int(n_episodes, "n_episodes", 1)
    epsilon = _check_unit(epsilon, "epsilon", open_low=False)
    if learning_rate is not None:
        learning_rate = _check_unit(learning_rate, "learning_rate", open_low=True)
    rng = check_random_state(random_state)
    n_visits, discount = mdp.n_visits, mdp.discount
    n_states, n_actions = mdp.R.shape
    terminal = mdp.terminal.tolist()
    # Plain Python lists in the loop: far faster than numpy scalars for one step at a time.
    cumulative = np.cumsum(mdp.P, axis=2).tolist()
    rewards = mdp.R.tolist()
    initial = np.cumsum(mdp.initial).tolist()
    q = np.zeros((n_visits + 1, n_states, n_actions)).tolist()
    counts = np.zeros((n_visits, n_states, n_actions)).tolist()
    random = rng.random
    for _ in range(n_episodes):
        s = _index(initial, random())
        for t in range(n_visits):
            row = q[t][s]
            if random() < epsilon:
                a = int(random() * n_actions)
            else:
                best = max(row)
                ties = [i for i, v in enumerate(row) if v == best]
                a = ties[0] if len(ties) == 1 else ties[int(random() * len(ties))]
            s_next = _index(cumulative[s][a], random())
            future = 0.0 if terminal[s_next] else max(q[t + 1][s_next])
            counts[t][s][a] += 1
            alpha = learning_rate if learning_rate is not None else counts[t][s][a] ** -0.8
            row[a] += alpha * (rewards[s][a] + discount * future - row[a])
            if terminal[s_next]:
                break
            s = s_next
    q_table = np.array(q)[:n_visits]
    return _learned(q_table, mdp.states, mdp.actions, terminal=mdp.terminal, method="Q-learning")


def fitted_q_iteration(
    logs: pd.DataFrame,
    *,
    regressor: Any = None,
    n_visits: int | None = None,
    discount: float = 1.0,
    random_state: int | None = None,
) -> LearnedPolicy:
    """Fitted Q iteration: a treatment policy learned from logged records only.

    Working backwards from the last visit, a regressor learns the expected
    total reward of each (state, action) at visit ``t`` from the rows of that
    visit, with targets ``reward + discount * max_a Q[t + 1](next_state, a)``
    (0 after a terminal state or the last visit). This is Ernst, Geurts and
    Wehenkel's (2005) fitted Q iteration, run once per visit as suits a finite
    horizon. The simulator is never used: only the records, so actions the
    clinicians rarely took in a state are learned from few patients.

    Parameters
    ----------
    logs : DataFrame
        Records such as ``TreatmentMDP.logged()`` returns: columns ``patient``,
        ``visit``, ``state`` and ``action`` (categorical: their categories name
        every state and action), ``reward``, ``next_state`` and ``done``. Not modified.
    regressor : scikit-learn regressor or None
        Fitted on one-hot state and action features (cloned for each visit).
        Default: ``ExtraTreesRegressor(n_estimators=100, min_samples_leaf=5)``.
    n_visits : int or None
        The horizon; default: the largest ``visit`` in ``logs`` plus one.
    discount : float, default=1.0
    random_state : int or None
        Seed for a default or unseeded regressor.

    Returns
    -------
    LearnedPolicy
        ``q`` for every visit, state and action (for a state never seen at a
        visit, the regressor's extrapolation), and the greedy ``policy``.

    Examples
    --------
    >>> mdp = bk.simulate.treatment_mdp()
    >>> fqi = bk.rl.fitted_q_iteration(mdp.logged(2000, random_state=0), random_state=0)
    >>> fqi.to_frame()                                                # doctest: +SKIP
    """
    from sklearn.base import clone

    logs, states, actions = _check_logs(logs)
    n_visits = _horizon(logs, n_visits)
    discount = _check_unit(discount, "discount", open_low=True)
    if regressor is None:
        from sklearn.ensemble import ExtraTreesRegressor

        regressor = ExtraTreesRegressor(n_estimators=100, min_samples_leaf=5)
    elif not (hasattr(regressor, "fit") and hasattr(regressor, "predict")):
        raise TypeError(f"regressor must be a scikit-learn regressor with fit and predict; got "
                        f"{type(regressor).__name__}")
    n_states, n_actions = len(states), len(actions)
    s = logs["state"].cat.codes.to_numpy()
    a = logs["action"].cat.codes.to_numpy()
    s_next = logs["next_state"].cat.codes.to_numpy()
    visit = logs["visit"].to_numpy()
    reward = logs["reward"].to_numpy(float)
    done = logs["done"].to_numpy(bool)
    # Every (state, action) pair, for reading the fitted Q back as a table.
    grid_s, grid_a = np.divmod(np.arange(n_states * n_actions), n_actions)
    grid = _one_hot(grid_s, grid_a, n_states, n_actions)
    terminal = np.zeros(n_states, dtype=bool)
    terminal[np.unique(s_next[done])] = True
    q = np.zeros((n_visits + 1, n_states, n_actions))
    for t in reversed(range(n_visits)):
        rows = visit == t
        if not rows.any():
            continue  # nobody alive at this visit: Q stays 0
        future = np.where(done[rows], 0.0, q[t + 1][s_next[rows]].max(axis=1))
        target = reward[rows] + discount * future
        model = clone(regressor)
        if random_state is not None and "random_state" in model.get_params() \
                and model.get_params()["random_state"] is None:
            model.set_params(random_state=int(random_state) + t)
        model.fit(_one_hot(s[rows], a[rows], n_states, n_actions), target)
        q[t] = model.predict(grid).reshape(n_states, n_actions)
        q[t][terminal] = 0.0
    return _learned(q[:n_visits], states, actions, terminal=terminal, method="fitted Q iteration")


def off_policy_estimates(
    logs: pd.DataFrame,
    policy: Any,
    *,
    n_visits: int | None = None,
    discount: float = 1.0,
    n_bootstrap: int = 200,
    random_state: int | None = None,
) -> pd.DataFrame:
    """Estimate a policy's value from records of patients treated differently.

    With ``G`` a patient's total reward, ``pi`` the policy to evaluate and ``b``
    the clinicians' probability of each logged action (column
    ``behaviour_prob``), the estimators are:

    - ``logged average``: the mean ``G`` of all patients, which estimates the
      clinicians' own value, not ``pi``'s;
    - ``naive (matching patients)``: the mean ``G`` of the patients whose every
      logged action is the one ``pi`` chooses (deterministic ``pi`` only). It is
      biased: which patients happen to match depends on how they fared;
    - ``ordinary IS``: the mean of ``W * G``, with ``W`` the product over visits of
      ``pi(a | s) / b(a | s)`` (importance sampling; unbiased when ``b`` is right
      and never 0 where ``pi`` is not, but with a high variance);
    - ``weighted IS``: ``sum(W * G) / sum(W)`` (a small bias, much less variance);
    - ``per-decision IS``: each reward weighted only by the ratios up to its
      own visit (unbiased, less variance than ordinary IS);
    - ``weighted per-decision IS``: its self-normalised version.

    See Precup, Sutton and Singh (2000) and Thomas and Brunskill (2016).

    Parameters
    ----------
    logs : DataFrame
        Records from ``TreatmentMDP.logged()``: as for :func:`fitted_q_iteration`
        plus ``behaviour_prob``. Not modified.
    policy : array
        The policy to evaluate, in a form that ``TreatmentMDP`` accepts
        (integers for a deterministic policy, probabilities for a random one).
    n_visits : int or None
        The horizon; default: the largest ``visit`` plus one.
    discount : float, default=1.0
    n_bootstrap : int, default=200
        Bootstrap resamples of the patients for the standard errors and 95 %
        percentile intervals (0 for none).
    random_state : int or None
        Seed for the bootstrap.

    Returns
    -------
    pandas.DataFrame
        One row per estimator; columns ``estimate``, ``se``, ``ci_low``,
        ``ci_high`` and ``effective_n`` (patients averaged for the logged and
        naive rows; Kish's effective sample size of the weights for ordinary and
        weighted IS).

    Examples
    --------
    >>> mdp = bk.simulate.treatment_mdp()
    >>> logs = mdp.logged(2000, random_state=0)
    >>> best = mdp.optimal().policy
    >>> bk.rl.off_policy_estimates(logs, best, random_state=0), mdp.evaluate(best)  # doctest: +SKIP
    """
    logs, states, actions = _check_logs(logs, need=("behaviour_prob",))
    n_visits = _horizon(logs, n_visits)
    discount = _check_unit(discount, "discount", open_low=True)
    n_bootstrap = check_int(n_bootstrap, "n_bootstrap", 0)
    probs = as_policy_probs(policy, n_visits, len(states), len(actions))
    b = logs["behaviour_prob"].to_numpy(float)
    if not np.isfinite(b).all() or (b <= 0).any() or (b > 1).any():
        raise ValueError("behaviour_prob must be in (0, 1] on every row: importance sampling divides by it")
    deterministic = bool(np.all((probs == 0) | (probs == 1)))
    reward, ratio = _per_patient(logs, probs, b, n_visits, discount)
    cumulative = np.cumprod(ratio, axis=1)        # weight of each visit's reward (per decision)
    point = _estimates(np.ones((1, len(reward))), reward, cumulative, deterministic)[0]
    out = pd.DataFrame({"estimate": point}, index=pd.Index(_ESTIMATORS, name="estimator"))
    out["se"], out["ci_low"], out["ci_high"] = _bootstrap(reward, cumulative, deterministic,
                                                          n_bootstrap, random_state)
    out["effective_n"] = _effective_n(cumulative, deterministic)
    return out


# --- off-policy estimation -----------------------------------------------------

_ESTIMATORS = ["logged average", "naive (matching patients)", "ordinary IS", "weighted IS",
               "per-decision IS", "weighted per-decision IS"]


def _per_patient(logs: pd.DataFrame, probs: np.ndarray, b: np.ndarray, n_visits: int,
                 discount: float) -> tuple[np.ndarray, np.ndarray]:
    """Patients x visits: the discounted reward of each visit, and the importance ratio
    ``pi(a | s) / b(a | s)`` of its logged action (1 after a patient's last visit)."""
    patient, visit = logs["patient"].to_numpy(), logs["visit"].to_numpy()
    _, row_patient = np.unique(patient, return_inverse=True)
    n = row_patient.max() + 1
    pi = probs[visit, logs["state"].cat.codes.to_numpy(), logs["action"].cat.codes.to_numpy()]
    ratio = np.ones((n, n_visits))                 # 1 after a patient's last visit: nothing changes
    ratio[row_patient, visit] = pi / b
    reward = np.zeros((n, n_visits))
    reward[row_patient, visit] = logs["reward"].to_numpy(float) * discount ** visit
    return reward, ratio


def _weights(cumulative: np.ndarray, deterministic: bool) -> tuple[np.ndarray, np.ndarray]:
    """Each patient's importance weight ``W`` (the product of the ratios) and, for a
    deterministic policy, whether every logged action matches it."""
    W = cumulative[:, -1]
    # For a deterministic policy pi(a | s) is 0 or 1: W > 0 exactly when every logged action matches.
    matching = (W > 0) if deterministic else np.zeros(len(W), dtype=bool)
    return W, matching


def _estimates(c: np.ndarray, reward: np.ndarray, cumulative: np.ndarray,
               deterministic: bool) -> np.ndarray:
    """All estimators (``_ESTIMATORS``) for bootstrap count vectors ``c`` (shape (B, n));
    a row of ones gives the estimates themselves."""
    G = reward.sum(axis=1)
    W, matching = _weights(cumulative, deterministic)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.column_stack([
            c @ G / c.sum(1),
            (c @ (G * matching)) / (c @ matching) if deterministic else np.full(len(c), np.nan),
            c @ (W * G) / c.sum(1),
            c @ (W * G) / (c @ W),
            (c @ (cumulative * reward).sum(1)) / c.sum(1),
            ((c @ (cumulative * reward)) / (c @ cumulative)).sum(1),
        ])


def _bootstrap(reward: np.ndarray, cumulative: np.ndarray, deterministic: bool, n_bootstrap: int,
               random_state) -> tuple:
    """Standard errors and 95 % percentile intervals of the estimators over ``n_bootstrap``
    resamples of the patients (NaN without resamples)."""
    if not n_bootstrap:
        return np.nan, np.nan, np.nan
    n = len(reward)
    rng = check_random_state(random_state)
    counts = rng.multinomial(n, np.full(n, 1 / n), size=n_bootstrap).astype(float)
    boot = _estimates(counts, reward, cumulative, deterministic)
    with warnings.catch_warnings():  # the naive row is all NaN for a random policy
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = np.nanquantile(boot, [0.025, 0.975], axis=0)
        return np.nanstd(boot, axis=0, ddof=1), low, high


def _effective_n(cumulative: np.ndarray, deterministic: bool) -> list:
    """Patients averaged (logged, naive) and Kish's effective sample size of the weights
    (ordinary and weighted IS); NaN for the per-decision estimators."""
    W, matching = _weights(cumulative, deterministic)
    kish = W.sum() ** 2 / (W ** 2).sum() if (W > 0).any() else 0.0
    return [len(W), matching.sum() if deterministic else np.nan, kish, kish, np.nan, np.nan]


# --- helpers -----------------------------------------------------------------

def _learned(q: np.ndarray, states: tuple, actions: tuple, *, terminal: np.ndarray, method: str) -> LearnedPolicy:
    policy = q.argmax(axis=2)
    policy[:, terminal] = 0
    return LearnedPolicy(q=q, policy=policy, states=tuple(states), actions=tuple(actions),
                         terminal=np.asarray(terminal, dtype=bool), method=method)


def _index(cumulative: list, u: float) -> int:
    """Inverse CDF for one draw: the first index whose cumulative probability exceeds ``u``."""
    for i, c in enumerate(cumulative):
        if u < c:
            return i
    return len(cumulative) - 1


def _one_hot(s: np.ndarray, a: np.ndarray, n_states: int, n_actions: int) -> np.ndarray:
    features = np.zeros((len(s), n_states + n_actions))
    features[np.arange(len(s)), s] = 1
    features[np.arange(len(s)), n_states + a] = 1
    return features


def _check_logs(logs: Any, need: tuple = ()) -> tuple[pd.DataFrame, tuple, tuple]:
    if not isinstance(logs, pd.DataFrame):
        raise TypeError(f"logs must be a DataFrame from TreatmentMDP.logged(); got {type(logs).__name__}")
    missing = [c for c in (*LOG_COLUMNS, *need) if c not in logs.columns]
    if missing:
        raise ValueError(f"logs lacks the columns {missing}; pass the frame from TreatmentMDP.logged()")
    if logs.empty:
        raise ValueError("logs has no rows")
    for column in ("state", "action", "next_state"):
        if not isinstance(logs[column].dtype, pd.CategoricalDtype):
            raise ValueError(f"logs[{column!r}] must be categorical, its categories naming every "
                             "state or action (as TreatmentMDP.logged() returns it)")
    if list(logs["state"].cat.categories) != list(logs["next_state"].cat.categories):
        raise ValueError("logs['state'] and logs['next_state'] must have the same categories")
    for column in ("patient", "state", "action", "next_state", "reward", "visit", "done"):
        if logs[column].isna().any():
            raise ValueError(f"logs[{column!r}] has {int(logs[column].isna().sum())} missing values; "
                             "every logged visit needs a complete row (drop or repair those rows)")
    logs = logs.assign(reward=_finite_numbers(logs["reward"], "reward"), visit=_visits(logs["visit"]),
                       done=_flags(logs["done"]))
    if logs.duplicated(["patient", "visit"]).any():
        raise ValueError("logs has more than one row for some (patient, visit); one row per visit is expected")
    return logs, tuple(logs["state"].cat.categories), tuple(logs["action"].cat.categories)


def _finite_numbers(column: pd.Series, name: str) -> np.ndarray:
    if not (pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)):
        raise TypeError(f"logs[{name!r}] must be numeric; got dtype {column.dtype}")
    values = column.to_numpy(dtype=float)
    if not np.isfinite(values).all():
        raise ValueError(f"logs[{name!r}] has infinite values")
    return values


def _visits(column: pd.Series) -> np.ndarray:
    """Visit numbers as ints 0, 1, ...: a negative or fractional visit is refused, never dropped."""
    values = _finite_numbers(column, "visit")
    if (values < 0).any() or (values != np.round(values)).any():
        bad = values[(values < 0) | (values != np.round(values))]
        raise ValueError(f"logs['visit'] must hold whole numbers 0, 1, 2, ... (the first visit is 0); "
                         f"got values such as {bad[:5].tolist()}")
    return values.astype(int)


def _flags(column: pd.Series) -> np.ndarray:
    """``done`` as booleans; anything but True/False (or 1/0) is refused, never read as True."""
    if pd.api.types.is_bool_dtype(column):
        return column.to_numpy(dtype=bool)
    values = column.to_numpy()
    if not all(isinstance(v, (bool, np.bool_)) or (isinstance(v, numbers.Real) and v in (0, 1))
               for v in values.tolist()):
        raise ValueError("logs['done'] must hold True/False (or 1/0) on every row; got values such as "
                         f"{pd.unique(column.astype(object))[:5].tolist()}")
    return values.astype(bool)


def _horizon(logs: pd.DataFrame, n_visits: int | None) -> int:
    last = int(logs["visit"].max())
    if n_visits is None:
        return last + 1
    n_visits = check_int(n_visits, "n_visits", 1)
    if n_visits <= last:
        raise ValueError(f"n_visits ({n_visits}) must exceed the largest visit in logs ({last})")
    return n_visits



def _check_unit(value: Any, name: str, *, open_low: bool) -> float:
    return check_float(value, name, 0, 1, open_low=open_low)

"""A simulated patient whose disease is treated visit after visit: a small Markov decision process."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from biomedkit._checks import check_float, check_int, check_random_state
from biomedkit._deprecation import keyword_only_after

ACTIONS = ("none", "standard drug", "aggressive drug")
DEAD = "dead"


@dataclass(frozen=True, repr=False)
class Solution:
    """The optimal treatment found by backward induction (:meth:`TreatmentMDP.optimal`).

    Attributes
    ----------
    policy : ndarray of int, shape (n_visits, n_states)
        The best action at each visit in each state (for ``dead`` the entry is 0
        and means nothing).
    value : ndarray, shape (n_visits, n_states)
        The expected total reward from that visit onwards when acting optimally.
    q : ndarray, shape (n_visits, n_states, n_actions)
        The expected total reward of taking each action, then acting optimally.
    expected_return : float
        ``value[0]`` averaged over the distribution of the first visit's state.
    """

    policy: np.ndarray
    value: np.ndarray
    q: np.ndarray
    expected_return: float

    def __repr__(self) -> str:
        return f"<Solution: optimal expected return {self.expected_return:.4f}>"


@dataclass(frozen=True, repr=False)
class TreatmentMDP:
    """A finite-horizon Markov decision process of a chronic disease and its treatment.

    Create one with :func:`treatment_mdp`. States are severity levels
    ``severity 0`` (remission) .. ``severity K-1`` and the absorbing state
    ``dead``; at each of ``n_visits`` visits the clinician chooses one of
    ``actions``, the patient collects ``R[s, a]`` and moves to ``s'`` with
    probability ``P[s, a, s']``.

    A *policy* is given as an array, in one of four forms: integers of shape
    ``(n_states,)`` (one action per state, the same at every visit) or
    ``(n_visits, n_states)`` (one action per visit and state); or probabilities
    of shape ``(n_states, n_actions)`` or ``(n_visits, n_states, n_actions)``
    (a random choice of action, rows summing to 1). The entries for ``dead``
    are ignored.

    Attributes
    ----------
    states, actions : tuple of str
    P : ndarray, shape (n_states, n_actions, n_states)
        Transition probabilities.
    R : ndarray, shape (n_states, n_actions)
        Expected reward of one visit: quality of life in that state minus the
        burden of the treatment (0 once dead).
    initial : ndarray, shape (n_states,)
        Distribution of the state at the first visit.
    behaviour : ndarray, shape (n_states, n_actions)
        The clinicians' policy behind :meth:`logged`: sicker patients are given
        aggressive treatment more often.
    n_visits : int
    discount : float
        Weight of a reward ``t`` visits ahead: ``discount ** t``.
    """

    states: tuple
    actions: tuple
    P: np.ndarray
    R: np.ndarray
    initial: np.ndarray
    behaviour: np.ndarray
    n_visits: int
    discount: float

    # --- policies --------------------------------------------------------------

    @property
    def terminal(self) -> np.ndarray:
        """Boolean mask of the absorbing states (``dead``)."""
        return np.array([s == DEAD for s in self.states])

    def policy_probs(self, policy: Any) -> np.ndarray:
        """Any accepted form of policy as probabilities of shape (n_visits, n_states, n_actions)."""
        return as_policy_probs(policy, self.n_visits, len(self.states), len(self.actions))

    def policy_table(self, policy: Any) -> pd.DataFrame:
        """A deterministic policy as a table: visits x living states, holding action names."""
        probs = self.policy_probs(policy)
        if not np.all((probs == 0) | (probs == 1)):
            raise ValueError("policy_table needs a deterministic policy (integers); this one is random")
        table = pd.DataFrame(np.asarray(self.actions, dtype=object)[probs.argmax(2)],
                             index=pd.RangeIndex(self.n_visits, name="visit"), columns=list(self.states))
        return table.loc[:, ~self.terminal]

    # --- exact computations ------------------------------------------------------

    def optimal(self) -> Solution:
        """The optimal policy and its value, by backward induction over the visits.

        Examples
        --------
        >>> mdp = bk.simulate.treatment_mdp()
        >>> best = mdp.optimal()
        >>> mdp.policy_table(best.policy).head(2)                     # doctest: +SKIP
        """
        n_states, n_actions = self.R.shape
        value_next = np.zeros(n_states)
        q = np.zeros((self.n_visits, n_states, n_actions))
        for t in reversed(range(self.n_visits)):
            q[t] = self.R + self.discount * self.P @ value_next
            value_next = q[t].max(axis=1)
        policy = q.argmax(axis=2)
        policy[:, self.terminal] = 0
        value = q.max(axis=2)
        return Solution(policy=policy, value=value, q=q, expected_return=float(self.initial @ value[0]))

    def values(self, policy: Any) -> np.ndarray:
        """Exact expected total reward from each visit and state under ``policy``.

        Returns
        -------
        ndarray, shape (n_visits, n_states)
        """
        probs = self.policy_probs(policy)
        value = np.zeros((self.n_visits + 1, len(self.states)))
        for t in reversed(range(self.n_visits)):
            q = self.R + self.discount * self.P @ value[t + 1]
            value[t] = (probs[t] * q).sum(axis=1)
        return value[:-1]

    def evaluate(self, policy: Any) -> float:
        """The exact expected return of ``policy`` for a new patient (no simulation).

        Examples
        --------
        >>> mdp = bk.simulate.treatment_mdp()
        >>> round(mdp.evaluate(mdp.behaviour), 3)                     # doctest: +SKIP
        """
        return float(self.initial @ self.values(policy)[0])

    # --- simulation --------------------------------------------------------------

    @keyword_only_after(3)
    def simulate(self, policy: Any, n_patients: int = 1000, *,
                 random_state: int | None = None) -> pd.DataFrame:
        """Roll out ``n_patients`` patients treated with ``policy``.

        Parameters
        ----------
        policy : array
            Any of the forms in the class docstring.
        n_patients : int, default=1000
        random_state : int, Generator or None
            The same seed gives the same trajectories.

        Returns
        -------
        pandas.DataFrame
            One row per visit of a living patient: ``patient``, ``visit`` (0, 1,
            ...), ``state``, ``action``, ``reward``, ``next_state``, ``done`` (True
            when the next state is absorbing, so the patient has no more visits)
            and ``action_prob``, the probability that the policy gave the action.

        Examples
        --------
        >>> mdp = bk.simulate.treatment_mdp()
        >>> runs = mdp.simulate(mdp.optimal().policy, n_patients=500, random_state=0)
        >>> mdp.returns(runs).mean()                                  # doctest: +SKIP
        """
        probs = self.policy_probs(policy)
        n_patients = check_int(n_patients, "n_patients", 1)
        rng = check_random_state(random_state)
        n_states = len(self.states)
        state = _draw(np.broadcast_to(self.initial, (n_patients, n_states)), rng)
        alive = ~self.terminal[state]
        columns: dict[str, list] = {k: [] for k in ("patient", "visit", "state", "action", "next", "prob")}
        for t in range(self.n_visits):
            who = np.flatnonzero(alive)
            if who.size == 0:
                break
            s = state[who]
            action_probs = probs[t, s]
            a = _draw(action_probs, rng)
            s_next = _draw(self.P[s, a], rng)
            for key, values in zip(columns, (who, np.full(who.size, t), s, a, s_next,
                                             action_probs[np.arange(who.size), a]), strict=True):
                columns[key].append(values)
            state[who] = s_next
            alive[who] = ~self.terminal[s_next]
        cat = {k: np.concatenate(v) for k, v in columns.items()}
        order = np.lexsort((cat["visit"], cat["patient"]))
        cat = {k: v[order] for k, v in cat.items()}
        return pd.DataFrame({
            "patient": cat["patient"], "visit": cat["visit"],
            "state": pd.Categorical.from_codes(cat["state"], categories=list(self.states)),
            "action": pd.Categorical.from_codes(cat["action"], categories=list(self.actions)),
            "reward": self.R[cat["state"], cat["action"]],
            "next_state": pd.Categorical.from_codes(cat["next"], categories=list(self.states)),
            "done": self.terminal[cat["next"]],
            "action_prob": cat["prob"],
        })

    @keyword_only_after(2)
    def logged(self, n_patients: int = 1000, *, random_state: int | None = None) -> pd.DataFrame:
        """Records of patients treated by the clinicians (the ``behaviour`` policy).

        What a hospital's records would hold: who was in which state, what they
        were given and what followed. The clinicians treat sicker patients more
        aggressively, so treatment and prognosis are confounded by severity.

        Returns
        -------
        pandas.DataFrame
            As :meth:`simulate`, with ``action_prob`` renamed ``behaviour_prob``:
            the probability that the clinicians chose the logged action.

        Examples
        --------
        >>> mdp = bk.simulate.treatment_mdp()
        >>> logs = mdp.logged(n_patients=2000, random_state=0)
        >>> logs.groupby("state", observed=True)["action"].value_counts(normalize=True)  # doctest: +SKIP
        """
        return self.simulate(self.behaviour, n_patients, random_state=random_state).rename(
            columns={"action_prob": "behaviour_prob"})

    def returns(self, trajectories: pd.DataFrame) -> pd.Series:
        """Each patient's total (discounted) reward in a frame from :meth:`simulate` or :meth:`logged`."""
        missing = {"patient", "visit", "reward"} - set(trajectories.columns)
        if missing:
            raise ValueError(f"trajectories lacks the columns {sorted(missing)}; pass a frame from "
                             "simulate() or logged()")
        discounted = trajectories["reward"] * self.discount ** trajectories["visit"]
        return discounted.groupby(trajectories["patient"]).sum().rename("return")

    def __repr__(self) -> str:
        return (f"<TreatmentMDP: {len(self.states)} states ({', '.join(self.states)}), "
                f"{len(self.actions)} actions ({', '.join(self.actions)}), {self.n_visits} visits, "
                f"discount {self.discount:g}>")


def treatment_mdp(
    n_severity: int = 4,
    n_visits: int = 8,
    *,
    benefit: Sequence[float] = (0.05, 0.35, 0.6),
    toxicity: Sequence[float] = (0.0, 0.05, 0.2),
    cost: Sequence[float] = (0.0, 0.1, 0.25),
    progression: float = 0.2,
    mortality: float = 0.1,
    discount: float = 1.0,
    confounding: float = 2.0,
    initial: Sequence[float] | None = None,
) -> TreatmentMDP:
    """Simulate the treatment of a chronic disease as a Markov decision process.

    At each visit a living patient is at a severity level 0 (remission) to
    ``n_severity - 1``, and one of three actions is taken: ``none``, a
    ``standard drug`` or an ``aggressive drug``. Until the next visit:

    1. with probability ``benefit[a]`` the treatment works: one level better
       (a patient in remission stays there);
    2. otherwise the disease progresses one level with probability ``progression``;
    3. independently, a toxic side effect (probability ``toxicity[a]``) makes it
       one level worse;

    and a patient who goes past the most severe level dies. A patient at the
    most severe level also dies with probability ``mortality`` before any of
    this. The reward of a visit is the quality of life at that level (from 1 in
    remission down to 0.25 at the most severe level) minus ``cost[a]``, the
    burden of the treatment. Everything is known exactly, so the best possible
    treatment can be computed (:meth:`TreatmentMDP.optimal`).

    The clinicians' policy (``.behaviour``) gives severity-dependent
    probabilities: with ``x = level / (n_severity - 1)`` the preference for action
    ``j`` (0, 1, 2) is ``2 * confounding * (x - 0.5) * (j - 1)``, turned into
    probabilities by a softmax. Mild cases mostly get no treatment, severe ones
    mostly the aggressive drug; ``confounding=0`` is a randomised trial.

    Parameters
    ----------
    n_severity : int, default=4
        Number of living severity levels (at least 2).
    n_visits : int, default=8
        The horizon: number of treatment decisions per patient.
    benefit, toxicity, cost : sequences of 3 floats
        Per action (none, standard, aggressive): probability that the treatment
        improves the disease, probability of a toxic worsening, burden per visit.
    progression : float, default=0.2
        Probability that an untreated (or unimproved) disease worsens one level.
    mortality : float, default=0.1
        Per-visit probability of death at the most severe level.
    discount : float, default=1.0
        In (0, 1]: the weight of a reward one visit later.
    confounding : float, default=2.0
        At least 0: how strongly the clinicians' choice follows severity.
    initial : sequence of float or None
        Probabilities of each severity level at the first visit (default: equal).

    Returns
    -------
    TreatmentMDP
        The transition tensor ``P[s, a, s']``, rewards ``R[s, a]``, the clinicians'
        ``behaviour`` policy, and methods ``optimal``, ``evaluate``, ``values``,
        ``simulate``, ``logged`` and ``returns``.

    Examples
    --------
    >>> mdp = bk.simulate.treatment_mdp()
    >>> best = mdp.optimal()
    >>> best.expected_return, mdp.evaluate(mdp.behaviour)              # doctest: +SKIP
    >>> logs = mdp.logged(n_patients=1000, random_state=0)
    """
    n_severity = check_int(n_severity, "n_severity", 2)
    n_visits = check_int(n_visits, "n_visits", 1)
    benefit = _per_action(benefit, "benefit")
    toxicity = _per_action(toxicity, "toxicity")
    cost = _per_action(cost, "cost", high=10.0)
    progression = check_float(progression, "progression", 0, 1)
    mortality = check_float(mortality, "mortality", 0, 1)
    discount = check_float(discount, "discount", 0, 1, open_low=True)
    confounding = check_float(confounding, "confounding", 0, 50)
    if initial is None:
        initial_living = np.full(n_severity, 1 / n_severity)
    else:
        initial_living = np.asarray(initial, dtype=float)
        if (initial_living.shape != (n_severity,) or not np.isfinite(initial_living).all()
                or (initial_living < 0).any() or abs(initial_living.sum() - 1) > 1e-8):
            raise ValueError(f"initial must hold {n_severity} probabilities (one per severity level) "
                             f"that sum to 1; got {initial!r}")

    states = tuple(f"severity {k}" for k in range(n_severity)) + (DEAD,)
    n_states, dead = n_severity + 1, n_severity
    P = np.zeros((n_states, 3, n_states))
    for s in range(n_severity):
        for a in range(3):
            P[s, a] = _transition(s, n_severity, benefit[a], toxicity[a], progression, mortality)
    P[dead, :, dead] = 1.0
    quality = np.linspace(1.0, 0.25, n_severity)
    R = np.zeros((n_states, 3))
    R[:n_severity] = quality[:, None] - cost[None, :]

    x = np.arange(n_severity) / (n_severity - 1)
    preference = 2 * confounding * (x[:, None] - 0.5) * (np.arange(3)[None, :] - 1)
    behaviour = np.exp(preference - preference.max(axis=1, keepdims=True))
    behaviour = np.vstack([behaviour / behaviour.sum(axis=1, keepdims=True), np.full(3, 1 / 3)])
    return TreatmentMDP(states=states, actions=ACTIONS, P=P, R=R,
                        initial=np.append(initial_living, 0.0), behaviour=behaviour,
                        n_visits=n_visits, discount=discount)


def _transition(s: int, n_severity: int, benefit: float, toxicity: float, progression: float,
                mortality: float) -> np.ndarray:
    """Distribution of the next state from living level ``s`` (the last entry is death)."""
    out = np.zeros(n_severity + 1)
    death_first = mortality if s == n_severity - 1 else 0.0
    out[n_severity] += death_first
    # (change of level, probability) from the treatment or the natural course, then toxicity
    course = [(-1 if s > 0 else 0, benefit), (1, (1 - benefit) * progression),
              (0, (1 - benefit) * (1 - progression))]
    for change, p_course in course:
        for extra, p_tox in ((1, toxicity), (0, 1 - toxicity)):
            level = min(s + change + extra, n_severity)  # past the last level: death
            out[level] += (1 - death_first) * p_course * p_tox
    return out


def _per_action(values: Any, name: str, high: float = 1.0) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float) if not isinstance(values, str) else np.array([])
    except (TypeError, ValueError):  # text such as ("a", "b", "c"): the message below says what fits
        array = np.array([])
    if array.shape != (3,) or not np.isfinite(array).all() or (array < 0).any() or (array > high).any():
        raise ValueError(f"{name} must hold 3 numbers in [0, {high:g}], one per action "
                         f"{ACTIONS}; got {values!r}")
    return array


def _draw(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One categorical draw per row of ``probs`` (inverse CDF, vectorised)."""
    u = rng.random(probs.shape[0])
    return np.minimum((u[:, None] > np.cumsum(probs, axis=1)).sum(axis=1), probs.shape[1] - 1)


def as_policy_probs(policy: Any, n_visits: int, n_states: int, n_actions: int) -> np.ndarray:
    """Convert a policy in any accepted form to probabilities (n_visits, n_states, n_actions).

    Integers give deterministic policies, shape ``(n_states,)`` or
    ``(n_visits, n_states)``; floats give probabilities, shape
    ``(n_states, n_actions)`` or ``(n_visits, n_states, n_actions)``.
    """
    array = np.asarray(policy)
    shapes = (f"integers of shape ({n_states},) or ({n_visits}, {n_states}), or probabilities of "
              f"shape ({n_states}, {n_actions}) or ({n_visits}, {n_states}, {n_actions})")
    if array.dtype.kind in "iu":
        if array.shape == (n_states,):
            array = np.broadcast_to(array, (n_visits, n_states))
        if array.shape != (n_visits, n_states):
            raise ValueError(f"policy must be {shapes}; got integers of shape {array.shape}")
        if array.min() < 0 or array.max() >= n_actions:
            raise ValueError(f"policy holds action numbers outside 0..{n_actions - 1}")
        return np.eye(n_actions)[array]
    if array.dtype.kind == "f":
        if array.shape == (n_states, n_actions):
            array = np.broadcast_to(array, (n_visits, n_states, n_actions))
        if array.shape != (n_visits, n_states, n_actions):
            raise ValueError(f"policy must be {shapes}; got floats of shape {array.shape}")
        if not np.isfinite(array).all() or (array < 0).any() or np.abs(array.sum(axis=-1) - 1).max() > 1e-8:
            raise ValueError("policy probabilities must be non-negative and sum to 1 over the actions "
                             "in every state")
        return np.array(array, dtype=float)
    raise ValueError(f"policy must be {shapes}; got {array.dtype} values")

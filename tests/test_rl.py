"""The treatment simulator and the reinforcement-learning tools: optimal is optimal,
simulations agree with exact values, learners converge, importance sampling is unbiased."""

import itertools

import numpy as np
import pandas as pd
import pytest

import biomedkit as bk


@pytest.fixture(scope="module")
def small():
    # 2 severity levels + dead, 3 actions, 3 visits: 9 ** 3 = 729 visit-dependent policies
    return bk.simulate.treatment_mdp(n_severity=2, n_visits=3)


@pytest.fixture(scope="module")
def mdp():
    return bk.simulate.treatment_mdp()


def test_transitions_are_distributions_and_match_a_hand_computation(mdp):
    np.testing.assert_allclose(mdp.P.sum(axis=2), 1.0, atol=1e-12)
    assert mdp.P.shape == (5, 3, 5) and mdp.R.shape == (5, 3)
    # Most severe level (3), aggressive drug: death 0.1 first; then it works (0.6), else progresses
    # (0.4 * 0.2) or stays (0.4 * 0.8); toxicity (0.2) adds one level; past level 3 is death.
    survive = 0.9
    expected = {2: survive * 0.6 * 0.8,
                3: survive * (0.6 * 0.2 + 0.32 * 0.8),
                4: 0.1 + survive * (0.08 + 0.32 * 0.2)}
    for s_next, p in expected.items():
        assert mdp.P[3, 2, s_next] == pytest.approx(p, abs=1e-12)
    assert mdp.P[4, :, 4].tolist() == [1.0, 1.0, 1.0] and (mdp.R[4] == 0).all()


@pytest.mark.parametrize("discount", [1.0, 0.8])
def test_backward_induction_beats_every_deterministic_policy(discount):
    mdp = bk.simulate.treatment_mdp(n_severity=2, n_visits=3, discount=discount)
    best = mdp.optimal()
    living = np.flatnonzero(~mdp.terminal)
    brute = np.full((mdp.n_visits, len(mdp.states)), -np.inf)
    for choice in itertools.product(range(3), repeat=mdp.n_visits * living.size):
        policy = np.zeros((mdp.n_visits, len(mdp.states)), dtype=int)
        policy[:, living] = np.reshape(choice, (mdp.n_visits, living.size))
        brute = np.maximum(brute, mdp.values(policy))
    # No policy does better in any state at any visit, and the best of them equals the optimum.
    np.testing.assert_allclose(brute[:, living], best.value[:, living], atol=1e-9, rtol=0)
    assert mdp.evaluate(best.policy) == pytest.approx(best.expected_return, abs=1e-12)


def test_exact_evaluation_matches_the_monte_carlo_mean(mdp):
    for policy in (mdp.behaviour, mdp.optimal().policy):
        returns = mdp.returns(mdp.simulate(policy, n_patients=20_000, random_state=1))
        se = returns.std() / np.sqrt(len(returns))
        # 4 standard errors: a false alarm about once in 16,000 runs
        assert abs(returns.mean() - mdp.evaluate(policy)) < 4 * se


def test_simulator_is_deterministic_for_a_seed(mdp):
    a = mdp.logged(300, random_state=5)
    pd.testing.assert_frame_equal(a, mdp.logged(300, random_state=5))
    assert not a.equals(mdp.logged(300, random_state=6))


def test_logged_records_are_tidy_and_confounded(mdp):
    logs = mdp.logged(3000, random_state=0)
    assert list(logs.columns) == ["patient", "visit", "state", "action", "reward", "next_state", "done",
                                  "behaviour_prob"]
    s, a = logs["state"].cat.codes.to_numpy(), logs["action"].cat.codes.to_numpy()
    np.testing.assert_allclose(logs["behaviour_prob"], mdp.behaviour[s, a])
    np.testing.assert_allclose(logs["reward"], mdp.R[s, a])
    assert (logs["done"] == (logs["next_state"] == "dead")).all() and "dead" not in set(logs["state"])
    aggressive = (logs["action"] == "aggressive drug").groupby(logs["state"], observed=True).mean()
    assert aggressive.is_monotonic_increasing  # sicker patients are treated harder


def test_q_learning_converges_to_the_optimum(small):
    best = small.optimal()
    learned = bk.rl.q_learning(small, n_episodes=100_000, random_state=0)
    living = ~small.terminal
    np.testing.assert_array_equal(learned.policy[:, living], best.policy[:, living])
    assert np.abs(learned.q[:, living] - best.q[:, living]).max() < 0.05
    again = bk.rl.q_learning(small, n_episodes=2_000, random_state=3)
    np.testing.assert_array_equal(again.q, bk.rl.q_learning(small, n_episodes=2_000, random_state=3).q)


def test_fitted_q_iteration_from_many_records_is_near_optimal(small):
    # 20,000 patients: enough records of the actions that the clinicians rarely choose
    logs = small.logged(20_000, random_state=0)
    fqi = bk.rl.fitted_q_iteration(logs, random_state=0)
    assert fqi.q.shape == (3, 3, 3) and list(fqi.to_frame().columns) == ["severity 0", "severity 1"]
    assert small.optimal().expected_return - small.evaluate(fqi.policy) < 0.01


def test_learned_policy_table_is_to_frame_with_a_deprecation_warning(small):
    learned = bk.rl.q_learning(small, n_episodes=500, random_state=0)
    frame = learned.to_frame()
    assert list(frame.columns) == ["severity 0", "severity 1"] and frame.index.name == "visit"
    assert set(frame.stack()) <= set(small.actions)
    with pytest.warns(FutureWarning, match=r"LearnedPolicy\.table\(\) is deprecated.*to_frame\(\)"):
        old = learned.table()
    pd.testing.assert_frame_equal(old, frame)


def test_importance_sampling_of_the_behaviour_policy_is_the_logged_average(mdp):
    logs = mdp.logged(4000, random_state=2)
    est = bk.rl.off_policy_estimates(logs, mdp.behaviour, n_bootstrap=100, random_state=0)
    average = mdp.returns(logs).mean()
    for name in ("logged average", "ordinary IS", "weighted IS", "per-decision IS"):
        assert est.loc[name, "estimate"] == pytest.approx(average, abs=1e-9)
    assert abs(average - mdp.evaluate(mdp.behaviour)) < 4 * est.loc["ordinary IS", "se"]


def test_importance_sampling_is_unbiased_for_another_policy(mdp):
    # Averaged over 200 independent sets of records, ordinary and per-decision IS of a
    # different (random) policy land on its true value; the matching-patients average does not.
    target = np.tile([0.2, 0.6, 0.2], (5, 1))
    runs = pd.DataFrame([bk.rl.off_policy_estimates(mdp.logged(300, random_state=seed), target,
                                                    n_bootstrap=0)["estimate"] for seed in range(200)])
    truth = mdp.evaluate(target)
    for name in ("ordinary IS", "per-decision IS"):
        col = runs[name]
        assert abs(col.mean() - truth) < 4 * col.std() / np.sqrt(len(col)), name
    greedy = mdp.optimal().policy
    one = bk.rl.off_policy_estimates(mdp.logged(3000, random_state=0), greedy, n_bootstrap=0)
    assert abs(one.loc["naive (matching patients)", "estimate"] - mdp.evaluate(greedy)) > 1.0


def test_policy_forms_agree(mdp):
    stationary = np.array([0, 1, 2, 2, 0])
    per_visit = np.tile(stationary, (mdp.n_visits, 1))
    probs = np.eye(3)[stationary]
    values = {mdp.evaluate(p) for p in (stationary, per_visit, probs, np.tile(probs, (mdp.n_visits, 1, 1)))}
    assert max(values) - min(values) < 1e-12


@pytest.mark.parametrize("kwargs, message", [
    ({"n_severity": 1}, "n_severity must be an integer >= 2"),
    ({"n_visits": 0}, "n_visits must be an integer >= 1"),
    ({"benefit": (0.1, 0.2)}, r"benefit must hold 3 numbers in \[0, 1\]"),
    ({"toxicity": (0.0, 0.1, 1.5)}, r"toxicity must hold 3 numbers in \[0, 1\]"),
    ({"discount": 0.0}, r"discount must be a number in \(0, 1\]"),
    ({"confounding": -1}, "confounding must be a number in"),
    ({"initial": (0.5, 0.5)}, "initial must hold 4 probabilities"),
])
def test_bad_simulator_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        bk.simulate.treatment_mdp(**kwargs)


def test_bad_policies_and_learner_arguments(mdp):
    with pytest.raises(ValueError, match=r"policy must be integers of shape \(5,\) or \(8, 5\)"):
        mdp.evaluate(np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match="action numbers outside 0..2"):
        mdp.evaluate(np.full(5, 3))
    with pytest.raises(ValueError, match="sum to 1 over the actions"):
        mdp.evaluate(np.full((5, 3), 0.5))
    with pytest.raises(ValueError, match="n_patients must be an integer >= 1"):
        mdp.simulate(mdp.behaviour, n_patients=0)
    with pytest.raises(ValueError, match=r"epsilon must be a number in \[0, 1\]"):
        bk.rl.q_learning(mdp, epsilon=1.5)
    with pytest.raises(ValueError, match="n_episodes must be an integer >= 1"):
        bk.rl.q_learning(mdp, n_episodes=0)
    with pytest.raises(TypeError, match="mdp must be a TreatmentMDP"):
        bk.rl.q_learning("not an mdp")
    logs = mdp.logged(50, random_state=0)
    with pytest.raises(ValueError, match=r"logs lacks the columns \['behaviour_prob'\]"):
        bk.rl.off_policy_estimates(logs.drop(columns="behaviour_prob"), mdp.behaviour)
    with pytest.raises(ValueError, match="n_bootstrap must be an integer >= 0"):
        bk.rl.off_policy_estimates(logs, mdp.behaviour, n_bootstrap=-1)
    with pytest.raises(ValueError, match="behaviour_prob must be in"):
        bk.rl.off_policy_estimates(logs.assign(behaviour_prob=0.0), mdp.behaviour)
    with pytest.raises(ValueError, match=r"logs\['state'\] must be categorical"):
        bk.rl.fitted_q_iteration(logs.astype({"state": str}))
    with pytest.raises(ValueError, match=r"n_visits \(3\) must exceed the largest visit"):
        bk.rl.fitted_q_iteration(logs, n_visits=3)
    with pytest.raises(ValueError, match=r"more than one row for some \(patient, visit\)"):
        bk.rl.off_policy_estimates(pd.concat([logs, logs.head(1)]), mdp.behaviour)


def test_learners_do_not_modify_the_records(mdp):
    logs = mdp.logged(200, random_state=0)
    copy = logs.copy()
    bk.rl.fitted_q_iteration(logs, random_state=0)
    bk.rl.off_policy_estimates(logs, mdp.optimal().policy, n_bootstrap=10, random_state=0)
    pd.testing.assert_frame_equal(logs, copy)

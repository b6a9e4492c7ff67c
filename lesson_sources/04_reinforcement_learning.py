# %% [markdown]
# # 04 · Reinforcement learning: treatment sequences from a simulator and from records
#
# A chronic disease is treated visit after visit. At each visit the clinician chooses a
# treatment; it may help, it may harm, and its effect shapes the choices at later visits.
# **Reinforcement learning (RL)** learns such *sequences* of decisions from their consequences.
# This lesson works on a simulated patient whose every probability we know, so that each
# learned policy can be graded by its **true** value. It shows two very different situations:
# learning by trial and error in a simulator (Q-learning), and learning from hospital records
# of what clinicians did (fitted Q iteration, off-policy evaluation). The second is the
# realistic one in medicine, and the one where naive analyses go wrong.
#
# ## Learning objectives
# - Describe a treatment problem as a Markov decision process (states, actions, transition probabilities, rewards, horizon) and compute its optimal policy by dynamic programming.
# - Train tabular Q-learning in a simulator and judge the learned policy by its true value.
# - Learn a policy from logged records only with fitted Q iteration, and explain why the clinicians' own choices limit what the records can teach.
# - Explain why naive estimates from confounded records are wrong, and estimate a new policy's value by importance sampling, with its variance.
#
# ## Prerequisites
# - Lesson 01 (scikit-learn models, fitting and predicting).
# - Basic probability: expected values and conditional probabilities. No previous RL.
#
# ## Estimated time
# 95 minutes: 50 teaching, 45 exercises (3, about 15 minutes each).
# Teaching includes the quiz. Timed for a first reading by a newcomer: the prose at about
# 120 words a minute, a minute per code cell to run it and read its output, and about 15
# minutes per exercise including its solution.
#
# ## Datasets
# - A simulated chronic disease treated over 8 visits, from bk.simulate.treatment_mdp
#   (**simulated**: every transition probability and reward is set by the simulator, so the
#   true value of any treatment policy can be computed exactly). It is a simulator rather than
#   a table, so it has no entry in the dataset catalogue. Nothing in this lesson is real
#   patient data, and its numbers say nothing about any real drug.

# %% [markdown]
# ## Setting up
#
# The imports, in one place. Every function that involves chance gets a fixed seed.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import biomedkit as bk

# %% [markdown]
# ## Part 1: the simulated disease
#
# The patient's disease is at one of four **severity levels**, from `severity 0` (remission)
# to `severity 3` (the most severe), or the patient has died (`dead`, which is final). At
# each of 8 visits the clinician chooses an **action**: `none`, a `standard drug` or an
# `aggressive drug`. Until the next visit:
#
# 1. the drug may work (probability `0.05` without treatment, `0.35` with the standard drug,
#    `0.6` with the aggressive one): one level better;
# 2. if not, the disease progresses one level with probability `0.2`;
# 3. independently, a toxic side effect (probability `0`, `0.05` and `0.2`) makes it one level worse;
#
# and from the most severe level, one more step worse is death (there is also a 0.1 chance of
# dying at that level before anything else happens). These rules make a **Markov decision
# process**: what happens next depends only on the current state and action.

# %%
mdp = bk.simulate.treatment_mdp()
mdp

# %% [markdown]
# The **transition probabilities** `P[s, a, s']` hold those rules. For a patient at
# `severity 2`, one row per action: the aggressive drug makes improvement much more likely,
# but it also carries the highest risk of a jump of two levels, which from `severity 2` means
# death (0.016, against 0.007 with the standard drug).

# %%
pd.DataFrame(mdp.P[2], index=pd.Index(mdp.actions, name="action at severity 2"),
             columns=mdp.states).round(3)

# %% [markdown]
# Each visit also brings a **reward** `R[s, a]`: the quality of life at that level (1 in
# remission down to 0.25 at the most severe level) minus the burden of the treatment (0.1 for
# the standard drug, 0.25 for the aggressive one). The sum of the rewards over the 8 visits is
# the patient's **return**, a rough count of quality-adjusted visits.

# %%
pd.DataFrame(mdp.R, index=mdp.states, columns=mdp.actions)

# %% [markdown]
# A **policy** says what to do in each state (and, with a finite horizon, at each visit).
# The clinicians in this simulated hospital follow a random, severity-dependent policy, the
# `behaviour` policy: mild cases mostly get no treatment, severe cases mostly get the
# aggressive drug. (Its last row, for `dead`, means nothing.)

# %%
pd.DataFrame(mdp.behaviour, index=mdp.states, columns=mdp.actions).round(3)

# %% [markdown]
# ## Part 2: the best possible treatment, by dynamic programming
#
# Because the simulator gives `P` and `R`, the best policy can be computed exactly by
# **backward induction** (Bellman's dynamic programming): at the last visit, the best action
# is the one with the highest immediate reward; at every earlier visit, it is the one with the
# highest immediate reward *plus* the expected value of acting optimally afterwards. Working
# backwards from visit 7 to visit 0 gives the optimal action for every visit and state.

# %%
best = mdp.optimal()
mdp.policy_table(best.policy)

# %% [markdown]
# The optimal policy never treats patients in remission. It treats mild disease (`severity 1`)
# with a drug at every visit but the last two (aggressive at the first visit, standard after),
# and moderate and severe disease aggressively at the early visits, then with the standard
# drug. At the last two visits it treats nobody. That last feature is an artefact of the **reward we chose**:
# the simulation stops after 8 visits, so a drug whose benefit arrives after the last visit is
# pure burden. An RL policy optimises exactly the reward it is given, including its blind spots.
#
# `mdp.evaluate(policy)` computes the exact expected return of any policy for a new patient
# (the first severity level is equally likely to be any of the four). Compare the optimal policy
# with the clinicians' and with three simple rules:

# %%
n_states = len(mdp.states)
policies = {
    "never treat": np.zeros(n_states, dtype=int),
    "always standard drug": np.ones(n_states, dtype=int),
    "always aggressive drug": np.full(n_states, 2),
    "clinicians (behaviour)": mdp.behaviour,
    "optimal (dynamic programming)": best.policy,
}
true_values = pd.Series({name: mdp.evaluate(policy) for name, policy in policies.items()},
                        name="true expected return").round(3)
true_values

# %% [markdown]
# The clinicians (4.531) do better than never treating (3.945) or always treating aggressively
# (3.740), and slightly better than always giving the standard drug (4.506), but the optimal
# policy reaches 4.907: about 0.38 quality-adjusted visits more per patient.
#
# The exact value is a computation, not a simulation. As a check, simulate 5,000 patients
# treated optimally and compare their mean return with it:

# %%
optimal_runs = mdp.simulate(best.policy, n_patients=5000, random_state=0)
returns = mdp.returns(optimal_runs)
print(f"simulated mean return: {returns.mean():.3f} ± {returns.std() / np.sqrt(len(returns)):.3f} "
      f"(standard error); exact: {best.expected_return:.3f}")

# %% [markdown]
# ## Part 3: Q-learning, by trial and error in the simulator
#
# In most problems nobody knows `P` and `R`. **Q-learning** learns without them: it treats
# simulated patients one after another, and keeps a table `Q[visit, state, action]` of the
# expected return of each action. After every visit it nudges the entry towards what it just
# observed: the reward plus the best `Q` of the next state. To keep learning about actions
# that currently look worse, it picks a random action 20 % of the time (**epsilon-greedy**
# exploration). `bk.rl.q_learning` only draws samples from the simulator; it never reads `P`
# or `R`.
#
# How much experience does it need? We train it on 500 to 50,000 simulated patients, three
# times each with different seeds, and compute the **true** value of each learned policy.

# %%
sizes = [500, 2000, 5000, 20000, 50000]
curve = pd.DataFrame(
    [{"patients": n, "seed": seed,
      "true value": mdp.evaluate(bk.rl.q_learning(mdp, n_episodes=n, random_state=seed).policy)}
     for n in sizes for seed in range(3)])
curve_table = curve.pivot(index="patients", columns="seed", values="true value").round(3)
curve_table

# %%
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(curve["patients"], curve["true value"], "o", alpha=0.6, label="Q-learning (one dot per seed)")
ax.axhline(best.expected_return, color="black", label="optimal")
ax.axhline(true_values["clinicians (behaviour)"], color="grey", linestyle="--", label="clinicians")
ax.set(xscale="log", xlabel="simulated patients used for learning", ylabel="true expected return")
ax.legend(fontsize=8)
fig.tight_layout()

# %% [markdown]
# With 500 simulated patients, Q-learning already beats the clinicians (true values 4.71 to
# 4.80 against 4.531). With 5,000 it reaches 4.87 to 4.89, and with 20,000 or 50,000 it is
# within 0.03 of the optimum (4.884 to 4.906 against 4.907). The seeds matter less and less as
# experience grows. Below, the policy learned from 20,000 patients (seed 0).

# %%
q_learned = bk.rl.q_learning(mdp, n_episodes=20000, random_state=0)
q_learned.to_frame()

# %% [markdown]
# It is the optimal policy in all but two cells: at visit 0 it gives the standard rather than
# the aggressive drug at `severity 1`, and at visit 5 no treatment rather than the standard
# drug at `severity 3`. Both are near-ties: its true value, 4.905, is a few thousandths
# below the optimum's 4.907. But it needed 20,000 patients treated partly at random:
# acceptable in a simulator, unthinkable in a clinic.
#
# ## Part 4: what the hospital's records show
#
# A real hospital cannot try random treatments on thousands of patients. It has **records**:
# what the clinicians did and what followed. `mdp.logged` produces such records for 2,000
# simulated patients treated by the clinicians' policy: one row per visit, with the state, the
# action, the reward, the next state, whether the patient died (`done`), and the probability
# with which the clinicians chose that action (`behaviour_prob`; real records would not hold
# it, see exercise 3).

# %%
logs = mdp.logged(n_patients=2000, random_state=0)
print(f"{logs['patient'].nunique()} patients, {len(logs)} visits")
logs.head(8)

# %% [markdown]
# A first, naive question: how did patients fare depending on the treatment they got at their
# first visit?

# %%
logged_returns = mdp.returns(logs)
first_visit = logs[logs["visit"] == 0].set_index("patient")[["state", "action"]].join(logged_returns)
first_visit.groupby("action", observed=True)["return"].agg(["mean", "size"]).round(3)

# %% [markdown]
# Read naively, the aggressive drug looks harmful: patients who received it at their first visit
# had a mean return of 3.08, against 5.87 for those who received nothing. But the clinicians
# gave the aggressive drug mostly to the sickest patients, who fare worst whatever they receive:
# severity **confounds** the comparison. Comparing within each first-visit severity level
# removes most of that confounding:

# %%
pd.concat({
    "mean return in the records": first_visit.pivot_table(index="state", columns="action", values="return",
                                                          aggfunc="mean", observed=True),
    "patients": first_visit.pivot_table(index="state", columns="action", values="return",
                                        aggfunc="size", observed=True),
}, axis=1).round(2)

# %% [markdown]
# Within severity levels the picture reverses for the sicker patients: at `severity 3` the
# aggressive drug comes first (2.01 against 1.66 for the standard drug and 0.25 without
# treatment, the last from only 3 patients), and at `severity 1` and `severity 2` either
# drug beats no treatment. Only in remission is no treatment best. Note the empty-looking
# cells: 9 patients in remission got the aggressive drug, 3 severe patients got nothing.
# Records can only teach what clinicians actually did.
#
# ## Part 5: fitted Q iteration, a policy from the records alone
#
# **Fitted Q iteration (FQI)** learns `Q` from the records with an ordinary regression model.
# Starting from the last visit and working backwards, it fits a regressor (here scikit-learn's
# extra-trees, on one-hot codes of the state and the action) to predict, for each recorded
# visit, the reward plus the best predicted `Q` of the next state. Within each visit and state,
# the model compares the patients who happened to receive each treatment, which is exactly what
# the stratified table above did, extended to whole sequences. It never touches the simulator.

# %%
fqi = bk.rl.fitted_q_iteration(logs, random_state=0)
fqi.to_frame()

# %% [markdown]
# The policy learned from records resembles the optimal one but differs in 7 of its 32 cells.
# Several of its choices are actions the clinicians rarely took in that state: the standard
# drug in remission at visit 1 (the clinicians give it to 12 % of patients in remission), the
# aggressive drug at `severity 1` at visit 3 (15 %), no treatment at `severity 3` at visit 5
# (under 2 %). Where the records hold few patients, the regression has little to go on; where
# two actions are nearly as good, chance decides. The next cell grades all learned policies by
# their true value.

# %%
comparison = pd.Series({
    "clinicians (behaviour)": mdp.evaluate(mdp.behaviour),
    "Q-learning (20,000 simulated patients)": mdp.evaluate(q_learned.policy),
    "fitted Q iteration (2,000 patients' records)": mdp.evaluate(fqi.policy),
    "optimal (dynamic programming)": best.expected_return,
}, name="true expected return").round(3)
comparison

# %% [markdown]
# From 2,000 patients' records alone, FQI found a policy worth 4.850, most of the way from
# the clinicians (4.531) to the optimum (4.907); Q-learning, with 20,000 simulated patients
# and the freedom to experiment, came closer (4.905). Both numbers are **true** values,
# computed with the simulator's exact probabilities. With real records nobody can compute
# them, which is the subject of the next part.
#
# ## Part 6: estimating a new policy's value from records (off-policy evaluation)
#
# Before anyone uses the FQI policy, we would like to know its value. In the simulator we can
# compute it; in reality we have only records of patients treated *differently*. Estimating a
# policy's value from such records is **off-policy evaluation**. We use a fresh set of records
# (another 2,000 patients): judging a policy on the records it was learned from would flatter it.
#
# `bk.rl.off_policy_estimates` computes several estimates, each with a bootstrap standard
# error (patients resampled 200 times):
#
# - **logged average**: the mean return in the records, i.e. the clinicians' value, not the
#   new policy's;
# - **naive (matching patients)**: the mean return of the patients whose every recorded action
#   happens to be the one the new policy would have chosen;
# - **importance sampling (IS)**: every patient counts, weighted by how much more (or less)
#   likely their recorded actions are under the new policy than under the clinicians':
#   the product over visits of `pi(action | state) / b(action | state)`. **Ordinary IS**
#   averages weight x return; **weighted IS** divides by the sum of the weights instead of the
#   number of patients; the **per-decision** versions weight each visit's reward only by the
#   ratios up to that visit.

# %%
fresh_logs = mdp.logged(n_patients=2000, random_state=1)
ope, effective = {}, {}
for name, policy in (("optimal", best.policy), ("FQI", fqi.policy)):
    table = bk.rl.off_policy_estimates(fresh_logs, policy, random_state=0)
    ope[f"{name} policy (true value {mdp.evaluate(policy):.3f})"] = table[["estimate", "se"]]
    effective[name] = table.loc["ordinary IS", "effective_n"]
print("effective number of patients behind ordinary and weighted IS: "
      + ", ".join(f"{name} policy {n:.1f}" for name, n in effective.items()))
pd.concat(ope, axis=1).round(3)

# %% [markdown]
# Compare each row with the true values in the column titles (4.907 and 4.850):
#
# - The **logged average** (4.534) is the clinicians' value, the same whatever policy we ask
#   about.
# - The **naive** estimate is far too low: 2.18 for the optimal policy, 0.67 for FQI's.
# - **Ordinary IS** is centred in the right place in theory but very uncertain here (standard
#   errors 1.3 and 1.9): the weights concentrate on a dozen patients or fewer out of 2,000.
# - **Weighted IS** is steadier but lands above the truth (5.51 and 5.01).
# - **Per-decision IS** comes closest in this set of records (4.92 and 4.81), with standard
#   errors of 0.6 to 1.0; its weighted version has the smallest standard errors (0.15 and 0.20)
#   but overestimates (5.21 and 5.16): for the optimal policy it sits two standard errors above
#   the truth, so its confidence interval would just miss it.
#
# Why is the naive estimate so wrong? The next cell compares the patients whose records happen
# to follow the optimal policy at every visit with the others.

# %%
policy_actions = best.policy[fresh_logs["visit"], fresh_logs["state"].cat.codes]
follows = pd.Series(policy_actions == fresh_logs["action"].cat.codes.to_numpy()).groupby(
    fresh_logs["patient"].to_numpy()).all()
patients = pd.DataFrame({
    "died": fresh_logs.groupby("patient")["done"].any(),
    "visits": fresh_logs.groupby("patient").size(),
    "follows the optimal policy": follows,
})
patients.groupby("follows the optimal policy")[["died", "visits"]].mean().round(3)

# %% [markdown]
# 71 % of the "matching" patients died, against 11 % of the others, and they had 3.4 visits on
# average against 7.6. A patient who dies after three visits needs only three recorded actions
# to agree with the policy; a patient who lives through eight visits needs eight. And the
# clinicians give the standard drug at `severity 1` less than a third of the time, while the
# optimal policy gives it there at visits 1 to 5. Which records match depends on how the patients fared: a selection
# driven by the disease itself, so their mean return says little about the policy.
# Importance sampling corrects for that selection by giving each patient the weight their
# actions would have under the new policy, relative to the clinicians' policy.
#
# ### How variable are the estimates? Repeat the whole study
#
# A bootstrap standard error comes from one set of records. In the simulator we can do better:
# collect 200 independent sets of records (2,000 patients each) and estimate the optimal
# policy's value from each. The spread of the 200 estimates is each estimator's true
# variability, and their mean shows its bias.

# %%
repeats = pd.DataFrame([
    bk.rl.off_policy_estimates(mdp.logged(2000, random_state=100 + i), best.policy, n_bootstrap=0)["estimate"]
    for i in range(200)])
truth = best.expected_return
summary = pd.DataFrame({"mean": repeats.mean(), "median": repeats.median(), "sd": repeats.std(),
                        "root mean squared error": np.sqrt(((repeats - truth) ** 2).mean())})
print(f"true value of the optimal policy: {truth:.3f}")
summary.round(3)

# %%
fig, ax = plt.subplots(figsize=(7, 3.2))
for i, name in enumerate(repeats.columns):
    jitter = np.random.default_rng(i).uniform(-0.25, 0.25, len(repeats))
    ax.scatter(repeats[name], i + jitter, s=6, alpha=0.5)
ax.axvline(truth, color="black", linestyle="--", label="true value")
ax.set(yticks=range(len(repeats.columns)), yticklabels=repeats.columns, xlim=(0, 12),
       xlabel="estimated value of the optimal policy (one dot per set of records)")
ax.invert_yaxis()
ax.legend(loc="lower right", fontsize=8)
fig.tight_layout()
print(f"ordinary IS estimates beyond the plot's right edge (12): {(repeats['ordinary IS'] > 12).sum()}")

# %% [markdown]
# Over 200 repetitions:
#
# - The **naive** estimate is wrong every time (mean 2.29): more data would not fix it.
# - **Ordinary IS** has a mean of 4.60 over these 200 runs, below the truth although it is
#   unbiased in theory, because its distribution is extremely skewed: most runs underestimate
#   (median 3.80) and a few overshoot wildly. Its root mean squared error (3.22) is the worst of
#   all. With 8 decisions per patient, products of 8 ratios explode.
# - **Per-decision IS** has a mean of 4.84, close to the truth, with about a third of the
#   spread (sd 1.04).
# - **Weighted IS** (mean 5.11) and **weighted per-decision IS** (mean 4.97) trade a bias for a
#   much smaller spread; weighted per-decision IS has the smallest error of all (0.275).
# - The plain **logged average** (error 0.383), which answers the wrong question, still beats
#   every estimator but one. Off-policy evaluation over long sequences needs a lot of data,
#   and a careful choice of estimator; report its uncertainty, always.

# %% [markdown]
# ### Exercise 1: a randomised trial instead of clinicians
#
# `bk.simulate.treatment_mdp(confounding=0)` is the same disease, but the "clinicians" now
# choose every treatment with probability 1/3 whatever the severity, as in a randomised trial.
# Log 2,000 patients (`random_state=0`) and repeat the naive comparison of mean returns by
# first-visit action. Then fit FQI on these records (`random_state=0`) and compute the true
# value of its policy. Compare both with the confounded records above.

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 1
trial = bk.simulate.treatment_mdp(confounding=0)
trial_logs = trial.logged(n_patients=2000, random_state=0)
trial_first = trial_logs[trial_logs["visit"] == 0].set_index("patient")[["action"]].join(trial.returns(trial_logs))
print(trial_first.groupby("action", observed=True)["return"].mean().round(3))
trial_fqi = bk.rl.fitted_q_iteration(trial_logs, random_state=0)
print(f"FQI from the trial: {trial.evaluate(trial_fqi.policy):.3f}; "
      f"from the clinicians' records: {mdp.evaluate(fqi.policy):.3f}; optimal: {best.expected_return:.3f}")
# In the trial the mean returns by first-visit action are close (4.07 to 4.20): with
# treatment assigned at random, no severity difference between the groups distorts them,
# and the small differences left are the first visit's treatment effect plus chance. FQI
# learned a slightly better policy from the trial (4.869) than from the clinicians' records
# (4.850), because every action was tried in every state. (Importance sampling would
# suffer in a trial of this design: with probability 1/3 for each action, the chance that 8
# random actions all agree with a given policy is tiny.)

# %% [markdown]
# ### Exercise 2: how many records does fitted Q iteration need?
#
# Fit FQI on records of 200, 500, 2,000 and 10,000 patients (`mdp.logged(n, random_state=0)`,
# FQI with `random_state=0`) and compute the true value of each learned policy. How does it
# compare with the clinicians' value and the optimum?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 2
for n in (200, 500, 2000, 10000):
    learned = bk.rl.fitted_q_iteration(mdp.logged(n, random_state=0), random_state=0)
    print(f"{n:>6} patients: true value {mdp.evaluate(learned.policy):.3f}")
print(f"clinicians {mdp.evaluate(mdp.behaviour):.3f}; optimal {best.expected_return:.3f}")
# Even 200 patients' records give a policy (4.742) better than the clinicians' own (4.531);
# more records bring FQI closer to the optimum (4.873 with 10,000), but slowly: the last
# gains depend on treatments the clinicians rarely give, of which even large records hold few.

# %% [markdown]
# ### Exercise 3: when the clinicians' probabilities are unknown
#
# Real records say what was done, not with what probability. Estimate the clinicians' policy
# from `fresh_logs`: for each state, the share of visits at which each action was chosen
# (`pd.crosstab(..., normalize="index")`). Put the estimated probability of each recorded
# action in place of `behaviour_prob` (on a copy), and recompute the off-policy estimates of
# the optimal policy. Do they change much?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 3
estimated = pd.crosstab(fresh_logs["state"], fresh_logs["action"], normalize="index").reindex(
    index=mdp.states, columns=mdp.actions, fill_value=0.0)  # "dead" never has an action
print(estimated.round(3))
estimated_prob = estimated.to_numpy()[fresh_logs["state"].cat.codes, fresh_logs["action"].cat.codes]
with_estimates = fresh_logs.assign(behaviour_prob=estimated_prob)
pd.DataFrame({
    "known probabilities": bk.rl.off_policy_estimates(fresh_logs, best.policy, n_bootstrap=0)["estimate"],
    "estimated probabilities": bk.rl.off_policy_estimates(with_estimates, best.policy, n_bootstrap=0)["estimate"],
}).round(3)
# The estimated probabilities are close to the true ones (for example 0.558 against 0.563 for
# no treatment at severity 1), and the estimates move by less than 0.16 (ordinary IS: 4.286 to
# 4.133). Here the clinicians' policy depends only on the recorded severity, so counting works.
# In real records, choices depend on things that were never recorded (the clinician's
# impression, the patient's wishes): then no estimate of the probabilities is right, and
# importance sampling inherits the confounding it was meant to remove.

# %% [markdown]
# ## Take-aways
# - A treatment sequence can be written as a Markov decision process: states, actions,
#   transition probabilities, rewards and a horizon. When they are known, dynamic programming
#   gives the optimal policy exactly, and it optimises the reward as written, blind spots included.
# - Q-learning learns a near-optimal policy by trial and error, but it needed thousands of
#   simulated patients treated partly at random: a method for simulators, not for clinics.
# - Fitted Q iteration learns from records alone; it improved on the clinicians here, but it
#   can only learn about treatments the clinicians actually gave, in the states they gave them.
# - Records are confounded: the sickest got the strongest drug. Naive comparisons and averages
#   over "matching" patients are badly wrong, and more data do not fix them.
# - Importance sampling corrects the selection when the clinicians' probabilities are known or
#   can be estimated; over many decisions its variance is large, so report its uncertainty and
#   prefer per-decision and weighted versions.
#
# ## Self-check quiz
# 1. Why did the optimal policy stop all treatment at the last two visits, and what would you
#    change in the reward to avoid it?
# 2. In the records, patients who got the aggressive drug at their first visit had the lowest
#    mean return. Why is that not evidence that the drug is harmful?
# 3. A colleague evaluates a new policy by averaging the returns of the patients whose recorded
#    treatments all agree with it. What is wrong with this, here?
# 4. Ordinary importance sampling is unbiased. Why did it have the largest error of all
#    estimators over 200 repetitions?
#
# <details><summary>Answers</summary>
#
# 1. The return counts only the 8 visits: a drug given at the last visits costs its burden
#    now but improves only visits that are never counted. Add a terminal reward for the state
#    at the end of follow-up (for example the expected quality of life afterwards), or use a
#    longer horizon with discounting.
# 2. Confounding by severity: the clinicians gave the aggressive drug mostly to the sickest
#    patients, who fare worst anyway. Within a severity level, the aggressive drug did as well as
#    or better than no treatment for the sicker patients.
# 3. Whether a record agrees with the policy depends on how the patient fared: patients who
#    died early had few actions to match, so they are over-represented (71 % of the matching
#    patients died against 11 % of the others), and the estimate is far too low.
# 4. Its weight is a product of 8 probability ratios, so a few patients get huge weights and
#    most get almost none. The estimates are extremely skewed: most runs underestimate and a
#    few overshoot wildly, so any single estimate can be far from the truth.
#
# </details>

# %% [markdown]
# # 20 · Causal inference: does quitting smoking make people gain weight?
#
# Most lessons of this series ask a *prediction* question: given what we know about a
# patient, what will happen? This lesson asks a *causal* one: what would happen if we
# intervened? Smokers who quit tend to gain weight, and we can measure how much more quitters
# gained than those who kept smoking. But quitters were not a random half of the smokers:
# they were older, for instance, and age also affects weight. The difference between the
# groups mixes the effect of quitting with the differences between the people who quit and
# those who did not. This lesson estimates the effect of quitting on weight gain in a real
# cohort, the NHEFS data of Hernán and Robins' book *Causal Inference: What If*, with three
# methods that adjust for measured confounders: inverse-probability weighting,
# standardisation and a doubly robust combination of the two. It reproduces the book's
# numbers, checks the assumptions that can be checked (overlap, balance, a negative control),
# and uses a simulated study whose true effect is known to show what each method can and
# cannot repair.
#
# ## Learning objectives
# - State a causal question as a contrast of potential outcomes, and explain why the naive difference between treated and untreated people is not an effect in observational data.
# - Estimate an average treatment effect with inverse-probability weighting, standardisation and AIPW, with intervals, and reproduce published estimates.
# - Check overlap (propensity distributions, extreme weights, effective sample size) and covariate balance (standardised mean differences, a love plot), and say what truncating or trimming weights changes.
# - Use a negative-control outcome and a simulation with a known effect to test what adjustment repairs (confounding by measured variables, one wrong model) and what it cannot (unmeasured confounding).
#
# ## Prerequisites
# - Lesson 02 (logistic regression as a risk model) and lesson 11 (confidence intervals,
#   paired comparisons); linear regression.
# - Lesson 05 (missing data), for why rows with missing values are not dropped silently.
#
# ## Estimated time
# 86 minutes: 41 teaching, 45 exercises (3, about 15 minutes each).
# Teaching includes the quiz. Timed for a first reading by a newcomer: the prose at about
# 120 words a minute, a minute per code cell to run it and read its output, and about 15
# minutes per exercise including its solution.
#
# ## Datasets
# - `nhefs` (**real**: the NHANES I Epidemiologic Follow-up Study as used in *What If*;
#   1,629 cigarette smokers examined in 1971-75 and again in 1982, of whom 1,566 have a
#   measured weight change) in Parts 1 to 5.
# - `observational_study` (**simulated**: patients treated more often when more severely ill,
#   with every patient's two potential outcomes known) in Part 4 and the exercises.

# %% [markdown]
# ## Setting up
#
# The bootstraps get a fixed seed, so the numbers below are the numbers you get. The models
# here are small regressions: the lesson needs no GPU, and `threadpool_limits(1)` keeps the
# linear algebra on one thread, which is faster for matrices this small on a busy 2-core
# machine. The first line, as in the other lessons, asks idle worker threads to sleep instead
# of spinning. `compare` lines up several results in one table.

# %%
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats
from threadpoolctl import threadpool_limits

import biomedkit as bk

limits = threadpool_limits(1)
SEED = 0
pd.set_option("display.float_format", "{:.3f}".format)
pd.set_option("display.width", 120)


def compare(results):
    """One row per result: estimate, interval and how it was computed."""
    table = pd.concat([r.to_frame() for r in results.values()])
    table.index = list(results)
    return table[["estimate", "low", "high", "se", "n", "interval"]]


# %% [markdown]
# ## Part 1: the question, and the naive answer
#
# ### Step 1: the data
#
# In 1971-75 the participants were smokers; by 1982 some had quit (`qsmk = 1`) and the rest
# had not (`qsmk = 0`). The outcome `wt82_71` is the weight change in kg between the two
# examinations. The 1982 weight is missing for 63 people lost to follow-up; like the book's
# chapters 12 and 13 we analyse the 1,566 with a measured outcome. (That is itself an
# assumption: that losing people did not depend on both quitting and weight. Later in
# chapter 12 the book relaxes it with censoring weights.)

# %%
nhefs = bk.datasets.load("nhefs")
print(nhefs)
data = nhefs.frame[nhefs.frame["wt82_71"].notna()].copy()
print(f"{len(data)} participants with a weight change; {int(data['qsmk'].sum())} quit smoking")
data.groupby("qsmk")["wt82_71"].agg(["count", "mean", "std"])

# %% [markdown]
# ### Step 2: the naive difference
#
# Quitters gained more weight. `bk.causal.difference_in_means` gives the difference of the
# two means with Welch's interval:

# %%
naive = bk.causal.difference_in_means(data, treatment="qsmk", outcome="wt82_71")
print(naive)

# %% [markdown]
# About 2.5 kg more among quitters, and the interval is far from zero. This is an
# **association**: quitters gained more weight than non-quitters. The causal question is
# different. Write $Y^{1}$ for the weight change a person *would have had* had they quit and
# $Y^{0}$ had they not: these are **potential outcomes**, and each person shows only one of
# them. The **average causal effect** is $E[Y^{1}] - E[Y^{0}]$, a comparison of the *same*
# population under two interventions. The naive difference compares two *different*
# populations, $E[Y \mid A=1] - E[Y \mid A=0]$, and the two coincide only if quitters and
# non-quitters would have gained the same weight had they all done the same thing, which a
# coin flip would guarantee (a randomised trial) and nothing guarantees here.
#
# ### Step 3: who quit?

# %%
who = ["age", "sex", "race", "smokeintensity", "smokeyrs", "wt71"]
data.groupby("qsmk")[who].mean().T.rename(columns={0.0: "kept smoking", 1.0: "quit"})

# %% [markdown]
# Quitters were older, more often men (`sex` is 1 for women), smoked fewer cigarettes a day
# (`smokeintensity`) but for more years (`smokeyrs`), and weighed a little more. Age, sex and
# smoking history also affect how weight changes over a decade. Variables that affect both
# the treatment and the outcome are **confounders**: they open a path from quitting to weight
# change that does not go through the effect of quitting.

# %% [markdown]
# ## Part 2: the assumptions, and the book's confounders
#
# Adjusted estimates are causal only under three conditions (What If, chapter 3):
#
# - **Exchangeability given the confounders** $L$: among people with the same $L$, quitting
#   was as good as random. No measured quantity can confirm this; it rests on knowing which
#   causes of quitting also affect weight, and on having measured them.
# - **Positivity**: everyone had a chance of both quitting and not quitting, whatever their
#   $L$. This one can be checked (Part 4).
# - **Consistency**: "quitting" means one well-defined thing, whose outcome is the one
#   observed.
#
# The book adjusts for sex, race, age, education, cigarettes per day, years of smoking,
# exercise, how active the person was in daily life, and the 1971 weight, all measured at
# baseline before anyone quit, with the squares of the four continuous ones (so that their
# effects can curve) and education, exercise and activity as categories (indicator columns
# with the first level as reference). The functions of `bk.causal` use columns as given, so
# we build those terms ourselves: 18 columns.

# %%
for column in ["age", "smokeintensity", "smokeyrs", "wt71"]:
    data[f"{column}_sq"] = data[column] ** 2
data = pd.get_dummies(data, columns=["education", "exercise", "active"], drop_first=True, dtype=float)
confounders = ["sex", "race", "age", "age_sq", "smokeintensity", "smokeintensity_sq", "smokeyrs",
               "smokeyrs_sq", "wt71", "wt71_sq"] + [
    c for c in data.columns if c.startswith(("education_", "exercise_", "active_"))]
print(len(confounders), "columns:", ", ".join(confounders))

# %% [markdown]
# ## Part 3: three ways to adjust
#
# ### Step 1: inverse-probability weighting
#
# A logistic regression of `qsmk` on the confounders gives each person's **propensity**
# $e(L) = P(A = 1 \mid L)$. Weighting each quitter by $1/e(L)$ and each non-quitter by
# $1/(1 - e(L))$ creates a **pseudo-population** in which $L$ no longer predicts quitting:
# a person who quit although people like them rarely did stands in for the many like them
# who did not. **Stabilised** weights multiply by the share of each group, $P(A = a)$, so
# that their mean is near 1 and extreme weights stand out. The effect is the difference of
# the weighted means; its interval comes from the robust (sandwich) variance of a weighted
# regression, as in the book.

# %%
ipw = bk.causal.ipw(data, treatment="qsmk", outcome="wt82_71", confounders=confounders)
print(ipw)

# %% [markdown]
# Did the weighting do its job? A **standardised mean difference** (SMD) compares a
# confounder's mean between the groups in units of its standard deviation; an absolute SMD
# below 0.1 is the usual rule of thumb for balance. `bk.causal.balance` computes it before
# and after weighting, and its plot (a **love plot**) shows every confounder at once.

# %%
balance = bk.causal.balance(data, treatment="qsmk", confounders=confounders)
print(balance)
balance.plot()
plt.title("Balance before and after IP weighting (NHEFS)")
plt.show()

# %% [markdown]
# Weighting balanced every measured confounder. That is all it can show: balance of
# *measured* variables, and of their means only. It says nothing about confounders nobody
# measured.
#
# ### Step 2: standardisation (the g-formula)
#
# The other route models the **outcome**: a linear regression of weight change on quitting,
# the confounders and, as in the book, the product of quitting and cigarettes per day (so
# that the effect of quitting may differ between light and heavy smokers). Then every
# participant's weight change is predicted twice, once as a quitter and once as a
# non-quitter, and the two predictions are averaged over all 1,566: the **standardised**
# means, whose difference is the effect. The book's interval is a bootstrap: resample the
# participants, refit the model and repeat. We use 300 resamples.

# %%
B = 300
standardised = bk.causal.standardization(
    data, treatment="qsmk", outcome="wt82_71", confounders=confounders,
    interactions=["smokeintensity"], n_boot=B, random_state=SEED)
print(standardised)
print(f"mean weight change had everyone quit: {standardised.mean_treated:.2f} kg; "
      f"had no one quit: {standardised.mean_untreated:.2f} kg")

# %% [markdown]
# The two methods rest on different models: weighting on a model of *who quits*,
# standardisation on a model of *how weight changes*. They agree closely here. The book's
# printed results, next to ours:

# %%
book = pd.DataFrame({
    "What If": [3.44, 2.41, 4.47, 3.52, 2.6, 4.5],
    "this lesson": [ipw.estimate, ipw.low, ipw.high, standardised.estimate, standardised.low,
                    standardised.high]},
    index=["IP weighting: estimate", "  95% CI low (robust)", "  95% CI high (robust)",
           "standardisation: estimate", "  95% CI low (bootstrap)", "  95% CI high (bootstrap)"])
book

# %% [markdown]
# The estimates agree to the digits the book prints (3.44 kg and 3.52 kg). The bootstrap
# interval's ends move a little with the seed and the number of resamples.
#
# ### Step 3: augmented IP weighting, doubly robust
#
# **AIPW** uses both models. Each person contributes the outcome model's predicted effect,
# corrected by their weighted residuals:
#
# $$\hat m_1 - \hat m_0 + \frac{A\,(Y - \hat m_1)}{\hat e} - \frac{(1 - A)\,(Y - \hat m_0)}{1 - \hat e}.$$
#
# If the outcome model is right, the residuals average zero and the weights do not matter;
# if the propensity model is right, the weighted residuals repair the outcome model's error.
# So the estimate is consistent when *either* model is right: **doubly robust**. Exercise 2
# checks this on simulated data. By default the outcome model interacts quitting with every
# confounder (one outcome model per group).
#
# ### Step 4: all estimates, and are they different from the naive one?
#
# Two overlapping intervals do not tell whether two estimates differ: they are computed on
# the same people and are correlated. Bootstrapping every estimator with the same seed
# resamples the same participants for each, so `bk.causal.effect_difference` can compute a
# **paired** interval of the difference from the matched replicates.

# %%
kw = dict(treatment="qsmk", outcome="wt82_71", n_boot=B, random_state=SEED)
results = {
    "naive": bk.causal.difference_in_means(data, **kw),
    "IP weighting": bk.causal.ipw(data, confounders=confounders, **kw),
    "standardisation": standardised,
    "AIPW": bk.causal.aipw(data, confounders=confounders, **kw),
}
print("Effect of quitting on weight change (kg), 95% bootstrap intervals:")
print(compare(results))
differences = pd.concat([bk.causal.effect_difference(results[m], results["naive"]).to_frame()
                         for m in ["IP weighting", "standardisation", "AIPW"]])
print("\nAdjusted minus naive, paired bootstrap:")
print(differences)

# %% [markdown]
# The three adjusted estimates agree with each other, and the paired intervals say whether
# each differs from the naive one: if an interval excludes zero, adjustment for the measured
# confounders moved the estimate by more than resampling noise. The confounders hid part of
# the effect: quitters were, for example, older, and among those who kept smoking the older
# participants gained less weight.

# %% [markdown]
# ## Part 4: positivity, extreme weights, and what truncation does
#
# ### Step 1: overlap in NHEFS
#
# Weighting needs, for every kind of person, some who quit and some who did not. The plot
# mirrors the propensities of the two groups; the table gives the range of the propensities
# and the weights, and Kish's **effective sample size** (ESS), $(\sum w)^2 / \sum w^2$: the
# number of equally weighted people that would give the same precision.

# %%
check = bk.causal.overlap(data, treatment="qsmk", confounders=confounders)
check.plot()
plt.title("NHEFS: propensity of quitting")
plt.show()
check.to_frame()

# %% [markdown]
# Propensities stay well away from 0 and 1 in both groups, the largest stabilised weight is
# small, and the ESS is close to the number of people. A common remedy for large weights is to
# **truncate** them: cap them at a high percentile (Cole and Hernán, 2008). Here it changes
# almost nothing, as it should when the weights are tame:

# %%
truncation = {f"IPW, weights capped at {q or 'no'} quantile": bk.causal.ipw(
    data, treatment="qsmk", outcome="wt82_71", confounders=confounders, truncate=q) for q in (None, 0.99, 0.95)}
compare(truncation)

# %% [markdown]
# ### Step 2: poor overlap, with the truth known
#
# What do extreme weights do? In NHEFS we cannot know, because the true effect is unknown.
# `bk.simulate.observational_study` simulates an observational study whose truth we keep: 2,000
# patients with an age, a sex, a disease-severity score and a BMI; sicker patients are
# treated more often (**confounding by indication**), and severity also lowers the outcome,
# a symptom score after a year (higher is better). The true average effect of treatment is
# known, and so is each patient's. With `confounding=2` treatment is decided largely by
# severity; with `heterogeneity=1` sicker patients benefit more, so that which patients are
# weighted matters.

# %%
sim, truth = bk.simulate.observational_study(n=2000, confounding=2.0, heterogeneity=1.0,
                                              random_state=SEED)
print(truth)
sim_check = bk.causal.overlap(sim, treatment="treated", confounders=truth.confounders)
sim_check.plot()
plt.title("Simulated study, strong confounding: propensity of treatment")
plt.show()
sim_check.to_frame()

# %% [markdown]
# Now the groups barely overlap at the ends: some treated patients had a propensity near 0,
# so each of them stands in for many untreated patients like them, and a handful of weights
# dominate. The ESS among the treated is a small fraction of their number.
#
# One simulated study is one draw. To see bias (the average error) and spread, we repeat the
# study 40 times with new patients, estimate the effect each time, and compare with each
# study's true average effect. The table gives the mean error with its 95 % interval over
# the 40 studies, the spread of the errors (SD), and how often the 95 % interval contained
# the truth (coverage).

# %%
def simulation_study(estimators, n_studies=40, **knobs):
    """Errors of several estimators over repeated simulated studies, against the truth."""
    rows = []
    for seed in range(n_studies):
        study, true = bk.simulate.observational_study(n=2000, random_state=seed, **knobs)
        for name, estimate in estimators.items():
            r = estimate(study, true.confounders)
            rows.append({"method": name, "error": r.estimate - true.ate,
                         "covered": r.low <= true.ate <= r.high})
    errors = pd.DataFrame(rows).groupby("method", sort=False)
    t = stats.t.ppf(0.975, n_studies - 1)
    summary = errors["error"].agg(["mean", "std"]).rename(columns={"mean": "mean error", "std": "SD"})
    half = t * summary["SD"] / np.sqrt(n_studies)
    summary.insert(1, "low", summary["mean error"] - half)
    summary.insert(2, "high", summary["mean error"] + half)
    summary["coverage"] = errors["covered"].mean()
    return summary


SIM = dict(treatment="treated", outcome="outcome")
estimators = {
    "naive": lambda d, L: bk.causal.difference_in_means(d, **SIM),
    "IPW": lambda d, L: bk.causal.ipw(d, confounders=L, **SIM),
    "IPW truncated at 0.99": lambda d, L: bk.causal.ipw(d, confounders=L, truncate=0.99, **SIM),
    "IPW truncated at 0.95": lambda d, L: bk.causal.ipw(d, confounders=L, truncate=0.95, **SIM),
    "standardisation": lambda d, L: bk.causal.standardization(d, confounders=L, **SIM),
    "AIPW": lambda d, L: bk.causal.aipw(d, confounders=L, **SIM),
}
simulation_study(estimators, confounding=2.0, heterogeneity=1.0)

# %% [markdown]
# Read the columns together. The naive estimate is far off in every study. Untruncated IPW
# is right on average (its interval of the mean error includes zero), but its errors scatter
# widely: any one study can be far off. Truncation steadies the estimates and makes them
# wrong: the capped weights no longer remove the confounding, and the intervals rarely
# contain the truth. Standardisation does best here, and that needs a caveat: where the groups
# do not overlap, the outcome model *extrapolates*, and it extrapolates correctly only because
# this simulated outcome is exactly linear, which no one can check in real data. AIPW, which
# also uses the weights, inherits part of their instability. With poor overlap every method
# leans on a model where there are no data.
#
# ### Step 3: trimming changes the question
#
# Another remedy drops the people whose propensity is extreme (**trimming**), here those
# outside `0.05` to `0.95` (Crump and colleagues, 2009, proposed `0.1` to `0.9` as a rule of
# thumb). The estimate is then more stable, but it is the effect among the people who
# remain, those who could plausibly have received either treatment. With the truth at hand we can see that this is a different
# number:

# %%
ps = sim_check.propensity
keep = ((ps > 0.05) & (ps < 0.95)).to_numpy()
trimmed = bk.causal.ipw(sim.frame[keep], confounders=truth.confounders, **SIM)
print(f"kept {keep.sum()} of {keep.size} patients")
print(trimmed)
print(f"true average effect among those kept: {truth.individual_effect[keep].mean():.3f}; "
      f"in everyone: {truth.ate:.3f}")

# %% [markdown]
# Trimming is often the honest choice when some patients never had a real chance of one
# treatment, but then the report must say for whom the effect holds.

# %% [markdown]
# ## Part 5: a negative control
#
# A **negative-control outcome** is one the treatment cannot affect but which shares the
# confounders of the real outcome. If adjustment finds an "effect" on it, something other
# than the treatment, such as residual confounding, is producing effects. A variable
# measured *before* anyone quit cannot have been changed by quitting. Height in 1971 (`ht`,
# in cm) is one: it differs by sex and race, which are among our confounders.

# %%
control = {"naive": bk.causal.difference_in_means(data, treatment="qsmk", outcome="ht"),
           "IP weighting": bk.causal.ipw(data, treatment="qsmk", outcome="ht", confounders=confounders)}
print("'Effect' of quitting on height in 1971 (cm):")
compare(control)

# %% [markdown]
# Quitters were taller, because more of them were men; after weighting, the "effect" on
# height is compatible with zero. A passed negative control is reassuring only about the
# confounders it shares with weight change: height says little about, say, motivation to
# stay healthy. A failed one would be a clear warning.
#
# Serum cholesterol in 1971 is another baseline measure, but it is missing for a few
# participants. The estimators refuse to drop rows silently, because that would change the
# population the effect refers to; the message names the columns and the fix:

# %%
try:
    bk.causal.ipw(data, treatment="qsmk", outcome="cholesterol", confounders=confounders)
except ValueError as error:
    print("ValueError:", error)
measured = data.dropna(subset=["cholesterol"])
print(bk.causal.ipw(measured, treatment="qsmk", outcome="cholesterol", confounders=confounders))

# %% [markdown]
# ## Part 6: what the analysis says, and what it does not
#
# Under the three assumptions, quitting smoking caused an average weight gain of roughly
# 3.4 to 3.5 kg over about ten years in this population, about 1 kg more than the naive
# comparison suggested. The estimate is as good as the list of confounders: a cause of
# both quitting and weight change that was never measured (a new diagnosis that prompts both
# quitting and weight loss, say) would bias all three methods alike, and no balance table or
# bootstrap can detect it. Exercise 3 shows that with the truth at hand. A randomised trial
# removes that worry; observational analysis replaces it with explicit assumptions, checked
# where they can be.

# %% [markdown]
# ### Exercise 1: recover a known effect
#
# Simulate a study with `bk.simulate.observational_study(n=2000, effect=2.0, confounding=1.0,
# random_state=1)`. Estimate the effect of `treated` on `outcome` with the naive difference,
# IPW, standardisation and AIPW (confounders: `truth.confounders`), and compare each with
# `truth.ate`. Then use `simulation_study` from Part 4 (with `confounding=1.0`) to check that
# what you saw holds over 40 studies, not only for one seed. How wrong is the naive estimate,
# and in which direction? Why that direction?

# %%
# Your code here

# %% tags=["solution"]
# Solution to exercise 1
study, true = bk.simulate.observational_study(n=2000, effect=2.0, confounding=1.0, random_state=1)
print(true)
one = {name: estimate(study, true.confounders) for name, estimate in estimators.items()
       if "truncated" not in name}
print(compare(one).assign(truth=true.ate))
print(simulation_study({k: v for k, v in estimators.items() if "truncated" not in k}, confounding=1.0))
# The naive difference is far below the truth (it can even make a helpful treatment look
# harmful): sicker patients are treated more often and severity lowers the outcome, so the
# treated group starts worse off. The three adjusted estimates are close to the truth on
# average: their mean errors are small next to the naive one's, and their intervals cover it
# about as often as a 95 % interval should.

# %% [markdown]
# ### Exercise 2: doubly robust, and when it is not
#
# Severity is the main confounder of the simulated study. Leave it out of one model at a
# time: the propensity model (`propensity_confounders=["age", "female", "bmi"]` in
# `bk.causal.aipw`, and `confounders=` that list in `bk.causal.ipw`) or the outcome model
# (`outcome_confounders=` in `aipw`, `confounders=` in `standardization`). Use
# `simulation_study` with `confounding=1.0, heterogeneity=1.0` and compare: IPW with the wrong
# propensity model, standardisation with the wrong outcome model, AIPW with each wrong model
# in turn, and AIPW with both wrong. Which estimates stay right on average?

# %%
# Your code here

# %% tags=["solution"]
# Solution to exercise 2
WRONG = ["age", "female", "bmi"]
misspecified = {
    "IPW, wrong propensity model": lambda d, L: bk.causal.ipw(d, confounders=WRONG, **SIM),
    "standardisation, wrong outcome model": lambda d, L: bk.causal.standardization(d, confounders=WRONG, **SIM),
    "AIPW, propensity model wrong": lambda d, L: bk.causal.aipw(d, confounders=L, propensity_confounders=WRONG, **SIM),
    "AIPW, outcome model wrong": lambda d, L: bk.causal.aipw(d, confounders=L, outcome_confounders=WRONG, **SIM),
    "AIPW, both wrong": lambda d, L: bk.causal.aipw(d, confounders=WRONG, **SIM),
}
print(simulation_study(misspecified, confounding=1.0, heterogeneity=1.0))
# A single method with its one model wrong is biased. AIPW stays close to the truth when
# either of its models is right, and is as biased as the others when both are wrong: double
# robustness is two chances, not a guarantee.

# %% [markdown]
# ### Exercise 3: an unmeasured confounder, and the negative control that exposes it
#
# `hidden_confounding=1.0` adds a trait that nobody measured: it makes treatment more likely
# and lowers both the outcome and `baseline_score`, the same symptom score measured *before*
# treatment (a negative control: treatment cannot change it). Over 40 studies with
# `simulation_study`, compare IPW, standardisation and AIPW with and without the hidden
# trait. Then, in one study of 2,000 patients with the hidden trait and one without
# (`random_state=2`), estimate the "effect" of `treated` on `baseline_score` with IPW. What
# does the negative control tell you that the balance table cannot?

# %%
# Your code here

# %% tags=["solution"]
# Solution to exercise 3
adjusted = {k: estimators[k] for k in ("IPW", "standardisation", "AIPW")}
print("without the hidden trait:\n", simulation_study(adjusted, confounding=1.0))
print("with the hidden trait:\n", simulation_study(adjusted, confounding=1.0, hidden_confounding=1.0))
for strength in (0.0, 1.0):
    study, true = bk.simulate.observational_study(n=2000, hidden_confounding=strength, random_state=2)
    print(f"hidden_confounding={strength}:",
          bk.causal.ipw(study, treatment="treated", outcome="baseline_score", confounders=true.confounders))
    print("  balance of the measured confounders:", bk.causal.balance(study, treatment="treated",
                                                                      confounders=true.confounders))
# With the hidden trait, every adjusted estimate is biased, and by about the same amount: the
# methods differ in their models, not in their assumptions. The measured confounders are
# balanced either way, so the balance table sees nothing; the negative control does: the
# treated had worse scores *before* treatment, which treatment cannot have caused.

# %% [markdown]
# ## Take-aways
# - A causal effect compares the same population under two interventions; the naive
#   difference compares two populations, and confounders make them differ.
# - IP weighting models who gets treated, standardisation models the outcome, AIPW uses both
#   and is right if either model is. On NHEFS all three give about 3.4 to 3.5 kg against
#   2.5 kg naive, reproducing *What If*.
# - Check overlap (propensities, largest weights, effective sample size) and balance
#   (standardised mean differences) before trusting a weighted estimate. Truncating weights
#   trades bias for variance; trimming people changes the population the effect refers to.
# - Compare estimates with a paired interval, and judge methods against a known truth over
#   many simulated studies, not one.
# - No method fixes an unmeasured confounder. A negative-control outcome can expose one;
#   balance of the measured confounders cannot.
#
# ## Self-check quiz
# 1. Quitters gained 2.5 kg more than non-quitters. Why is this not the effect of quitting?
# 2. After IP weighting every standardised mean difference is below 0.1. Does that show that
#    the estimate is unbiased?
# 3. A propensity model gives some treated patients a propensity of `0.001`. What do their
#    weights do to the estimate, and what are two remedies with their costs?
# 4. AIPW is called doubly robust. Robust to what, and not to what?
# 5. Why is a baseline measurement a useful negative-control outcome?
#
# <details><summary>Answers</summary>
#
# 1. It compares two different groups of people. Quitters differed from non-quitters in age,
#    sex and smoking history, which also affect weight change; the difference mixes the
#    effect of quitting with those differences (confounding).
# 2. No. Balance shows only that the *measured* confounders have similar means in the
#    weighted groups. Unmeasured confounders, a wrong list of confounders, or differences
#    beyond the means are not shown.
# 3. Each of them stands in for about a thousand people and can dominate the estimate, which
#    becomes highly variable (small effective sample size). Truncating the weights lowers the
#    variance but brings back some confounding (bias); trimming those patients stabilises the
#    estimate but changes the population it describes.
# 4. To one of its two models being wrong: it stays consistent if either the propensity model
#    or the outcome model is right. Not to both being wrong, and not to unmeasured confounding
#    or a lack of overlap.
# 5. The treatment cannot have changed something measured before it, so any adjusted "effect"
#    on it must come from something else, usually confounding that the adjustment missed.
#
# </details>

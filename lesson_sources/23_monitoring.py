# %% [markdown]
# # 23 · Monitoring and continual learning: drift, late labels, and updates under change control
#
# A risk model that passed its validation goes live, and the hospital around it keeps
# changing: new patients arrive from a new referral pathway, a treatment protocol changes,
# an outcome becomes more common. The model does not notice. This lesson follows a simulated
# deterioration model through three years of use. We watch its inputs, which are known at
# once, and its performance, which is known only when the outcomes arrive months later; we
# draw one figure a person would rather look at than a table; and when the alarms say the
# model has drifted, we compare three ways to update it with doing nothing, on patients that
# came later, and decide which update may go live under a plan agreed in advance.
#
# ## Learning objectives
# - Measure drift in a model's inputs with the population stability index, per-feature Kolmogorov-Smirnov tests with a multiplicity correction, and a classifier two-sample test, and say which kinds of drift each cannot see.
# - Track a deployed model's AUC, observed/expected ratio and calibration slope with intervals as delayed labels arrive, and tell a real alarm from the false ones that monitoring always raises.
# - Compare doing nothing, recalibration and refitting on later patients with paired tests.
# - Check an update against a predetermined change control plan and write its change-control note.
#
# ## Prerequisites
# - Lesson 10 (temporal validation, a simulated deployment) and lesson 11 (AUC with DeLong
#   intervals, DeLong's paired test, calibration-in-the-large and the calibration slope).
#
# ## Estimated time
# 85 minutes: 40 teaching, 45 exercises (3, about 15 minutes each).
# Teaching includes the quiz. Timed for a first reading by a newcomer: the prose at about
# 120 words a minute, a minute per code cell to run it and read its output, and about 15
# minutes per exercise including its solution.
#
# ## Datasets
# - `drifting_cohort` (**simulated**: monthly emergency admissions with eight features and a
#   30-day deterioration outcome whose label arrives three months late; the simulator lets a
#   covariate, a prior and a concept drift start at chosen months and keeps each patient's
#   true risk) in every part and exercise. No real data set with drift whose truth is known
#   exists; with real data you would see the same alarms and never learn for sure why.

# %% [markdown]
# ## Setting up
#
# The first line asks the numerical libraries' worker threads to sleep while they wait
# instead of spinning, which keeps a busy 2-core machine responsive; it must run before
# they are imported. Nothing here trains a neural network: every step runs on the CPU in
# seconds, and a GPU would not help.

# %%
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import biomedkit as bk

SEED = 6
pd.set_option("display.float_format", "{:.3f}".format)
pd.set_option("display.width", 140)

# %% [markdown]
# ## Part 1: a hospital, a model, and three years
#
# `bk.simulate.drifting_cohort` draws 500 emergency admissions a month for 36 months. Each
# patient has eight features (age, sex, comorbidities, creatinine, heart rate, respiratory
# rate, systolic blood pressure, lactate) and an outcome, deterioration within 30 days, whose
# label reaches the monitoring team three months after admission (`label_month`). The model
# is built on the first year and goes live in month 12. We ask for two drifts:
#
# - from month 15, over 4 months, the **case mix** changes: a new referral pathway sends
#   older, frailer patients (covariate drift: the inputs move, the relation between inputs
#   and outcome does not);
# - from month 21, over 4 months, a new **protocol** treats high lactate early, so lactate
#   predicts deterioration less than it did (concept drift: the relation moves, the inputs
#   do not).
#
# The monitor does not know any of this; we do, because we simulated it, and at the end we
# check the alarms against the truth.

# %%
data, truth = bk.simulate.drifting_cohort(n_per_month=500, covariate_shift=1.0, covariate_onset=15,
                                          concept_shift=0.8, concept_onset=21, ramp=4,
                                          random_state=SEED)
frame, FEATURES = data.frame, truth.features
print(truth)
truth.drifts[["onset", "full", "what"]]

# %% [markdown]
# The model is a logistic regression on the eight features, fitted on months 0 to 5 and
# validated on months 6 to 11 (a temporal validation, lesson 10). The validation window is
# also the **reference for performance**: the monitor will compare every later quarter's AUC
# with it. The true risk gives the ceiling: the AUC that no model could beat on the same
# patients.

# %%
development = frame[frame.month < 12]
fit_rows, ref_rows = frame.month < 6, (frame.month >= 6) & (frame.month < 12)
model = make_pipeline(StandardScaler(), LogisticRegression())
model.fit(frame.loc[fit_rows, FEATURES], frame.event[fit_rows])
risk = model.predict_proba(frame[FEATURES])[:, 1]  # what the deployed model says for every patient
y_ref, p_ref = frame.event[ref_rows], risk[ref_rows]
print("model, months 6-11:     ", bk.validation.auc_ci(y_ref, p_ref))
print("true risk, months 6-11: ", bk.validation.auc_ci(y_ref, truth.risk[ref_rows]))
bk.validation.calibration_summary(y_ref, p_ref).to_frame().loc[["oe_ratio", "citl", "slope"]]

# %% [markdown]
# The model is close to the ceiling and well calibrated in its validation window: a fair
# model to deploy.

# %% [markdown]
# ## Part 2: drift in the inputs, which needs no labels
#
# The inputs of month 20 are known at the end of month 20. Three ways to ask whether they
# still look like the development data (all of months 0 to 11: the **reference for the
# inputs**):
#
# ### Step 1: the population stability index by hand
#
# Cut the reference values of a feature at their deciles, so each bin holds a tenth of the
# reference (`e`), and count the share of the current month in each bin (`a`). The
# **population stability index** is $\mathrm{PSI} = \sum (a - e) \ln(a / e)$: zero when the
# shares agree, growing as they part. A bin that one sample leaves empty would make the
# logarithm infinite, so shares below `1e-4` are raised to `1e-4` (the documented epsilon).
# Credit scoring's rule of thumb reads PSI below `0.1` as stable and above `0.25` as a major
# shift; it is a convention, not a test. Here is age in month 20, bin by bin:

# %%
month_20 = frame[frame.month == 20]
bins = bk.monitoring.psi_table(development.age, month_20.age)
print(bins)
e, a = bins["reference"], bins["current"]
print(f"by hand: {((a - e) * np.log(a / e)).sum():.4f}   bk.monitoring.psi: "
      f"{bk.monitoring.psi(development.age, month_20.age):.4f}")

# %% [markdown]
# The youngest bins (the top rows) have emptied and the oldest have filled: the patients
# of month 20 are older.
#
# ### Step 2: every feature, every month
#
# `bk.monitoring.feature_drift` computes, for each month and feature, the PSI and the
# two-sample **Kolmogorov-Smirnov** test (the largest gap between the two cumulative
# distributions, `scipy.stats.ks_2samp`). Eight features tested each month means eight
# chances of a false alarm, so the p-values of one month are corrected together (Holm's
# method). A feature raises an **alarm** when its change is both large (PSI at least
# `0.25`) and unlikely to be chance (corrected p below `0.05`): with 6,000 reference
# patients, the test alone would flag changes too small to matter.

# %%
deployed = frame[frame.month >= 12]
drift = bk.monitoring.feature_drift(development[FEATURES], deployed, period="month", features=FEATURES)
print(drift)
drift.table["psi"].unstack("feature").iloc[::3]

# %%
summary = drift.summary()
print("first month with an input alarm:", summary.index[summary.alarm].min())
summary.iloc[::3]

# %% [markdown]
# Age, comorbidities and creatinine move from month 15 onwards, and the alarms start a
# few months later, as the drift grows. Lactate and the vital signs never move, though the
# concept drift changes what lactate *means* from month 21: it is invisible to every
# input monitor, because the patients look exactly as before.
#
# ### Step 3: a classifier two-sample test
#
# A single question instead of eight: can a classifier tell this month's patients from the
# reference? `bk.monitoring.classifier_test` labels reference rows 0 and current rows 1,
# fits a logistic regression by 5-fold cross-validation and reports the AUC of its
# out-of-fold scores with its DeLong interval, a one-sided Mann-Whitney p-value for
# "AUC above `0.5`", and how much AUC is lost when each feature is shuffled. Given a
# flexible model instead (`model=`, a tree ensemble, say), it can also see changes in how
# features go together, which no per-feature test sees.

# %%
for month in (13, 20, 30):
    current = frame.loc[frame.month == month, FEATURES]
    print(f"month {month}:", bk.monitoring.classifier_test(development[FEATURES], current, random_state=SEED))

# %% [markdown]
# In month 13 the classifier does no better than a coin; in months 20 and 30 it separates
# the samples, mostly by age. With `n_permutations=` the function also gives a permutation
# p-value, exact at any sample size but a hundred cross-validations slower.

# %% [markdown]
# ## Part 3: performance, as the labels arrive
#
# Inputs move at once; outcomes arrive three months late. `bk.monitoring.labels_known` hides
# the labels that have not arrived by a given month, and `bk.monitoring.performance_over_time`
# evaluates a period (here a quarter, drawn at its middle month) only when **all** its
# labels are in: the first labels to arrive are rarely a fair sample. For each quarter it
# gives the AUC with its DeLong interval, the observed/expected ratio (O/E) with an interval
# from the Wilson interval of the event rate, and the calibration slope (lesson 11). With
# the validation months as reference it also tests the drop in AUC. An alarm is an
# interval that excludes its target: O/E and slope 1, a drop of 0.
#
# ### Step 1: what the monitor knows at the end of month 24

# %%
quarter = frame.month // 3 * 3 + 1  # the middle month of each quarter
at = (frame.month >= 12).to_numpy()  # the deployed months
y_24 = bk.monitoring.labels_known(frame.event, frame.label_month, as_of=24)
perf_24 = bk.monitoring.performance_over_time(y_24[at], risk[at], quarter[at], reference=(y_ref, p_ref))
perf_24.table[["n", "n_labelled", "auc", "oe", "slope", "alarm", "status"]]

# %% [markdown]
# At month 24 the case mix has been changing for nine months and the concept drift has
# just reached full strength, yet the monitor can judge only the quarters up to the one
# centred on month 19. Whatever happened since is known from the inputs alone.
#
# ### Step 2: nine months later

# %%
y_33 = bk.monitoring.labels_known(frame.event, frame.label_month, as_of=33)
perf = bk.monitoring.performance_over_time(y_33[at], risk[at], quarter[at], reference=(y_ref, p_ref))
print(perf)
perf.table[["events", "auc", "auc_low", "auc_high", "auc_drop_low", "oe", "oe_low", "oe_high",
            "slope", "slope_low", "slope_high", "alarm"]]

# %% [markdown]
# Read the alarms column together with the intervals. After the case mix changed, the
# model's O/E stays near 1: a correct model stays correct for new kinds of patients it
# already knew how to score (covariate drift alone need not harm it). After the protocol
# changed, the model over-predicts (O/E below 1) and its slope falls well below 1: its
# high risks are now too high, because high lactate no longer means what it meant. The
# AUC falls too; where the lower limit of its drop from the reference (`auc_drop_low`) lies
# above 0, the fall is more than chance. How much of it is the model's fault? The true
# risk knows:

# %%
true_perf = bk.monitoring.performance_over_time(frame.event[at], truth.risk[at], quarter[at])
pd.DataFrame({"model AUC": perf.table.auc, "ceiling (true risk)": true_perf.table.auc,
              "model O/E": perf.table.oe, "model slope": perf.table.slope})

# %% [markdown]
# The ceiling is lower after the protocol change too, by construction: with lactate less
# informative, deterioration is harder to predict for any model, so part of the lost AUC
# cannot be won back. The gap between the model and the ceiling, and the miscalibration,
# can.

# %% [markdown]
# ## Part 4: one figure instead of three tables
#
# `bk.monitoring.plot_monitoring` draws the quarters' AUC, O/E and slope with their
# intervals, the largest PSI of each month (each feature as a thin line), red triangles
# where an alarm was raised, grey where labels are not in yet, and, because this is a
# simulation, the true onsets of the two drifts.

# %%
fig = bk.monitoring.plot_monitoring(perf, drift, measures=("auc", "oe", "slope"), onsets=truth.onsets,
                                    xlabel="month (quarters drawn at their middle month)")
plt.show()

# %% [markdown]
# An alarm counts from the month it *could* have been raised, not the month it is drawn
# at: an input alarm at the end of its month, a performance alarm only when the last label
# of its quarter is in (the quarter's last month plus the three-month delay). Here are the
# true onsets next to the first alarms after them, and the alarms raised before any drift
# (false ones, by construction).

# %%
input_alarms = summary.index[summary.alarm]
perf_alarms = perf.table.index[perf.table.alarm]  # quarters, by their middle month
first = min(truth.onsets.values())
concept = truth.onsets["concept"]
caught = perf_alarms[perf_alarms + 1 >= concept].min()  # the first quarter that ends after the onset
print(f"covariate drift: starts in month {truth.onsets['covariate']}; first input alarm at the end of "
      f"month {input_alarms[input_alarms >= first].min()}")
print(f"concept drift:   starts in month {concept}; first performance alarm for the quarter centred on "
      f"month {caught}, known at the end of month {caught + 1 + truth.label_delay}")
print(f"alarms before either drift began: {int((input_alarms < first).sum())} input, "
      f"{int((perf_alarms + 1 < first).sum())} performance")

# %% [markdown]
# The covariate drift is caught from the inputs within a few months, as it grows. The
# concept drift can only be caught from outcomes, so its alarm comes a quarter and a label
# delay after the harm began. Monitoring shortens the time a drifted model is used
# unnoticed; it cannot make it zero.

# %% [markdown]
# ## Part 5: doing nothing, recalibrating, or refitting
#
# At the end of month 33 the team decides to act. Labels are in up to month 30. Three
# updates, from the smallest change to the largest (the updating ladder of clinical
# prediction models):
#
# - **intercept**: recalibration in the large, $\mathrm{logit}(p') = a + \mathrm{logit}(p)$:
#   one number, fixes a risk level that is too high or too low;
# - **logistic**: $\mathrm{logit}(p') = a + b\,\mathrm{logit}(p)$ (`bk.validation`'s
#   recalibration): two numbers, also fixes risks that are too extreme; both keep the
#   ranking of patients, hence the AUC;
# - **refit**: the whole model re-estimated: nine numbers, can learn the new relation, needs
#   more data, changes the ranking.
#
# Each is learned on months 24 to 28, after both drifts reached full strength; months 29 and
# 30 are kept aside as validation data for Part 6. Doing nothing is the baseline. The fair
# test of an update is the patients who come **after** it: months 31 to 35, whose labels
# the team does not have yet but we, simulating, do. Every model scores the same patients,
# so the comparisons are paired: DeLong's test for the AUC and a paired t interval for the
# Brier score (negative: more accurate).

# %%
update_rows = (frame.month >= 24) & (frame.month <= 28)
validation_rows = (frame.month >= 29) & (frame.month <= 30)
later = frame.month >= 31
X_update, y_update = frame.loc[update_rows, FEATURES], frame.event[update_rows]
updates = {method: bk.monitoring.update_model(model, X_update, y_update, method=method, data="months 24 to 28")
           for method in ("intercept", "logistic", "refit")}
for updated in updates.values():
    print(updated, "\n")
X_later = frame.loc[later, FEATURES]
comparison = bk.monitoring.compare_updates(
    frame.event[later], {"no update": risk[later],
                         **{name: u.predict_proba(X_later)[:, 1] for name, u in updates.items()}})
comparison.table[["events", "auc", "auc_diff", "auc_diff_low", "auc_diff_high", "oe", "oe_low", "oe_high",
                  "slope", "slope_low", "slope_high", "brier_diff", "brier_diff_low", "brier_diff_high"]]

# %%
print("ceiling on months 31-35:", bk.validation.auc_ci(frame.event[later], truth.risk[later]))

# %% [markdown]
# Read the rows against doing nothing:
#
# - the **intercept** update brings O/E back to about 1 but leaves the slope where it was:
#   the high risks are still too high relative to the low ones;
# - the **logistic** recalibration repairs O/E and moves the slope most of the way back to
#   1, and its Brier interval lies below zero: more accurate risks for the same ranking;
# - the **refit** also gains AUC over doing nothing, with a DeLong interval of the
#   difference above zero, because it learns that lactate now matters less; it is the only
#   update that closes part of the gap to the ceiling.
#
# Two cautions. The comparison holds for this drift and these five months of update data;
# exercise 3 asks what a refit on less data does. And the bigger the change, the more there
# is to check before it reaches patients.

# %% [markdown]
# ## Part 6: change control
#
# A model that changes in use is a new model each time, and someone must be able to say
# what changed, why, on which data, and with what evidence. Regulators of medical devices
# that use machine learning describe an approach for this: a **predetermined change control
# plan**, written and agreed before deployment, that lists the changes the model may undergo
# (for example, recalibration on recent local data), how each will be made and validated,
# and the limits within which an update may go live on that evidence. An update outside
# the plan goes back for a full review. The plan turns an ad hoc fix into a documented,
# repeatable procedure.
#
# `bk.monitoring.ChangePlan` holds such a plan; its defaults are an example, not a
# standard: recalibrations only, at least 100 events in the update data, a mean risk that
# changes by at most half, a recalibration slope between `0.7` and `1.3`, and, on validation
# data the update never saw, an AUC no more than `0.02` below the current model's (the
# lower limit of the paired difference) and an O/E interval that includes 1.
# `bk.monitoring.review_update` runs the checks and writes the note.

# %%
plan = bk.monitoring.ChangePlan()
X_val, y_val = frame.loc[validation_rows, FEATURES], frame.event[validation_rows]
reviews = {name: bk.monitoring.review_update(u, X_val, y_val, plan=plan, validation="months 29 and 30")
           for name, u in updates.items()}
pd.DataFrame({name: r.checks.set_index("check")["passed"] for name, r in reviews.items()})

# %% [markdown]
# The one update the plan allows without review is the intercept, the one that repairs
# least. The logistic recalibration is a kind of change the plan allows, but whether it may
# go live depends on the slope it needs (its row "recalibration slope"): a slope far from 1
# says that more than the risk level has moved, and the plan sends such a change to review.
# The refit is a kind of change the plan does not allow at all. Here is the note for the
# refit, the record a reviewer reads:

# %%
display(Markdown(reviews["refit"].to_markdown()))

# %% [markdown]
# A good plan is strict where the risk is: it lets the small, well-understood repairs through
# quickly, and it routes the substantial ones, the refit that changes which patients are
# flagged, to people who can look at the evidence and the clinical consequences. Writing the
# plan before deployment also forces the team to decide in advance what evidence will count,
# before the numbers are in.

# %% [markdown]
# ### Exercise 1: prior drift
#
# Simulate the same hospital with only a **prior drift**: from month 18, over 4 months, the
# odds of deterioration double (`prior_shift=np.log(2)`, `prior_onset=18`, `ramp=4`,
# `n_per_month=500`, `random_state=1`), while patients with and without the event look as
# before. Fit the model as in Part 1 (months 0 to 5, reference months 6 to 11). Which
# monitors fire: the input alarms, the AUC, the O/E, the slope (quarters, labels as of month
# 33)? Then update the model by its intercept on months 24 to 28 and compare it with doing
# nothing on months 31 to 35. Why is the intercept enough here?

# %%
# Your code here

# %% tags=["solution"]
# Solution to exercise 1
data_p, truth_p = bk.simulate.drifting_cohort(n_per_month=500, prior_shift=np.log(2), prior_onset=18,
                                              ramp=4, random_state=1)
f_p = data_p.frame
model_p = make_pipeline(StandardScaler(), LogisticRegression()).fit(f_p.loc[f_p.month < 6, FEATURES],
                                                                    f_p.event[f_p.month < 6])
risk_p = model_p.predict_proba(f_p[FEATURES])[:, 1]
ref_p = (f_p.month >= 6) & (f_p.month < 12)
deployed_p = (f_p.month >= 12).to_numpy()
drift_p = bk.monitoring.feature_drift(f_p.loc[f_p.month < 12, FEATURES], f_p[deployed_p], period="month",
                                      features=FEATURES)
print("months with an input alarm:", int(drift_p.summary().alarm.sum()), "of 24;",
      "largest PSI:", round(drift_p.table.psi.max(), 3))
y_p = bk.monitoring.labels_known(f_p.event, f_p.label_month, as_of=33)
quarter_p = f_p.month // 3 * 3 + 1
perf_p = bk.monitoring.performance_over_time(y_p[deployed_p], risk_p[deployed_p], quarter_p[deployed_p],
                                             reference=(f_p.event[ref_p], risk_p[ref_p]))
print(perf_p.table[["auc", "auc_drop_low", "oe", "oe_low", "oe_high", "slope", "alarm"]])
recent_p, later_p = (f_p.month >= 24) & (f_p.month <= 28), f_p.month >= 31
updated_p = bk.monitoring.update_model(model_p, f_p.loc[recent_p, FEATURES], f_p.event[recent_p],
                                       data="months 24 to 28")
print(updated_p)
print(bk.monitoring.compare_updates(f_p.event[later_p], {
    "no update": risk_p[later_p], "intercept": updated_p.predict_proba(f_p.loc[later_p, FEATURES])[:, 1]}))
# The inputs barely move (a few more sick patients in the mix: small PSI, no alarm) and the
# AUC never alarms, but O/E rises well above 1 in the quarters after month 18 (an alarm
# before that is chance: look at which measure raised it). Under label shift every
# patient's odds are multiplied by the same factor, so the log odds move by a constant:
# exactly what the intercept update estimates (about log 2, 0.69).

# %% [markdown]
# ### Exercise 2: how many alarms does a stable hospital raise?
#
# Simulate a hospital with **no drift at all** (`n_per_month=500`, `random_state=2`) and
# fit the model as in Part 1. Over the 24 deployed months, count the months with an input
# alarm, and, with all labels in (use `frame.event` directly), the **monthly** periods with a
# performance alarm (reference months 6 to 11). Then count the alarms when the O/E and slope
# are judged by quarter instead. Compare with what a 95 % interval per measure and period
# leads you to expect. What rule would you adopt before paging anyone?

# %%
# Your code here

# %% tags=["solution"]
# Solution to exercise 2
data_s, _ = bk.simulate.drifting_cohort(n_per_month=500, random_state=2)
f_s = data_s.frame
model_s = make_pipeline(StandardScaler(), LogisticRegression()).fit(f_s.loc[f_s.month < 6, FEATURES],
                                                                    f_s.event[f_s.month < 6])
risk_s = model_s.predict_proba(f_s[FEATURES])[:, 1]
ref_s = ((f_s.month >= 6) & (f_s.month < 12)).to_numpy()
on_s = (f_s.month >= 12).to_numpy()
drift_s = bk.monitoring.feature_drift(f_s.loc[f_s.month < 12, FEATURES], f_s[on_s], period="month",
                                      features=FEATURES)
print("input alarms:", int(drift_s.summary().alarm.sum()), "of 24 months; largest PSI",
      round(drift_s.table.psi.max(), 3))
for name, period in (("month", f_s.month), ("quarter", f_s.month // 3)):
    t = bk.monitoring.performance_over_time(f_s.event[on_s], risk_s[on_s], period[on_s],
                                            reference=(f_s.event[ref_s], risk_s[ref_s])).table
    print(f"by {name}: {len(t)} periods; alarms: AUC {int(t.auc_alarm.sum())}, O/E {int(t.oe_alarm.sum())}, "
          f"slope {int(t.slope_alarm.sum())}, any {int(t.alarm.sum())}")
# With three measures per period at 95 %, about one period in seven (1 - 0.95**3) can alarm
# by chance when nothing changed. Quarters have narrower intervals, so they alarm less by
# chance but also catch the small miscalibration every model carries (this one was fitted
# on six months): not every alarm is chance, nor drift. PSI at 0.25 is far above its noise
# level with 500 patients a month, so the inputs stay quiet. Rules that help: require two
# consecutive alarms, or an effect large enough to matter (say O/E outside 0.8 to 1.25) as
# well as an interval that excludes 1; decide the rule before deployment.

# %% [markdown]
# ### Exercise 3: how much recent data does a refit need?
#
# Back in the hospital of Parts 1 to 6: refit the model and, separately, recalibrate it
# (logistic) on **months 27 and 28 only** (1,000 patients), and compare both with doing
# nothing and with the refit on months 24 to 28 of Part 5, on months 31 to 35. Use
# `bk.monitoring.compare_updates` with `baseline="logistic, months 27-28"`. Does the small
# refit still beat recalibration?

# %%
# Your code here

# %% tags=["solution"]
# Solution to exercise 3
small = (frame.month >= 27) & (frame.month <= 28)
small_refit = bk.monitoring.update_model(model, frame.loc[small, FEATURES], frame.event[small], method="refit",
                                         data="months 27 to 28")
small_logistic = bk.monitoring.update_model(model, frame.loc[small, FEATURES], frame.event[small],
                                            method="logistic", data="months 27 to 28")
print(small_refit)
result = bk.monitoring.compare_updates(frame.event[later], {
    "logistic, months 27-28": small_logistic.predict_proba(X_later)[:, 1],
    "no update": risk[later],
    "refit, months 27-28": small_refit.predict_proba(X_later)[:, 1],
    "refit, months 24-28": updates["refit"].predict_proba(X_later)[:, 1]}, baseline="logistic, months 27-28")
print(result)
print(result.table[["auc_diff_low", "auc_diff_high", "brier_diff_low", "brier_diff_high"]])
# With about 150 events the refit estimates nine coefficients; the recalibration estimates
# two. Read the intervals against the recalibration: in this run the small refit still
# ranks patients better, because the drift is large and the model small; with a subtler
# drift or many more features, a refit on a hundred-odd events can do worse than
# recalibration. Recalibration is the safer repair when recent labels are scarce; a refit
# pays off when there are enough of them, and its larger change is what change control
# must review.

# %% [markdown]
# ## Take-aways
# - Input drift is visible at once and needs no labels: PSI, per-feature tests (corrected
#   for the number of features) and a classifier two-sample test. None of them sees concept
#   drift, where the patients look the same and the outcome behaves differently.
# - Performance needs outcomes, which arrive late: evaluate a period only when its labels
#   are all in, with intervals, and expect a concept drift to be caught a quarter plus a
#   label delay after it began.
# - Covariate drift need not harm a correct model; prior drift shifts calibration and is
#   repaired by the intercept; concept drift harms calibration and discrimination, and only
#   a refit can win back discrimination.
# - Alarms at 95 % per measure and period are false now and then; count them on stable data
#   and fix the alarm rule before deployment.
# - Compare updates with doing nothing on later patients, paired. A predetermined change
#   control plan says which updates may go live on their own evidence; the rest need review,
#   with a change-control note that says what changed, on which data, and with what evidence.
#
# ## Self-check quiz
# 1. Which of the three drifts (covariate, prior, concept) can PSI detect, and which can it not?
# 2. The labels of a 30-day outcome reach the monitoring team three months after admission.
#    A protocol change on 1 January harms calibration. With quarterly periods, when is the
#    earliest the monitor can raise a performance alarm?
# 3. Why does recalibration leave the AUC unchanged, and when is it nevertheless the right update?
# 4. Over two years of monthly monitoring with three measures per month at 95 %, a stable
#    model raised five alarms. Is the model drifting?
# 5. What should a change-control note contain?
#
# <details><summary>Answers</summary>
#
# 1. PSI compares input distributions, so it sees covariate drift, and prior drift only
#    weakly (a different mix of patients with and without the event shifts the inputs a
#    little). It cannot see concept drift, where the inputs stay the same.
# 2. The first quarter (January to March) has all its labels when those of the end of March
#    arrive, three months later: at the end of June, and only if that quarter's intervals
#    already exclude 1.
# 3. It applies a monotone transformation to every risk, so the ranking of patients, and
#    hence the AUC, stays. It is right when the drift shifted the risk level or its spread
#    (prior drift, many calibration problems) and when recent labels are too few for a refit.
# 4. Not necessarily: about one period in seven can alarm by chance under those rules, so
#    five of 24 months is within what chance gives. Look for alarms that persist and agree
#    across measures, and compare with a count on stable data.
# 5. What changed (the kind of update and its size), which data it was learned from, the
#    validation evidence on data it did not see (with intervals, against the current model),
#    the checks against the plan, and the decision: within the plan, or sent for review.
#
# </details>

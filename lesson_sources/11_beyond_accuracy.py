# %% [markdown]
# # 11 · Beyond accuracy: uncertainty, calibration, clinical utility and alerts
#
# A model with a high AUC can still be useless at the bedside. Its AUC may be uncertain;
# its risks may be wrong even when its ranking is right; acting on it may do more harm than
# good at the threshold a clinician cares about; and a test that looks excellent in a study
# can drown a clinic in false alarms once the disease is rare. This lesson measures each of
# these: the AUC with a confidence interval and a test between two models, calibration and
# recalibration, decision curves, the effect of prevalence on the positive predictive
# value, and the alert burden of a threshold.
#
# ## Learning objectives
# - Report an AUC with a DeLong or bootstrap confidence interval, and compare two models on the same patients with DeLong's test.
# - Assess calibration with calibration-in-the-large, the calibration slope, the Brier score and its decomposition, and a calibration curve; recalibrate a miscalibrated model and show that its AUC does not change.
# - Draw a decision curve and read from it whether acting on a model's risks does better than treating everyone or no one.
# - Calculate the positive predictive value of a test at a given prevalence with Bayes' rule, and the alert burden of a threshold (alerts per 1,000 patients, number needed to evaluate).
# - Choose a risk threshold by weighing sensitivity, specificity, PPV, net benefit and alerts against each other.
#
# ## Prerequisites
# - Lesson 01 (sensitivity, specificity, the decision threshold).
# - Lesson 02 (the simulated cohort and its true risks, the Brier score).
# - Lesson 10 (calibration-in-the-large and the calibration slope, external validation).
#
# ## Estimated time
# 115 minutes: 50 teaching, 65 exercises (about 25, 25 and 15 minutes). Plan two sessions:
# Parts 1 to 3, then Part 4 with the exercises.
# For a first reading by a newcomer: the prose and quiz at about 120 words a minute, a minute
# per code cell to run it and read its output, five minutes per interactive explorer, and
# each exercise timed on its own (reading, writing the code, interpreting the result).
#
# ## Datasets
# - `breast_cancer` (**real**: 569 breast masses; the same training and test split as in
#   lesson 01) for the AUC with its interval, DeLong's test and the predictive values.
# - `lung` (**real**: NCCTG advanced lung cancer, death within a year) in exercise 1.
# - `cohort` (**simulated**: 6,000 patients whose true risks are known) for calibration,
#   recalibration, decision curves and alerts; and a second simulated cohort with a 3 %
#   event rate, for the effect of prevalence.

# %% [markdown]
# ## Setting up
#
# The imports this lesson needs. Every function that involves chance gets a fixed seed.
# As in lesson 10, the logistic regressions use the fast `newton-cholesky` solver.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from xgboost import XGBClassifier

import biomedkit as bk

pd.set_option("display.float_format", "{:.3f}".format)  # tables show 3 decimals


def logistic(**options):
    """A fresh scaled logistic regression; options go to LogisticRegression."""
    return make_pipeline(StandardScaler(), LogisticRegression(solver="newton-cholesky", **options))


# %% [markdown]
# ## Part 1: discrimination, with its uncertainty
#
# ### Step 1: the AUC with a confidence interval
#
# Back to the breast-cancer data and the split of lesson 01: 398 masses for training, 171
# for testing. The logistic regression on all 30 measurements, scored on the test set.

# %%
bc = bk.datasets.load("breast_cancer")
X_train, X_test, y_train, y_test = train_test_split(
    bc.X, bc.y, test_size=0.3, stratify=bc.y, random_state=0)
full = logistic().fit(X_train, y_train)
p_full = full.predict_proba(X_test)[:, 1]
print(f"test set: {len(y_test)} masses, {y_test.sum()} malignant")

# %% [markdown]
# An AUC from 171 masses is an estimate. `bk.validation.auc_ci` gives its 95 % confidence
# interval, by DeLong's method (a formula for the variance, fast) or by a stratified
# bootstrap (resampling the malignant and the benign masses separately, 2,000 times).

# %%
print(bk.validation.auc_ci(y_test, p_full))
print(bk.validation.auc_ci(y_test, p_full, method="bootstrap", n_boot=2_000, random_state=0))

# %% [markdown]
# The two intervals nearly agree. Near the ceiling, DeLong's symmetric interval runs into
# 1 and is clipped there, while the bootstrap interval stays below 1 and is lopsided, as the
# uncertainty of an AUC close to 1 should be.
#
# ### Step 2: is the full model better than one measurement?
#
# A simpler model uses a single measurement, `worst concave points` (the one we plotted in
# lesson 01). Its AUC and interval:

# %%
one = logistic().fit(X_train[["worst concave points"]], y_train)
p_one = one.predict_proba(X_test[["worst concave points"]])[:, 1]
print(bk.validation.auc_ci(y_test, p_one))

# %% [markdown]
# The two intervals overlap a little. Does that mean the models cannot be told apart? No:
# both were scored on the **same** masses, so their errors are correlated, and comparing
# two separate intervals ignores that. **DeLong's test** uses the pairing and tests the
# difference directly:

# %%
print(bk.validation.delong_test(y_test, p_full, p_one))

# %% [markdown]
# The full model's AUC is higher by about 0.03, with an interval for the difference that
# excludes 0 (p about 0.004). Overlapping intervals are not a test. The converse matters as
# much: a non-significant difference on a small test set is not proof that two models are
# equal (exercise 1).

# %% [markdown]
# ## Part 2: calibration
#
# A model is **calibrated** when its risks mean what they say: among patients given a risk
# of 20 %, about 20 % have the event. The AUC ignores this entirely: multiply every risk
# by two and the ranking, hence the AUC, is unchanged. To study calibration where the right
# answer is known, we use a **simulated** cohort: 6,000 patients, half for training and half
# for testing, with the true risk of each patient.

# %%
CLINICAL = ["age", "female", "smoker", "sbp", "total_chol", "hdl", "bmi", "diabetes", "egfr", "crp"]
cohort, truth = bk.simulate.cohort(n=6_000, random_state=11)
frame = cohort.frame.assign(true_risk=truth.risk)
train, test = train_test_split(frame, test_size=0.5, stratify=frame["event"], random_state=0)
y_sim = test["event"]
print(f"training: {len(train)} patients, {train['event'].sum()} events; "
      f"test: {len(test)} patients, {y_sim.sum()} events")

# %% [markdown]
# ### Step 3: four sets of risks
#
# - **oracle**: the true risk of each patient, the best any model can do;
# - **logistic regression** on the 10 clinical variables;
# - **class-weighted logistic regression** (`class_weight="balanced"`): the same model, but
#   fitted as if events and non-events were equally common, a popular "fix" for class
#   imbalance;
# - **overfitted XGBoost**: gradient-boosted trees of depth 6, 300 rounds with a large
#   learning rate and no early stopping, free to memorise the training patients.

# %%
models = {
    "logistic regression": logistic(),
    "class-weighted logistic": logistic(class_weight="balanced"),
    "overfitted XGBoost": XGBClassifier(max_depth=6, n_estimators=300, learning_rate=0.3,
                                        n_jobs=1, random_state=0),
}
risks = {"oracle": test["true_risk"].to_numpy()}
for name, model in models.items():
    risks[name] = model.fit(train[CLINICAL], train["event"]).predict_proba(test[CLINICAL])[:, 1]
pd.Series({name: bk.validation.auc_ci(y_sim, r).auc for name, r in risks.items()}, name="test AUC")

# %% [markdown]
# The two logistic regressions rank patients almost identically (weighting the classes
# changes mostly the intercept), a little below the oracle; the overfitted XGBoost ranks
# clearly worse.
#
# `bk.validation.calibration_summary` computes every calibration measure at once, and
# `.to_frame()` lays them out. First the oracle, to see what perfect calibration looks
# like on 3,000 patients:

# %%
bk.validation.calibration_summary(y_sim, risks["oracle"]).to_frame()

# %% [markdown]
# How to read it:
#
# - `citl`, **calibration-in-the-large**: 0 when the risks are right on average (above 0:
#   too low; below 0: too high); `oe_ratio` says the same as observed / expected events;
# - `slope`, the **calibration slope**: 1 when the spread of the risks is right (below 1:
#   too extreme, the mark of overfitting; above 1: too timid);
# - `brier`, the **Brier score**, and its decomposition: `brier = reliability - resolution
#   + uncertainty`. *Uncertainty* depends only on the event rate; *resolution* rewards
#   separating patients into groups with different event rates (discrimination);
#   *reliability* is the part due to miscalibration (0 is perfect). `brier_scaled` compares
#   the Brier score with that of predicting the event rate for everyone (0: no better, 1:
#   perfect);
# - `ici`, `e50`, `e90`, `emax`: the mean, median, 90th percentile and maximum distance
#   between the predicted risk and a smoothed observed rate.
#
# The oracle has a slope of 0.99 and a calibration-in-the-large of 0.00, as it must: its
# intervals contain the ideal values. Its reliability is not exactly 0 (sampling noise), and
# its scaled Brier score is only 0.227: even perfect risks leave much of each outcome
# to chance.
#
# The same measures for all four:

# %%
summaries = {name: bk.validation.calibration_summary(y_sim, r) for name, r in risks.items()}
calibration = pd.DataFrame({name: {"citl": s.citl, "slope": s.slope, "slope_low": s.slope_low,
                                   "slope_high": s.slope_high, "oe_ratio": s.oe_ratio,
                                   "brier": s.brier, "reliability": s.reliability,
                                   "resolution": s.resolution, "ici": s.ici}
                            for name, s in summaries.items()}).T
calibration

# %% [markdown]
# - The **logistic regression** is close to the oracle: calibration-in-the-large near 0,
#   observed/expected near 1, a slope a little above 1 (its interval covers 1).
# - The **class-weighted** model has a similar slope but a calibration-in-the-large of about
#   -1.7: it predicts nearly three times as many events as occur (observed/expected 0.36).
#   Its Brier score is almost twice that of the unweighted model, all of it reliability.
#   Class weights buy nothing in ranking and cost the risks their meaning.
# - The **overfitted XGBoost** has a slope of about 0.3: its risks are far too extreme
#   (more than half of the test patients get a risk below 1 %), and it under-predicts
#   overall (observed/expected 1.428).
#
# ### Step 4: calibration curves
#
# `bk.validation.calibration_curve` bins the patients into tenths of predicted risk (dots,
# with Wilson intervals) and draws a smoothed curve with its band; `.plot(ax=...)` draws
# it. Perfect calibration follows the dashed diagonal.

# %%
fig, axes = plt.subplots(1, 4, figsize=(14, 3.6))
for ax, (name, r) in zip(axes, risks.items()):
    bk.validation.calibration_curve(y_sim, r).plot(ax=ax)
    ax.set_title(name)
fig.tight_layout()

# %% [markdown]
# The class-weighted model lies far below the diagonal everywhere: its risks are too high
# across the board. The overfitted XGBoost crosses the diagonal at a shallow angle: its
# low risks are too low and its high risks too high.

# %% [markdown]
# ### Step 5: recalibration
#
# `bk.validation.RecalibratedClassifier` wraps a model and learns a correction of its risks
# from **out-of-fold** predictions on the training set (`cv=5`): each training patient gets
# a risk from a model that did not see them, and the correction maps those risks to
# observed rates. Two methods:
#
# - `method="logistic"`: a new intercept and slope on the logit scale. It keeps the ranking
#   of the patients, so the AUC cannot change;
# - `method="isotonic"`: a flexible, increasing step function. It can fix curved
#   miscalibration but needs more data, and its steps create ties that nudge the AUC.

# %%
recalibrated = {
    "class-weighted, logistic recal.": bk.validation.RecalibratedClassifier(
        logistic(class_weight="balanced"), method="logistic", cv=5),
    "XGBoost, logistic recal.": bk.validation.RecalibratedClassifier(
        models["overfitted XGBoost"], method="logistic", cv=5),
    "XGBoost, isotonic recal.": bk.validation.RecalibratedClassifier(
        models["overfitted XGBoost"], method="isotonic", cv=5),
}
before = {"class-weighted, logistic recal.": "class-weighted logistic",
          "XGBoost, logistic recal.": "overfitted XGBoost", "XGBoost, isotonic recal.": "overfitted XGBoost"}
rows = {}
for name, model in recalibrated.items():
    risks[name] = model.fit(train[CLINICAL], train["event"]).predict_proba(test[CLINICAL])[:, 1]
    s = bk.validation.calibration_summary(y_sim, risks[name])
    rows[name] = {"AUC before": bk.validation.auc_ci(y_sim, risks[before[name]]).auc,
                  "AUC after": bk.validation.auc_ci(y_sim, risks[name]).auc,
                  "citl": s.citl, "slope": s.slope, "oe_ratio": s.oe_ratio, "brier": s.brier,
                  "reliability": s.reliability}
pd.DataFrame(rows).T

# %% [markdown]
# - For the class-weighted model, logistic recalibration brings observed/expected back to
#   about 0.97 and the Brier score down to that of the unweighted model, and the AUC is
#   **identical** to the last digit.
# - For the overfitted XGBoost, logistic recalibration overshoots: the slope jumps from
#   about 0.3 to about 1.2 (now too timid). Isotonic recalibration lands closer to 1. Both
#   bring the reliability down to that of the logistic regression and improve the Brier
#   score (from 0.125 to 0.112).
# - **Recalibration cannot repair ranking**: the recalibrated XGBoost still has a lower AUC
#   than the plain logistic regression. The cure for an overfitted model is a model that
#   does not overfit; recalibration only makes its risks honest.
#
# Why the overshoot? The correction is learned on out-of-fold risks, from models fitted on
# four fifths of the training patients. Its slope `b` is the calibration slope of those
# risks:

# %%
a, b = recalibrated["XGBoost, logistic recal."].recalibrator_
print(f"learned correction: logit(new risk) = {a:.3f} + {b:.3f} × logit(risk)")

# %% [markdown]
# The out-of-fold models were even more extreme (slope about 0.24) than the final model,
# refitted on all 3,000 training patients, is on the test set (0.295, in the table of
# step 3). Shrinking the final model's risks by the factor learned from the out-of-fold
# models shrinks them too much. A correction is only as good as the match between the
# predictions it was learned on and those it is applied to.
#
# The calibration curves after recalibration:

# %%
fig, axes = plt.subplots(1, 3, figsize=(11, 3.6))
for ax, name in zip(axes, recalibrated):
    bk.validation.calibration_curve(y_sim, risks[name]).plot(ax=ax)
    ax.set_title(name)
fig.tight_layout()

# %% [markdown]
# ## Part 3: clinical utility
#
# ### Step 6: decision curve analysis
#
# Suppose a patient whose risk is at least a **threshold** *t* is offered a preventive
# treatment. The threshold says how a clinician weighs the two errors: at *t* = 10 %, they
# accept treating 9 patients who would not have had the event for each one who would (odds
# 10:90). The **net benefit** counts the true positives and charges each false positive at
# those odds: `NB = TP/n - FP/n × t/(1-t)`. A model is useful at a threshold if its net
# benefit beats both "treat everyone" and "treat no one" (net benefit 0).
#
# `bk.validation.net_benefit` computes it for several models at once, with bootstrap
# intervals; `plot_decision_curve` draws the curves.

# %%
nb = bk.validation.net_benefit(
    y_sim, {name: risks[name] for name in ("logistic regression", "class-weighted logistic",
                                           "class-weighted, logistic recal.")},
    thresholds=np.round(np.arange(0.01, 0.51, 0.01), 2), n_boot=300, random_state=0)
fig, ax = plt.subplots(figsize=(7, 4))
bk.validation.plot_decision_curve(nb, ax=ax)
fig.tight_layout()

# %% [markdown]
# The net benefit at a few thresholds, one column per strategy:

# %%
nb[nb["threshold"].isin([0.05, 0.1, 0.15, 0.2, 0.3])].pivot(
    index="threshold", columns="model", values="net_benefit")

# %% [markdown]
# The logistic regression beats treating everyone and treating no one at every threshold
# in the table. The class-weighted model, with practically the same AUC, does clearly worse
# from a threshold
# of about 10 % on, and is below zero (worse than treating no one) at 20 % and 30 %: with its
# inflated risks, patients whose true risk is far below the threshold are treated. After recalibration its
# curve is back on that of the logistic regression. Ranking is not enough: a model used
# with a risk threshold must be calibrated.
#
# At a threshold of 5 % all the strategies, even "treat all", are nearly equal: when one is
# willing to treat 19 patients to help one, treating everyone is hard to beat.

# %% [markdown]
# ## Part 4: thresholds, prevalence and alerts
#
# ### Step 7: the same test, a different prevalence
#
# Back to the breast-cancer model. At the threshold `0.5`, `bk.validation.threshold_metrics`
# gives the sensitivity, specificity and predictive values on the test set, each with a
# Wilson 95 % interval.

# %%
at_half = bk.validation.threshold_metrics(y_test, p_full, [0.5])
at_half[["tp", "fp", "tn", "fn", "sensitivity", "sensitivity_low", "sensitivity_high",
         "specificity", "specificity_low", "specificity_high", "ppv", "npv"]]

# %% [markdown]
# The **positive predictive value** (PPV, the share of positive tests that are truly
# malignant) is 0.94 here. But 37 % of the masses in this data set are malignant, far more
# than in a screening population. Sensitivity and specificity describe the test; the PPV
# also depends on the **prevalence** π, by Bayes' rule:
#
# PPV = sensitivity × π / (sensitivity × π + (1 − specificity) × (1 − π)).
#
# The next cell applies it at lower prevalences, and also with the lower Wilson limit of the
# specificity, to show how much the uncertainty of the specificity matters when the disease
# is rare.

# %%
def ppv(sensitivity, specificity, prevalence):
    """Positive predictive value by Bayes' rule."""
    return sensitivity * prevalence / (sensitivity * prevalence + (1 - specificity) * (1 - prevalence))


sens, spec, spec_low = at_half.loc[0, ["sensitivity", "specificity", "specificity_low"]]
prevalences = [y_test.mean(), 0.10, 0.05, 0.01, 0.001]
pd.DataFrame({"prevalence": prevalences,
              "PPV": [ppv(sens, spec, p) for p in prevalences],
              "PPV if specificity were at its lower limit": [ppv(sens, spec_low, p) for p in prevalences],
              "positives per true positive": [1 / ppv(sens, spec, p) for p in prevalences]})

# %% [markdown]
# The same test, with the same sensitivity and specificity, has a PPV of 0.94 in this data
# set, 0.202 when 1 mass in 100 is malignant and 0.024 at 1 in 1,000: then about
# 40 positive tests are needed to find one cancer. With the specificity at its lower limit
# (0.91 instead of 0.96), the PPV at 1 % falls to under 0.1. A study's PPV only transfers to
# a population with the same prevalence.
#
# ### Step 8: checking Bayes' rule on a simulated population
#
# Bayes' rule assumes that sensitivity and specificity stay the same when the prevalence
# changes. We can check on **simulated** patients: a new cohort with the same case mix but
# a 3 % event rate (the simulator lowers everyone's baseline risk), scored by the logistic
# regression of step 3 at thresholds `0.15` and `0.3`. First, the sensitivity and specificity on
# the 15 % test set, and the PPV that Bayes' rule predicts at 3 %:

# %%
THRESHOLDS = [0.15, 0.3]
lr_sim = models["logistic regression"]
at_15 = bk.validation.threshold_metrics(y_sim, risks["logistic regression"], THRESHOLDS)
at_15["Bayes PPV at 3 %"] = ppv(at_15["sensitivity"], at_15["specificity"], 0.03)
at_15[["threshold", "sensitivity", "specificity", "ppv", "Bayes PPV at 3 %", "alerts_per_1000"]]

# %% [markdown]
# And what actually happens in 20,000 simulated patients with a 3 % event rate:

# %%
rare, _ = bk.simulate.cohort(n=20_000, prevalence=0.03, random_state=12)
at_3 = bk.validation.threshold_metrics(rare.y, lr_sim.predict_proba(rare.frame[CLINICAL])[:, 1], THRESHOLDS)
at_3[["threshold", "sensitivity", "specificity", "ppv", "ppv_low", "ppv_high", "alerts_per_1000"]]

# %% [markdown]
# The PPV collapses as predicted: from about 0.30 to about 0.07 at the threshold 0.15. The
# number of alerts per 1,000 patients hardly moves, because the patients' risk factors are
# the same; only their outcomes became rarer. But Bayes' rule is only approximately right:
# the sensitivity and specificity themselves changed (higher sensitivity, lower specificity
# in the low-prevalence cohort). When an outcome becomes rarer, the patients who still
# have it are those with the most extreme risk factors, which are easier to flag (a
# *spectrum effect*). At 0.3, Bayes' rule predicts a PPV of about 0.14 and the simulation
# gives about 0.13.
#
# ### Step 9: alerts per 1,000 patients and alert fatigue
#
# Every flagged patient is an alert that someone must read and act on. Too many alerts,
# most of them false, and clinicians start to ignore all of them: **alert fatigue**.
# `threshold_metrics` reports the alert burden directly: `alerts_per_1000` and the
# **number needed to evaluate** `nne` (1 / PPV: how many flagged patients a clinician
# reviews for each true event). For the logistic regression on the simulated test set:

# %%
alerts = bk.validation.threshold_metrics(y_sim, risks["logistic regression"], [0.05, 0.1, 0.15, 0.2, 0.3, 0.4])
alerts[["threshold", "alerts_per_1000", "alerts_per_1000_low", "alerts_per_1000_high",
        "sensitivity", "ppv", "nne"]]

# %% [markdown]
# At a threshold of 5 %, three quarters of all patients are flagged (about 770 alerts per
# 1,000) to catch 95 % of the events, and each true event costs about 5 reviews. At 30 %,
# only about 140 per 1,000 are flagged and 2 reviews find an event, but more than half of
# the events are missed. No threshold is right in general: it depends on what the alert
# triggers, what a missed event costs and how many alerts the team can absorb.
#
# ### Step 10: everything at once, as the threshold moves
#
# The grid below shows, for thresholds from `0.01` to `0.6`, the sensitivity, specificity, PPV,
# net benefit, alerts per 1,000 and number needed to evaluate of the logistic regression,
# with their 95 % bands (Wilson intervals; a bootstrap band for the net benefit).
#
# An interactive version, where one slider moves several panels at once, follows the grid.

# %%
grid = np.round(np.arange(0.01, 0.61, 0.01), 2)
metrics = bk.validation.threshold_metrics(y_sim, risks["logistic regression"], grid)
curve = bk.validation.net_benefit(y_sim, {"logistic regression": risks["logistic regression"]},
                                  thresholds=grid, n_boot=300, random_state=0)
model_nb = curve[curve["model"] == "logistic regression"].reset_index(drop=True)
treat_all = curve[curve["model"] == "Treat all"].reset_index(drop=True)
panels = [("sensitivity", metrics, "sensitivity"), ("specificity", metrics, "specificity"),
          ("ppv", metrics, "PPV"), ("net_benefit", model_nb, "net benefit"),
          ("alerts_per_1000", metrics, "alerts per 1,000"), ("nne", metrics, "number needed to evaluate")]
fig, axes = plt.subplots(2, 3, figsize=(12, 6), sharex=True)
for ax, (col, table, label) in zip(axes.flat, panels):
    ax.plot(grid, table[col], color="tab:blue")
    ax.fill_between(grid, table[f"{col}_low"], table[f"{col}_high"], color="tab:blue", alpha=0.2, lw=0)
    ax.set(title=label)
axes[1, 0].plot(grid, treat_all["net_benefit"], color="grey", lw=1, label="treat all")
axes[1, 0].axhline(0, color="black", lw=0.5)
axes[1, 0].set_ylim(-0.02, 0.14)
axes[1, 0].legend(frameon=False)
for ax in axes[1]:
    ax.set_xlabel("risk threshold")
fig.tight_layout()

# %% [markdown]
# Read the grid column by column as the threshold rises: sensitivity falls and specificity
# rises (lesson 01); the PPV rises and the number needed to evaluate falls, because the
# alerts become fewer and better; the net benefit falls but stays above that of treating
# everyone; the bands widen where few patients are flagged, because the PPV and the number
# needed to evaluate then rest on few patients.
#
# **Interactive**: the fairness explorer of lesson 13 (`bk.widgets.FairnessExplorer`) is a
# threshold explorer. Its threshold slider moves the operating point on the ROC curves, the
# table of selection rate, sensitivity (TPR), false positive rate, PPV and accuracy, and the
# calibration panel at once. It always compares groups of patients (a preview of lesson 13),
# so here it shows women and men side by side. It does not draw the net benefit or the number
# needed to evaluate: for those, the grid above remains the reference. Where widgets cannot
# run, a static picture is shown.

# %%
sex = test["female"].map({0: "men", 1: "women"}).to_numpy()
threshold_explorer = bk.widgets.FairnessExplorer(
    y_sim, risks["logistic regression"], sex, threshold=0.15,
    title="Lesson 11: the logistic regression on the simulated test patients")
threshold_explorer

# %% [markdown]
# ### Exercise 1: two models on 186 real patients
#
# On the `lung` data (death within 365 days; leave out the patients censored before 365
# days, as in lesson 10), get **cross-validated** risks of the logistic regression on `age`,
# `sex`, `ph.ecog`, `ph.karno`, `pat.karno` and `wt.loss` (median imputation inside the
# pipeline; `cross_val_predict` with 5 shuffled stratified folds, `random_state=0`). Report
# its AUC with DeLong and bootstrap intervals, then compare it with the ECOG performance
# score alone (`ph.ecog`, its one missing value filled with the median) using
# `delong_test`. Does the model beat the single score? What can you conclude?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 1
from sklearn.impute import SimpleImputer
from sklearn.model_selection import StratifiedKFold, cross_val_predict

lung = bk.datasets.load("lung").frame
lung = lung[~((lung["time"] < 365) & (lung["status"] == 0))]
died = ((lung["time"] < 365) & (lung["status"] == 1)).astype(int)
predictors = ["age", "sex", "ph.ecog", "ph.karno", "pat.karno", "wt.loss"]
lung_model = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(),
                           LogisticRegression(solver="newton-cholesky"))
p_lung = cross_val_predict(lung_model, lung[predictors], died, method="predict_proba",
                           cv=StratifiedKFold(5, shuffle=True, random_state=0))[:, 1]
ecog = lung["ph.ecog"].fillna(lung["ph.ecog"].median())
print(bk.validation.auc_ci(died, p_lung))
print(bk.validation.auc_ci(died, p_lung, method="bootstrap", n_boot=2_000, random_state=0))
print(bk.validation.auc_ci(died, ecog))
print(bk.validation.delong_test(died, p_lung, ecog))
# The model's AUC is modest and its interval wide; the ECOG score alone does almost as
# well, and the difference is far from significant, with an interval for the difference
# from about -0.05 to +0.07. That is not proof that the two are equal: 186 patients cannot
# detect a small difference. (DeLong's test on cross-validated risks is an approximation:
# each fold's risks come from a different fitted model.)

# %% [markdown]
# ### Exercise 2: recalibrate for a new setting
#
# The logistic regression of step 3 (`lr_sim`) was developed where 15 % of patients have an
# event; in the `rare` cohort of step 8 only 3 % do. Compute its `calibration_summary` on
# the last 10,000 patients of `rare`. Then recalibrate it with
# `bk.validation.RecalibratedClassifier(lr_sim, method="logistic", cv=None)` fitted on the
# first 10,000 patients of `rare` (with `cv=None` the model is kept as it is and only the
# recalibration is learned), and compare calibration-in-the-large, observed/expected, the
# AUC and the net benefit at a threshold of 5 % on the last 10,000, before and after.

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 2
first, last = rare.frame.iloc[:10_000], rare.frame.iloc[10_000:]
local = bk.validation.RecalibratedClassifier(lr_sim, method="logistic", cv=None)
local.fit(first[CLINICAL], first["event"])
rows = {}
for name, model in (("as developed", lr_sim), ("recalibrated locally", local)):
    r = model.predict_proba(last[CLINICAL])[:, 1]
    s = bk.validation.calibration_summary(last["event"], r)
    nb5 = bk.validation.net_benefit(last["event"], {name: r}, thresholds=[0.05])
    rows[name] = {"citl": s.citl, "oe_ratio": s.oe_ratio, "slope": s.slope,
                  "AUC": bk.validation.auc_ci(last["event"], r).auc,
                  "net benefit at 5 %": nb5.loc[nb5["model"] == name, "net_benefit"].iloc[0],
                  "treat all at 5 %": nb5.loc[nb5["model"] == "Treat all", "net_benefit"].iloc[0]}
pd.DataFrame(rows).T
# As developed, the model predicts about five times too many events (observed/expected
# about 0.2) and, at a 5 % threshold, treats far too many patients: its net benefit is
# below 0, worse than treating no one. The local recalibration brings observed/expected
# close to 1 (each half has only about 300 events, so a chance difference between the
# halves remains), leaves the AUC unchanged, and makes the net benefit positive. A model
# moved to a population with another prevalence needs at least a new intercept.

# %% [markdown]
# ### Exercise 3: an alert budget
#
# The team that answers the alerts can review at most 150 patients per 1,000. Using
# `metrics` (the grid of step 10), find the lowest threshold whose alerts per 1,000 stay
# within that budget, and report its sensitivity, PPV and number needed to evaluate, with
# intervals. Would you also require the **upper** limit of the alerts per 1,000 to stay
# within budget? What threshold would that give?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 3
columns = ["threshold", "alerts_per_1000", "alerts_per_1000_high", "sensitivity", "sensitivity_low",
           "sensitivity_high", "ppv", "ppv_low", "ppv_high", "nne"]
within = metrics[metrics["alerts_per_1000"] <= 150].iloc[0]
safe = metrics[metrics["alerts_per_1000_high"] <= 150].iloc[0]
pd.DataFrame({"budget met on average": within[columns], "budget met at the upper limit": safe[columns]})
# The lowest threshold within budget flags just under 150 per 1,000 and still misses more
# than half of the events. Requiring the upper Wilson limit to stay within budget (a safety
# margin for a new population of the same kind) moves the threshold up a little and costs
# a few more missed events. Alert budgets and sensitivity pull in opposite directions:
# the choice is a clinical and organisational one, and the numbers make it explicit.

# %% [markdown]
# ## Take-aways
# - Report the AUC with a confidence interval (DeLong or bootstrap), and compare two models on
#   the same patients with DeLong's test: overlapping intervals are not a test, and a
#   non-significant difference is not proof of equality.
# - Calibration is separate from discrimination. Check calibration-in-the-large, the slope,
#   the Brier decomposition and a calibration curve; the true risk of a simulated cohort has
#   a slope of 1.
# - Class weighting and overfitting break calibration. Recalibration (logistic or isotonic,
#   learned on held-out predictions) restores it; logistic recalibration leaves the AUC
#   unchanged, and no recalibration repairs a poor ranking.
# - Decision curves show whether acting on a model beats treating everyone or no one at the
#   thresholds that matter; a miscalibrated model can do harm despite a good AUC.
# - The PPV depends on prevalence: a test with 96 % specificity gives mostly false positives
#   when 1 in 100 is ill. Count alerts per 1,000 and the number needed to evaluate before
#   choosing a threshold.
#
# ## Self-check quiz
# 1. Two models on the same 171 patients have AUC intervals 0.98 to 1.00 and 0.94 to 0.99.
#    Why is this not enough to say whether they differ, and what should you use?
# 2. A model's calibration slope on new data is 0.6. What does that mean, and what is the
#    likely cause?
# 3. Why does logistic recalibration never change the AUC, while isotonic recalibration can?
# 4. A test has 95 % sensitivity and 95 % specificity. What is its PPV when 1 % of those
#    tested have the disease?
#
# <details><summary>Answers</summary>
#
# 1. The two AUCs are measured on the same patients, so they are correlated; comparing two
#    separate intervals ignores that and can miss a real difference. Use DeLong's test (or a
#    paired bootstrap) for the difference, with its own interval.
# 2. The risks are too extreme: high risks too high and low risks too low. The usual cause is
#    overfitting (too many predictors or too flexible a model for the data); shrinkage or
#    recalibration of the slope corrects it.
# 3. Logistic recalibration applies an increasing function (a + b × logit p with b > 0), which
#    keeps the order of the patients, and the AUC depends only on the order. Isotonic
#    recalibration is a step function: patients with different risks can land on the same
#    step (ties), which changes the AUC slightly.
# 4. `0.95 × 0.01 / (0.95 × 0.01 + 0.05 × 0.99) = 0.0095 / 0.059 ≈ 0.16`: about 1 positive test
#    in 6 is a true case.
#
# </details>

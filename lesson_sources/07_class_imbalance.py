# %% [markdown]
# # 07 · Class imbalance: rare outcomes, honest metrics and honest probabilities
#
# Many outcomes that matter in medicine are rare: a serious adverse drug reaction, sepsis on
# a general ward, a cancer found by screening. When 2 patients in 100 have the event, a model
# that never predicts it is right 98 % of the time, and the usual reflex is to "fix" the
# imbalance by resampling the data until both classes are equally common. This lesson looks
# at what resampling really does. It does not add information, so it rarely improves how
# well a model ranks patients; it changes the probabilities, which become far too high; and
# done in the wrong place (before cross-validation) it produces results that are too good to
# be true. What does help: metrics that look at the rare class, calibrated probabilities, a
# threshold chosen for the decision at hand, and an honest look at the positive predictive
# value when the outcome is rare.
#
# ## Learning objectives
# - Explain the accuracy paradox on a rare outcome, and report sensitivity, the AUC and the precision-recall curve (with its baseline, the prevalence) instead of accuracy.
# - Resample (random under- and over-sampling, SMOTE), weight classes and fit a balanced ensemble inside imbalanced-learn pipelines, so that only the training folds are resampled, and recognise the inflated results of resampling before cross-validation.
# - Measure what resampling does to the calibration of predicted risks, and correct it with the prior-shift (odds) correction.
# - Show that resampling amounts to moving the decision threshold, and that it does not improve discrimination here.
# - Compute the positive predictive value at a low prevalence with Bayes' rule, and the number of alerts per true case.
#
# ## Prerequisites
# - Lesson 01 (pipelines, stratified splits, cross-validation, sensitivity and specificity).
# - Lesson 02 (the simulated cohort and its true risks).
# - Calibration is introduced briefly here; lessons 10 and 11 treat it in depth.
#
# ## Estimated time
# 105 minutes: 45 teaching, 60 exercises (4, about 15 minutes each).
# Teaching includes the quiz. Timed for a first reading by a newcomer: the prose at about
# 120 words a minute, a minute per code cell to run it and read its output, and about 15
# minutes per exercise including its solution.
#
# ## Datasets
# - `cohort` (**simulated**: a cardiovascular-style cohort of 24,000 patients in which about
#   2 % have the event, with every patient's true risk known). We use simulated data because
#   judging calibration needs the true risks, and none of the real data sets that ship
#   offline with the lessons has a rare binary outcome.

# %% [markdown]
# ## Setting up
#
# The imports this lesson needs. Samplers and their pipelines come from
# **imbalanced-learn** (`imblearn`), which follows the scikit-learn API. Every function that
# involves chance gets a fixed seed, so a rerun prints the same numbers. The models are
# small: one thread per computation is faster than several competing for the 2 cores of a
# Binder session, hence the last line.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from imblearn.ensemble import BalancedRandomForestClassifier
from imblearn.over_sampling import SMOTE, RandomOverSampler
from imblearn.pipeline import make_pipeline
from imblearn.under_sampling import RandomUnderSampler
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    confusion_matrix,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)
from sklearn.model_selection import StratifiedKFold, cross_validate, train_test_split
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

import biomedkit as bk

pd.set_option("display.float_format", "{:.3f}".format)  # tables show 3 decimals
limits = threadpool_limits(1)

# %% [markdown]
# ## Step 1: a rare outcome
#
# `bk.simulate.cohort` draws patients with ten clinical measurements and an event whose
# true probability depends on them (partly non-linearly). We ask for a mean risk of 2 %, and
# split the 24,000 patients in two halves: one to develop models, one to test them. The
# split is **stratified**, so both halves have the same share of events. With a rare
# outcome the number that limits us is the number of events, not of patients.

# %%
CLINICAL = ["age", "female", "smoker", "sbp", "total_chol", "hdl", "bmi", "diabetes", "egfr", "crp"]
data, truth = bk.simulate.cohort(n=24_000, prevalence=0.02, random_state=7)
X, y = data.frame[CLINICAL], data.y
X_train, X_test, y_train, y_test, risk_train, risk_test = train_test_split(
    X, y, truth.risk, test_size=0.5, stratify=y, random_state=0)
print(f"training: {len(y_train)} patients, {y_train.sum()} events ({y_train.mean():.2%}); "
      f"test: {len(y_test)} patients, {y_test.sum()} events ({y_test.mean():.2%})")

# %% [markdown]
# ## Step 2: the accuracy paradox
#
# Two models: one that always predicts "no event" (scikit-learn's `DummyClassifier`), and a
# logistic regression on the scaled measurements. Both predict "event" when the predicted
# probability is at least 0.5, the default of `predict`. We report the accuracy, and the
# **sensitivity** (the share of events that are flagged) and **specificity** (the share of
# non-events that are not).

# %%
def logistic():
    """A fresh scaled logistic regression."""
    return make_pipeline(StandardScaler(), LogisticRegression())


def at_threshold(y_true, flagged):
    """Accuracy, sensitivity and specificity of yes/no predictions."""
    tn, fp, fn, tp = confusion_matrix(y_true, flagged).ravel()
    return {"accuracy": accuracy_score(y_true, flagged), "flagged": tp + fp,
            "sensitivity": tp / (tp + fn), "specificity": tn / (tn + fp)}


plain = logistic().fit(X_train, y_train)
never = DummyClassifier(strategy="most_frequent").fit(X_train, y_train)
pd.DataFrame({"always 'no event'": at_threshold(y_test, never.predict(X_test)),
              "logistic regression": at_threshold(y_test, plain.predict(X_test))}).T

# %% [markdown]
# Both are about 98 % accurate, and both are useless as a screening tool at this threshold:
# the dummy finds no event at all, and the logistic regression flags only a handful of
# patients. Accuracy is dominated by the 98 % of patients without the event, so it rewards
# predicting the majority class. This is the **accuracy paradox**. The threshold of 0.5 is
# the other culprit: with a 2 % base rate, hardly any patient has a risk above 50 %, even
# when the model ranks patients well. We come back to thresholds in step 7.

# %% [markdown]
# ## Step 3: metrics that see the rare class
#
# The **AUC** (area under the ROC curve) is the probability that a random patient with the
# event gets a higher score than a random patient without: it does not depend on a threshold
# or on the prevalence. The **precision-recall curve** plots, over all thresholds, the
# precision (the positive predictive value: the share of flagged patients who have the
# event) against the recall (the sensitivity). Its summary, the **average precision**, must
# be read against its baseline: a useless score has an average precision equal to the
# prevalence, here 0.02, not 0.5. We compare the dummy, the logistic regression and the true
# risks (the best any model could do with these measurements).

# %%
scores = {"always 'no event'": never.predict_proba(X_test)[:, 1],
          "logistic regression": plain.predict_proba(X_test)[:, 1],
          "true risk (the ceiling)": risk_test}
pd.DataFrame({name: {"AUC": roc_auc_score(y_test, s), "average precision": average_precision_score(y_test, s)}
              for name, s in scores.items()}).T

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for name, s in scores.items():
    fpr, tpr, _ = roc_curve(y_test, s)
    axes[0].plot(fpr, tpr, label=name)
    if name != "always 'no event'":  # a constant score has no curve, only the baseline
        precision, recall, _ = precision_recall_curve(y_test, s)
        axes[1].plot(recall, precision, label=name)
axes[0].set(xlabel="1 - specificity", ylabel="sensitivity", title="ROC curve")
axes[1].axhline(y_test.mean(), color="grey", ls=":", label="prevalence (baseline)")
axes[1].set(xlabel="recall (sensitivity)", ylabel="precision (PPV)", title="precision-recall curve")
axes[0].legend(fontsize=8)
axes[1].legend(fontsize=8)
fig.tight_layout()

# %% [markdown]
# The logistic regression is close to the ceiling on both measures. Its ROC curve looks
# reassuring; the precision-recall curve shows the hard part: to find half of the events,
# the precision is about 0.1 to 0.15, so a clinician looks at seven to ten flagged patients
# for every true one, **even with the true risks**. That is a property of a rare outcome
# and of the information in the measurements, not a failing of the model, and no resampling
# will change it.

# %% [markdown]
# ## Step 4: resampling and class weights, inside the folds
#
# The usual remedies make the classes look balanced while the model is fitted:
#
# - **random under-sampling** drops non-events at random until there are as many as events;
# - **random over-sampling** repeats events at random;
# - **SMOTE** creates synthetic events on the line between an event and one of its nearest
#   event neighbours (Chawla et al. 2002), so it needs scaled features;
# - **class weights** (`class_weight="balanced"`) count each event more in the loss instead
#   of copying it;
# - a **balanced random forest** under-samples the non-events afresh for every tree.
#
# The samplers go *inside* an imbalanced-learn `Pipeline`. Such a pipeline resamples only
# in `fit`; `predict` and `predict_proba` see the data as they are. Inside
# cross-validation, only the training folds are resampled and every test fold keeps its
# real 2 % of events. We compare all of them by 5-fold cross-validation on the development
# half, on the AUC, the average precision and the **Brier score** (the mean squared
# difference between the predicted probability and the outcome: lower is better, and it
# punishes probabilities that are wrong on average).

# %%
candidates = {
    "logistic regression": logistic(),
    "class weights": make_pipeline(StandardScaler(), LogisticRegression(class_weight="balanced")),
    "random under-sampling": make_pipeline(StandardScaler(), RandomUnderSampler(random_state=0),
                                           LogisticRegression()),
    "random over-sampling": make_pipeline(StandardScaler(), RandomOverSampler(random_state=0),
                                          LogisticRegression()),
    "SMOTE": make_pipeline(StandardScaler(), SMOTE(random_state=0), LogisticRegression()),
    "random forest": RandomForestClassifier(n_estimators=100, min_samples_leaf=20, random_state=0),
    "balanced random forest": BalancedRandomForestClassifier(
        n_estimators=100, sampling_strategy="all", replacement=True, bootstrap=False, random_state=0),
}
folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
rows = {}
for name, model in candidates.items():
    cv = cross_validate(model, X_train, y_train, cv=folds,
                        scoring=["roc_auc", "average_precision", "neg_brier_score"])
    rows[name] = {"AUC": cv["test_roc_auc"].mean(), "AUC sd": cv["test_roc_auc"].std(),
                  "average precision": cv["test_average_precision"].mean(),
                  "Brier score": -cv["test_neg_brier_score"].mean()}
comparison = pd.DataFrame(rows).T
comparison

# %% [markdown]
# Read the table honestly:
#
# - **No remedy beats the plain logistic regression** on the AUC or on the average
#   precision. Random under-sampling is the worst of the logistic models: it throws away
#   about 98 % of the non-events, and with them information. The differences between the
#   others are far smaller than the spread between folds (`AUC sd`).
# - The balanced random forest ranks about as well as the ordinary random forest, and
#   neither beats the logistic regression here: with 240 events, the flexibility of a forest
#   buys little.
# - The **Brier score** is six to nine times worse for every resampled or weighted model:
#   their probabilities are far too high (step 6).
#
# Resampling adds no information about the events; it changes how much the model cares
# about each class. That is a decision about errors, and it has a cleaner home: the
# threshold (step 7).

# %% [markdown]
# ## Step 5: the wrong way, resampling before cross-validation
#
# A frequent mistake is to run SMOTE on the whole data set and *then* cross-validate. Two
# things go wrong. Synthetic events are interpolated between real events, so test folds are
# full of near-copies of training events. And the test folds are half events, nothing like
# the 2 % the model will meet. The next cell makes this mistake on purpose, with the random
# forest, which can memorise near-copies.

# %%
X_scaled = StandardScaler().fit_transform(X_train)      # part of the same mistake
X_smote, y_smote = SMOTE(random_state=0).fit_resample(X_scaled, y_train)
# each tree sees a fifth of the rows, for speed
forest = RandomForestClassifier(n_estimators=50, max_samples=0.2, random_state=0)
wrong = cross_validate(forest, X_smote, y_smote, cv=folds, scoring=["roc_auc", "average_precision"])
right = cross_validate(make_pipeline(StandardScaler(), SMOTE(random_state=0), forest), X_train, y_train,
                       cv=folds, scoring=["roc_auc", "average_precision"])
pd.DataFrame({name: {"AUC": cv["test_roc_auc"].mean(),
                     "average precision": cv["test_average_precision"].mean()}
              for name, cv in (("SMOTE before cross-validation (wrong)", wrong),
                               ("SMOTE inside the pipeline (right)", right))}).T

# %% [markdown]
# An AUC and an average precision close to 1, against an honest AUC of 0.80 (below the
# forest and the plain logistic regression of step 4) and an average precision of 0.13. The
# leaky estimate would not survive contact with real patients. Whenever a resampled model
# looks much better than the plain one, check where the resampling happened.

# %% [markdown]
# ## Step 6: what resampling does to the probabilities
#
# We fit the plain logistic regression and the under-sampled one on the whole development
# half and look at their predicted risks on the test half. A model is **calibrated** when
# its risks can be taken at face value: of the patients given a risk of 10 %, about 10 %
# have the event. Two numbers summarise calibration, both from a logistic regression of the
# observed outcome on the log-odds of the predicted risk:
#
# - **calibration-in-the-large** (`citl`): the intercept of that regression when the slope
#   is fixed at 1, i.e. how far the average predicted log-odds is from the observed one.
#   0 is ideal; negative means the risks are too high on average, positive too low;
# - the **calibration slope**: the slope of that regression. 1 is ideal; below 1 the risks
#   are too extreme (too high for the high-risk patients, too low for the low-risk ones),
#   typical of an overfitted model; above 1 they are not spread enough.
#
# Both come from `bk.validation.calibration_summary`, with `oe_ratio`, the observed number
# of events over the expected number (the sum of the predicted risks). Lessons 10 and 11
# return to calibration in depth.

# %%
def calibration_row(y_true, p):
    """Mean predicted risk and the main calibration measures."""
    c = bk.validation.calibration_summary(y_true, p)
    return {"mean predicted": c.mean_predicted, "observed rate": c.observed_rate, "oe_ratio": c.oe_ratio,
            "citl": c.citl, "slope": c.slope, "AUC": roc_auc_score(y_true, p),
            "mean |risk - true risk|": np.abs(p - risk_test).mean()}


under = make_pipeline(StandardScaler(), RandomUnderSampler(random_state=0), LogisticRegression())
under.fit(X_train, y_train)
risks = {"logistic regression": plain.predict_proba(X_test)[:, 1],
         "under-sampled": under.predict_proba(X_test)[:, 1]}
pd.DataFrame({name: calibration_row(y_test, p) for name, p in risks.items()}).T

# %% [markdown]
# The under-sampled model was fitted on data with 50 % events and predicts for a world with
# 50 % events: its mean predicted risk is about a third where 2 % of patients have the
# event, and a patient's predicted risk is on average 0.32 above the true one. The AUC
# hardly differs (a little lower, because the model was fitted on 2 % of the non-events),
# which is why a study that reports only the AUC never notices.
#
# ### The fix: correct the odds
#
# If the training data were resampled at random within each class, only the base rate
# changed, not what events and non-events look like. Bayes' rule then says how to convert:
# multiply the predicted odds by the ratio of the true odds of the event to the training
# odds,
#
# odds(corrected) = odds(predicted) × [r / (1 − r)] / [r′ / (1 − r′)],
#
# with r the true prevalence and r′ the event rate after resampling (here 0.5). This is
# `bk.imbalance.prior_shift_correction` (Elkan 2001; Saerens et al. 2002), and
# `bk.imbalance.ResampledClassifier` applies it inside a scikit-learn estimator: it resamples
# during `fit` and corrects `predict_proba`. For SMOTE the correction is only approximate,
# because synthetic events are not real ones.

# %%
Resampled = bk.imbalance.ResampledClassifier
corrected = {
    "under-sampled, corrected": Resampled(LogisticRegression(), RandomUnderSampler(random_state=0)),
    "SMOTE, uncorrected": Resampled(LogisticRegression(), SMOTE(random_state=0), correct_prior=False),
    "SMOTE, corrected": Resampled(LogisticRegression(), SMOTE(random_state=0)),
}
for name, model in corrected.items():  # the scaler first, so that SMOTE sees scaled features
    risks[name] = make_pipeline(StandardScaler(), model).fit(X_train, y_train).predict_proba(X_test)[:, 1]
calibration = pd.DataFrame({name: calibration_row(y_test, p) for name, p in risks.items()}).T
calibration

# %% [markdown]
# After the correction the mean predicted risk is back near the observed 2 %, and the
# distance to the true risks falls from about 0.3 to about 0.01. The AUC does not move: the
# correction is monotone, so the ranking is the same. The under-sampled model stays a
# little worse than the plain one (it over-predicts slightly, and its slope is 0.82),
# because it was fitted on fewer patients. With SMOTE the correction lands close too, but
# that is an approximation that should be checked on held-out data (or replaced by
# recalibration on held-out data, `bk.validation.RecalibratedClassifier`, which lesson 11
# presents).
#
# The calibration curves on the test half (observed event rate against predicted risk; the
# dashed diagonal is perfect calibration). Left, the resampled models' curves lie far below
# the diagonal. Right, after the correction, they follow it as closely as the plain
# model's up to risks of about 0.2, where nearly all patients are; above that there are few
# patients and the bands are wide.

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for ax, names in zip(axes, (["logistic regression", "under-sampled", "SMOTE, uncorrected"],
                            ["logistic regression", "under-sampled, corrected", "SMOTE, corrected"])):
    for name in names:
        bk.validation.calibration_curve(y_test, risks[name]).plot(ax=ax, label=name)
    handles = dict(zip(*reversed(ax.get_legend_handles_labels())))  # one "ideal" entry
    ax.legend(handles.values(), handles.keys(), fontsize=8)
axes[0].set_title("after resampling")
axes[1].set_title("after the prior-shift correction")
fig.tight_layout()

# %% [markdown]
# ## Step 7: resampling is a threshold in disguise
#
# The correction is a monotone function of the risk, so the under-sampled model's rule
# "flag when the uncorrected risk is at least 0.5" flags exactly the patients whose
# corrected risk is at least `prior_shift_correction(0.5, ...)`, which is the prevalence
# itself, about 0.02. `bk.validation.threshold_metrics` counts the flagged patients both
# ways:

# %%
prevalence = y_train.mean()
cut = bk.imbalance.prior_shift_correction(0.5, train_prevalence=0.5, prevalence=prevalence)
print(f"0.5 before the correction is {cut:.4f} after it")
flagged = {"under-sampled, threshold 0.5": (risks["under-sampled"], 0.5),
           f"corrected, threshold {cut:.4f}": (risks["under-sampled, corrected"], cut),
           "plain logistic, threshold 0.02": (risks["logistic regression"], 0.02)}
counts = pd.concat({name: bk.validation.threshold_metrics(y_test, p, t) for name, (p, t) in flagged.items()})
counts.droplevel(1)[["tp", "fp", "fn", "sensitivity", "specificity", "ppv", "alerts_per_1000"]]

# %% [markdown]
# The same patients are flagged. So "balance the classes, then use 0.5" is a roundabout way
# of choosing a low threshold, one that the analyst did not choose deliberately, on
# probabilities that no longer mean anything. The plain logistic regression at a threshold
# of 0.02 finds as many events (one more) with about 300 fewer false alarms, and keeps its
# probabilities honest. The threshold is a
# clinical decision (how many false alarms is one found event worth?); choose it on
# calibrated risks, with the numbers of the next step and the decision curves of lesson 11.

# %% [markdown]
# ## Step 8: the positive predictive value at low prevalence
#
# At a few thresholds of the plain logistic regression, the test half gives the
# sensitivity, specificity and **positive predictive value** (PPV, the share of flagged
# patients who have the event), with Wilson intervals, the alerts per 1,000 patients and
# the **number needed to evaluate** (`nne`, flagged patients per true event).

# %%
operating = bk.validation.threshold_metrics(y_test, risks["logistic regression"], [0.01, 0.02, 0.05, 0.1])
operating[["threshold", "sensitivity", "specificity", "ppv", "ppv_low", "ppv_high", "alerts_per_1000", "nne"]]

# %% [markdown]
# A specificity of 78 % sounds decent, yet at the threshold 0.02 about 94 % of the alerts
# are false (PPV 0.06): when 98 of 100 patients do not have the event, even a small share
# of them outnumbers the true cases. Sensitivity and specificity belong to the test; the
# PPV also depends on the prevalence, by Bayes' rule:
#
# PPV = sensitivity × prevalence / (sensitivity × prevalence + (1 − specificity) × (1 − prevalence)).
#
# `bk.imbalance.ppv_at_prevalence` computes it for any prevalence (and `npv_at_prevalence`
# the negative predictive value). With the sensitivity and specificity of the threshold 0.02,
# in settings where the event is more or less common:

# %%
sens, spec = operating.loc[operating.threshold == 0.02, ["sensitivity", "specificity"]].iloc[0]
settings = np.array([0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.001])
pd.DataFrame({"prevalence": settings,
              "PPV": bk.imbalance.ppv_at_prevalence(sens, spec, settings),
              "NPV": bk.imbalance.npv_at_prevalence(sens, spec, settings),
              "alerts per true case": 1 / bk.imbalance.ppv_at_prevalence(sens, spec, settings)})

# %% [markdown]
# The same model, with the same sensitivity and specificity, has a PPV seven times higher
# in a high-risk clinic (20 %) than here, and almost none in a population where 1 in 1,000
# has the event. The negative predictive value looks excellent everywhere, which is just as
# uninformative: with a rare outcome almost everyone is truly negative. The curves, over
# prevalence on a log scale, for this specificity and for two better ones (the dotted line
# marks the 2 % of this cohort):

# %%
grid = np.logspace(-3, np.log10(0.5), 200)
fig, ax = plt.subplots(figsize=(6, 3.8))
for s in (spec, 0.95, 0.99):
    ax.plot(grid, bk.imbalance.ppv_at_prevalence(sens, s, grid), label=f"specificity {s:.2f}")
ax.axvline(prevalence, color="grey", ls=":", lw=1)
ax.set(xscale="log", xlabel="prevalence", ylabel="PPV", title=f"sensitivity {sens:.2f}")
ax.legend()
fig.tight_layout()

# %% [markdown]
# Bayes' rule assumes the sensitivity and specificity carry over to the new setting; they
# often do not (lesson 11 shows a case). It still sets the expectation: for a rare outcome,
# most positive results are false, and only a very high specificity changes that.

# %% [markdown]
# ### Exercise 1: class weights are resampling in disguise too
#
# Fit `make_pipeline(StandardScaler(), LogisticRegression(class_weight="balanced"))` on the
# development half. Balanced weights make events and non-events weigh the same in total, as
# if the event rate were 0.5. Correct its test-set risks with
# `bk.imbalance.prior_shift_correction(p, train_prevalence=0.5, prevalence=y_train.mean())`
# and compare `calibration_row` before and after the correction with the plain logistic
# regression.

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 1
weighted = make_pipeline(StandardScaler(), LogisticRegression(class_weight="balanced")).fit(X_train, y_train)
p_weighted = weighted.predict_proba(X_test)[:, 1]
p_fixed = bk.imbalance.prior_shift_correction(p_weighted, train_prevalence=0.5, prevalence=y_train.mean())
print(pd.DataFrame({"class weights": calibration_row(y_test, p_weighted),
                    "class weights, corrected": calibration_row(y_test, p_fixed),
                    "logistic regression": calibration_row(y_test, risks["logistic regression"])}).T)
# The weighted model over-predicts about sixteenfold, like the under-sampled one. After the
# correction it is calibrated again and close to the plain model; its AUC never changed.
# Unlike under-sampling, weighting keeps every patient, so nothing is lost, but nothing is
# gained either.

# %% [markdown]
# ### Exercise 2: the probabilities of a balanced random forest
#
# Each tree of the balanced random forest of step 4 is fitted on a balanced sample, so the
# forest's probabilities are also those of a world with 50 % events. Fit it on the
# development half, then compare its test-set AUC and `calibration_row` before and after
# `prior_shift_correction` with `train_prevalence=0.5`. Does the correction make the
# forest as well calibrated as the logistic regression?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 2
balanced_forest = candidates["balanced random forest"].fit(X_train, y_train)
p_forest = balanced_forest.predict_proba(X_test)[:, 1]
p_forest_fixed = bk.imbalance.prior_shift_correction(p_forest, 0.5, y_train.mean())
print(pd.DataFrame({"balanced forest": calibration_row(y_test, p_forest),
                    "balanced forest, corrected": calibration_row(y_test, p_forest_fixed)}).T)
# The correction overshoots: the mean predicted risk falls to about 1 % where 2 % have the
# event (observed/expected about 1.8), and the slope is above 1 (risks not spread enough).
# The correction assumes the probabilities were calibrated for the balanced world; a
# forest's probabilities are averages of votes of deep trees and are not calibrated to
# begin with. For such a model, recalibrate on held-out data (RecalibratedClassifier,
# lesson 11), and remember that the forest did not rank better than the logistic
# regression anyway.

# %% [markdown]
# ### Exercise 3: does SMOTE help when events are very few?
#
# Some argue that resampling helps most when there are very few events. Take the first
# 3,000 patients of the development half (about 60 events) and compare the plain logistic
# regression with SMOTE inside the pipeline, by 5-fold cross-validation repeated 5 times
# (`bk.validation.repeated_cv(model, X, y, n_splits=5, n_repeats=5, random_state=0)`, then
# `bk.validation.summarize_cv`). Look at the AUC, the Brier score and the spread.

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 3
X_small, y_small = X_train.iloc[:3_000], y_train.iloc[:3_000]
print(f"{y_small.sum()} events in {len(y_small)} patients")
for name, model in (("logistic regression", logistic()),
                    ("SMOTE", make_pipeline(StandardScaler(), SMOTE(random_state=0), LogisticRegression()))):
    print(name)
    print(bk.validation.summarize_cv(bk.validation.repeated_cv(model, X_small, y_small, n_splits=5,
                                                               n_repeats=5, random_state=0)))
# With few events SMOTE still does not raise the AUC; the fold-to-fold spread is several
# times larger than any difference between the two. Its Brier score is much worse, because
# its probabilities are uncorrected. What helps with few events is a simpler model (fewer
# predictors, a stronger penalty) and more events, not copies of the events one has.

# %% [markdown]
# ### Exercise 4: a screening programme
#
# A health service plans to screen 10,000 people in a population where the event has a
# prevalence of 0.5 %, with the logistic regression at the threshold 0.02 (use `sens` and
# `spec` from step 8, and assume they carry over). How many people will be flagged, how many
# of them will have the event, how many events will be missed, and what are the PPV and
# the number of flagged people per event found?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 4
n_screened, prev_screen = 10_000, 0.005
events = n_screened * prev_screen
found = sens * events
false_alarms = (1 - spec) * (n_screened - events)
ppv_screen = bk.imbalance.ppv_at_prevalence(sens, spec, prev_screen)
print(f"flagged: {found + false_alarms:.0f}; with the event: {found:.0f}; missed: {events - found:.0f}")
print(f"PPV {ppv_screen:.3f} (by counting: {found / (found + false_alarms):.3f}); "
      f"{1 / ppv_screen:.0f} flagged people per event found")
# Over 2,000 people would be flagged to find 35 events, and 15 events would be missed.
# Whether that is worth it depends on the cost and harm of the follow-up test, which is a
# decision for the service, not for the model.

# %% [markdown]
# ## Take-aways
# - With a rare outcome, accuracy rewards predicting "no event". Report the AUC, the
#   precision-recall curve with its baseline (the prevalence), and the sensitivity and PPV
#   at the thresholds that matter.
# - Resampling and class weights did not improve discrimination here, with 240 events or
#   with 60; they are not a cure for few events.
# - If you resample, do it inside an imbalanced-learn pipeline so that only training folds
#   are touched; SMOTE before cross-validation gave a forest an AUC near 1 that was false.
# - Resampling makes predicted risks far too high. Undo it with the prior-shift correction
#   (`bk.imbalance.prior_shift_correction`, `ResampledClassifier`) or recalibrate on
#   held-out data.
# - "Balance, then threshold at 0.5" is the same as a low threshold on calibrated risks.
#   Choose the threshold deliberately, on calibrated risks, for the decision.
# - At low prevalence most positives are false even with a good specificity: compute the
#   PPV for the population where the model will be used.
#
# ## Self-check quiz
# 1. A model for a complication with 1 % prevalence reports 99 % accuracy. What do you ask
#    next?
# 2. What is the average precision of a score that carries no information, when the
#    prevalence is 5 %?
# 3. A colleague applies SMOTE to the full data set, then runs 10-fold cross-validation and
#    reports an AUC of 0.97. What went wrong?
# 4. A model was trained after random under-sampling to 50 % events; the true prevalence is
#    4 %. It gives a patient a probability of 0.5. What is the corrected risk?
# 5. Why does the AUC not change when the probabilities are corrected for the prevalence?
#
# <details><summary>Answers</summary>
#
# 1. The sensitivity and the PPV at the threshold used, and the AUC and precision-recall
#    curve: a model that never predicts the complication is also 99 % accurate.
# 2. About 0.05, the prevalence: the precision of random flags equals the share of events.
# 3. The resampling leaked into the test folds: synthetic events are interpolations of
#    real ones, so near-copies of training events are tested, and the test folds are half
#    events instead of the real prevalence. Resample inside a pipeline, in training folds
#    only.
# 4. The odds 1 become `1 × (0.04 / 0.96) / (0.5 / 0.5) = 0.0417`, a risk of `0.04`: exactly the
#    prevalence, as step 7 showed for the threshold 0.5.
# 5. The correction is a strictly increasing function of the probability, so it keeps every
#    patient's rank, and the AUC depends only on the ranking.
#
# </details>

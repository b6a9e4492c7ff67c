# %% [markdown]
# # 10 · The validation hierarchy: from one split to a model in use
#
# "The model has an AUC of 0.80" is not a finding until we know *where* that number was
# measured. On the patients the model was fitted on? On one random split of them? On
# patients from another hospital, or from next year? Each step up this ladder answers a
# harder question, and a model can pass one step and fail the next. This lesson climbs the
# ladder: internal validation (hold-out, k-fold, repeated and nested cross-validation, the
# bootstrap), external validation at other sites, temporal validation in a later period, a
# simulated deployment month by month, and finally a report that follows the TRIPOD+AI
# reporting guideline.
#
# ## Learning objectives
# - Measure how much a single hold-out AUC varies between random splits, and report repeated or nested cross-validation instead, as a mean with its spread.
# - Compute Harrell's bootstrap optimism correction, and show with a large independent sample that it under-corrects when there are many predictors for few events.
# - Validate a frozen model at other sites and in a later period, reading the AUC, calibration-in-the-large and calibration slope with their intervals, and explain why small sites give noisy results.
# - Monitor a deployed model month by month and detect calibration drift while discrimination holds steady.
# - Produce a TRIPOD+AI-style validation report and a model card, and list what the author must still write.
#
# ## Prerequisites
# - Lesson 01 (stratified splits, cross-validation, pipelines, the AUC).
# - Lesson 02 (the simulated cohort, its true risk, the Brier score).
# - Calibration is introduced briefly here; lesson 11 treats it in depth.
#
# ## Estimated time
# 115 minutes: 70 teaching, 45 exercises (3, about 15 minutes each).
# Teaching includes the quiz. Timed for a first reading by a newcomer: the prose at about
# 120 words a minute, a minute per code cell to run it and read its output, and about 15
# minutes per exercise including its solution.
#
# ## Datasets
# - `lung` (**real**: NCCTG advanced lung cancer, 228 patients from 18 institutions). The
#   outcome is death within a year of enrolment; patients censored before a year have an
#   unknown outcome and are left out.
# - `breast_cancer` (**real**: 569 breast masses with 30 measurements each), for
#   cross-validation, and a copy of it with the diagnoses shuffled at random (**simulated**
#   from the real data: a version with no signal at all).
# - `cohort` (**simulated**: a cardiovascular-style cohort whose true risks are known): a
#   development cohort from four hospitals, a later period with a different case mix, twelve
#   months of simulated deployment, and a large cohort with 30 laboratory values of pure
#   noise for the bootstrap.

# %% [markdown]
# ## Setting up
#
# The imports this lesson needs. Every function that involves chance gets a fixed seed, so
# a rerun prints the same numbers. The logistic regressions use the `newton-cholesky`
# solver: the same model as the default solver, found faster when there are many more
# patients than columns, which matters here because we refit it hundreds of times. For the
# same reason the last lines ask numpy and scikit-learn for one thread per computation: on
# data this small, more threads gain nothing and compete for the 2 cores of a Binder
# session. The numbers do not change.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.special import expit, logit
from sklearn.base import clone
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

import biomedkit as bk

limits = threadpool_limits(1)
pd.set_option("display.float_format", "{:.3f}".format)  # tables show 3 decimals


def logistic():
    """A fresh scaled logistic regression (the model of most of this lesson)."""
    return make_pipeline(StandardScaler(), LogisticRegression(solver="newton-cholesky"))


# %% [markdown]
# ## Part 1: internal validation
#
# Internal validation asks how well the model would do on **new patients from the same
# population** as the development data. It uses only the development data, by holding
# some of it out or by resampling it.
#
# ## Step 1: a real outcome from the lung data
#
# The `lung` data record survival: `time` (days) and `status` (1 = died, 0 = censored, that
# is, still alive when last seen). We turn them into a binary outcome, **death within 365
# days**. A patient who died before day 365 had the event; a patient followed for at least
# 365 days did not. A patient censored *before* day 365 has an unknown outcome: they might
# have died on day 366 or on day 200. We leave these patients out. That is the simplest
# honest choice, but not a free one: it discards information, and if censoring depends on
# prognosis it biases the sample (survival methods, which use the censored patients, are
# the better tool for a full analysis).

# %%
lung = bk.datasets.load("lung").frame
unknown = (lung["time"] < 365) & (lung["status"] == 0)
lung1y = lung[~unknown].copy()
lung1y["death_1y"] = ((lung1y["time"] < 365) & (lung1y["status"] == 1)).astype(int)
print(f"{len(lung)} patients; {unknown.sum()} censored before 365 days are left out; "
      f"{len(lung1y)} remain, {lung1y['death_1y'].sum()} of whom died within a year "
      f"({lung1y['death_1y'].mean():.1%})")

# %% [markdown]
# The predictors are age, sex, the ECOG performance score and the Karnofsky scores rated by
# the physician and by the patient, and the weight lost in the last six months. A few
# values are missing, so the pipeline fills them with the median (learned, like the scaler,
# inside each fit).

# %%
LUNG_PREDICTORS = ["age", "sex", "ph.ecog", "ph.karno", "pat.karno", "wt.loss"]
X_lung, y_lung = lung1y[LUNG_PREDICTORS], lung1y["death_1y"]
lung_model = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(),
                           LogisticRegression(solver="newton-cholesky"))
X_lung.isna().sum()

# %% [markdown]
# ## Step 2: one hold-out split is a lottery
#
# The simplest validation fits the model on 70 % of the patients and measures the AUC on
# the other 30 %. The next cell does that 100 times with different random splits, for the
# lung data (186 patients, a hard prediction problem) and for the breast-cancer data (569
# masses, an easy one), and records the spread of the hold-out AUC.

# %%
bc = bk.datasets.load("breast_cancer")
X_bc, y_bc = bc.X, bc.y


def holdout_aucs(model, X, y, n_splits=100, test_size=0.3):
    """The test AUC of `model` over `n_splits` random stratified splits."""
    aucs = []
    for seed in range(n_splits):
        X_fit, X_test, y_fit, y_test = train_test_split(
            X, y, test_size=test_size, stratify=y, random_state=seed)
        aucs.append(roc_auc_score(y_test, clone(model).fit(X_fit, y_fit).predict_proba(X_test)[:, 1]))
    return np.array(aucs)


holdout = {"lung (186 patients)": holdout_aucs(lung_model, X_lung, y_lung),
           "breast cancer (569 masses)": holdout_aucs(logistic(), X_bc, y_bc)}
pd.DataFrame({name: {"min": a.min(), "2.5 %": np.quantile(a, 0.025), "median": np.median(a),
                     "97.5 %": np.quantile(a, 0.975), "max": a.max(), "sd": a.std()}
              for name, a in holdout.items()}).T

# %% [markdown]
# The histograms, on a common scale, show the same thing. On the lung data, the *same*
# model on the *same* patients can be reported with an AUC anywhere from about 0.47 (worse
# than chance) to about 0.77, depending only on which 56 patients landed in the test set. On the breast-cancer
# data the spread is much narrower, because the data set is larger and the AUC is close to
# its ceiling of 1. A single split is only trustworthy when the test set is large.

# %%
fig, axes = plt.subplots(2, 1, figsize=(7, 4), sharex=True)
for ax, (name, a) in zip(axes, holdout.items()):
    ax.hist(a, bins=np.linspace(0.4, 1, 61), color="tab:blue")
    ax.set(title=name, ylabel="splits")
axes[1].set(xlabel="hold-out AUC (one per random split of the same data)")
fig.tight_layout()

# %% [markdown]
# ## Step 3: k-fold and repeated cross-validation
#
# Five-fold cross-validation uses every patient once for testing, so its mean is steadier
# than one split. But the folds are themselves random: rerun it with another seed and the
# mean moves. **Repeated cross-validation** reruns the whole 5-fold procedure with new
# folds (here 10 times) and averages everything. `bk.validation.repeated_cv` returns one
# row per fold and repeat; `summarize_cv` gives the mean, the standard deviation and the
# 2.5 % and 97.5 % quantiles over all 50 folds. On the breast-cancer data:

# %%
bc_folds = bk.validation.repeated_cv(logistic(), X_bc, y_bc, n_splits=5, n_repeats=10, random_state=0)
bk.validation.summarize_cv(bc_folds)

# %% [markdown]
# **Read the `sd` column carefully.** It is the spread of the *individual folds* (each
# scored on about 114 masses), not the uncertainty of the mean. The folds overlap in their
# training data, so there is no simple formula for the standard error of the mean; the
# per-fold spread is what one would see with a test set of one fold's size.
#
# How much does the *estimate* itself move when the folds are redrawn? On the lung data,
# where it matters, the next cell compares three ways of estimating the AUC: one 70/30 split
# (the 100 splits of step 2), one 5-fold cross-validation (40 reruns with new folds) and
# the mean of 10 repeats of 5-fold cross-validation (4 reruns, each with its own 10
# repeats).

# %%
lung_folds = bk.validation.repeated_cv(lung_model, X_lung, y_lung, scoring="roc_auc",
                                       n_splits=5, n_repeats=40, random_state=0)
one_cv = lung_folds.groupby("repeat")["roc_auc"].mean()          # 40 single 5-fold CVs
ten_cv = one_cv.groupby(one_cv.index // 10).mean()               # 4 means of 10 repeats
pd.DataFrame({"estimates": [100, 40, 4],
              "mean": [holdout["lung (186 patients)"].mean(), one_cv.mean(), ten_cv.mean()],
              "sd between reruns": [holdout["lung (186 patients)"].std(), one_cv.std(), ten_cv.std()]},
             index=["one 70/30 split", "one 5-fold CV", "10 x 5-fold CV"])

# %% [markdown]
# All three estimate the same thing (an AUC a little above 0.6), but a single split wanders
# far more than a single 5-fold cross-validation, and averaging 10 repeats makes the
# estimate steadier still (its sd comes from only 4 reruns, so it is itself rough). What no
# resampling can fix is that 186 patients carry little information: the individual folds
# of the lung data range widely (see `summarize_cv` in exercise 1).

# %% [markdown]
# ## Step 4: nested cross-validation, when the model is tuned
#
# If a hyper-parameter (here the penalty `C` of the logistic regression) is chosen by
# cross-validation, the best cross-validated score is optimistic: it is the maximum of
# several noisy scores. **Nested cross-validation** runs the tuning inside each training
# part (the inner loop) and scores the chosen model on the outer fold that the tuning never
# saw. `bk.validation.nested_cv` reports both numbers per outer fold.

# %%
c_grid = {"logisticregression__C": [0.001, 0.01, 0.1, 1, 10, 100]}
nested_bc = bk.validation.nested_cv(logistic(), c_grid, X_bc, y_bc, random_state=0)
nested_bc

# %% [markdown]
# On the breast-cancer data the two agree closely on average (compare the means below): with
# one tuning parameter, six candidate values and a strong signal, choosing the best adds
# almost no optimism. Nested cross-validation costs five times as many fits as tuning by
# plain cross-validation (155 against 31) and here changes nothing; it is worth saying so.

# %%
nested_bc[["outer_score", "inner_best_score"]].mean()

# %% [markdown]
# The optimism of tuning grows as the signal weakens and the search widens. To see it,
# shuffle the diagnoses at random (now no model can beat an AUC of 0.5) and tune a support
# vector machine over 20 combinations of its two hyper-parameters. We do this for 3
# different shuffles, to avoid trusting one lucky draw.

# %%
svm = make_pipeline(StandardScaler(), SVC())
svm_grid = {"svc__C": [0.01, 0.1, 1, 10, 100], "svc__gamma": [0.001, 0.01, 0.1, 1]}
rows = []
for shuffle in range(3):
    y_shuffled = pd.Series(np.random.default_rng(shuffle).permutation(y_bc.to_numpy()), index=y_bc.index)
    result = bk.validation.nested_cv(svm, svm_grid, X_bc, y_shuffled, random_state=0)
    rows.append({"shuffle": shuffle, "inner best (optimistic)": result["inner_best_score"].mean(),
                 "outer (honest)": result["outer_score"].mean()})
pd.DataFrame(rows).set_index("shuffle")

# %% [markdown]
# In every shuffle the inner best score is above 0.5 and above the outer score, by 0.01 to
# 0.06: picking the best of 20 noisy scores always finds one that looks good. The outer
# scores are closer to the truth of 0.5 but noisy too (one of them is 0.57 by pure chance: a
# 5-fold AUC on 569 masses still wobbles). The gap between the two is the optimism that
# nested cross-validation removes.

# %% [markdown]
# ## Step 5: the bootstrap optimism correction, and where it fails
#
# Harrell's bootstrap works on all the data at once:
#
# 1. fit the model on all patients and score it on the same patients: the **apparent**
#    performance, too good;
# 2. draw a bootstrap sample (patients drawn with replacement), refit the model on it, and
#    score it twice: on the bootstrap sample and on the original data. The difference is
#    the **optimism** of that replicate;
# 3. average the optimism over many replicates and subtract it from the apparent score:
#    the **optimism-corrected** estimate of the performance in new patients.
#
# We test it where we can check the answer: on a **simulated** cohort of 51,250 patients.
# The first 250 are the development sample; the other 51,000 stand for "all future patients
# from the same population", on which we can measure the true performance of whatever model
# the 250 produce. The model uses the 10 clinical variables plus 30 laboratory values that
# are pure noise: 40 predictors for about 40 events, a ratio that guidelines warn against.

# %%
CLINICAL = ["age", "female", "smoker", "sbp", "total_chol", "hdl", "bmi", "diabetes", "egfr", "crp"]
big, _ = bk.simulate.cohort(n=51_250, n_noise=30, random_state=3)
LABS = [c for c in big.frame.columns if c.startswith("lab_")]
population = big.frame.iloc[1_250:]                    # 51,000 future patients
dev = big.frame.iloc[:250]                             # the development sample
print(f"development sample: {len(dev)} patients, {dev['event'].sum()} events, "
      f"{len(CLINICAL + LABS)} predictors")

# %% [markdown]
# `bk.validation.bootstrap_optimism` runs the whole recipe (100 replicates here; each refits
# the full pipeline, scaler included).

# %%
optimism = bk.validation.bootstrap_optimism(logistic(), dev[CLINICAL + LABS], dev["event"],
                                            n_boot=100, random_state=0)
print(optimism)

# %% [markdown]
# Now the check that real studies cannot do: fit the model once on the 250 patients and
# measure its AUC on the 51,000 others.

# %%
fitted = logistic().fit(dev[CLINICAL + LABS], dev["event"])
true_auc = roc_auc_score(population["event"], fitted.predict_proba(population[CLINICAL + LABS])[:, 1])
print(f"apparent {optimism.apparent:.3f}   corrected {optimism.corrected:.3f}   "
      f"true (51,000 new patients) {true_auc:.3f}")

# %% [markdown]
# The correction removed about half of the optimism, not all of it: the corrected AUC is
# still well above the true one. Is this one unlucky sample? The next cell repeats the
# check on 5 disjoint development samples of 250 patients, with the 40 predictors and with
# the 10 clinical predictors only. It adds the mean of a 5 × 5 repeated cross-validation
# for comparison. (About 10 seconds.)

# %%
rows = []
for setting, columns in (("40 predictors", CLINICAL + LABS), ("10 predictors", CLINICAL)):
    for sample in range(5):
        part = big.frame.iloc[sample * 250:(sample + 1) * 250]
        X_part, y_part = part[columns], part["event"]
        boot = bk.validation.bootstrap_optimism(logistic(), X_part, y_part, n_boot=100, random_state=0)
        cv_auc = bk.validation.repeated_cv(logistic(), X_part, y_part, scoring="roc_auc",
                                           n_repeats=5, random_state=0)["roc_auc"].mean()
        model = logistic().fit(X_part, y_part)
        rows.append({"setting": setting, "sample": sample + 1, "events": y_part.sum(),
                     "apparent": boot.apparent, "bootstrap corrected": boot.corrected,
                     "repeated CV": cv_auc,
                     "true": roc_auc_score(population["event"], model.predict_proba(population[columns])[:, 1])})
check = pd.DataFrame(rows)
check["corrected - true"] = check["bootstrap corrected"] - check["true"]
check["CV - true"] = check["repeated CV"] - check["true"]
check.set_index(["setting", "sample"])

# %% [markdown]
# Averaged over the 5 samples:

# %%
check.groupby("setting", sort=False)[["apparent", "bootstrap corrected", "repeated CV", "true",
                                      "corrected - true", "CV - true"]].mean()

# %% [markdown]
# With 10 predictors (about 4 events per predictor) the bootstrap is right on average: its
# errors for single samples go both ways. With 40 predictors (about 1 event per predictor)
# it **under-corrects in every sample**, by about 0.06 on average. The reason: a bootstrap
# sample contains only about 63 % of the distinct patients, so the "original data" on which
# each replicate is scored are mostly patients it was fitted on. When the model memorises a
# lot (many predictors, few events), that overlap hides part of the optimism.
# Cross-validation never scores a patient the model was fitted on; here it is slightly
# pessimistic instead (each fit sees only 80 % of the patients). The real cure is a model
# that does not overfit in the first place: fewer candidate predictors, or stronger
# penalisation, for the events available.

# %% [markdown]
# ## Part 2: external, temporal and prospective validation
#
# Internal validation assumes that new patients come from the same population. They
# rarely do: another hospital has another case mix, and practice changes over time.
#
# ## Step 6: real sites are small
#
# The `lung` patients come from 18 institutions, most of them tiny. We keep the six with
# at least 15 patients of known outcome and pool the other twelve into "other"; the one
# patient without an institution is left out. Then **internal-external cross-validation**:
# each site in turn is held out, the model is fitted on all the other sites and validated
# on the one held out.

# %%
lung_sites = lung1y[lung1y["inst"].notna()].copy()
size = lung_sites["inst"].map(lung_sites["inst"].value_counts())
lung_sites["site"] = np.where(size >= 15, "inst " + lung_sites["inst"].astype(int).astype(str).str.zfill(2),
                              "other (12 small)")
risk_lung = pd.Series(np.nan, index=lung_sites.index)
for site in lung_sites["site"].unique():
    held_out = lung_sites["site"] == site
    fit = clone(lung_model).fit(lung_sites.loc[~held_out, LUNG_PREDICTORS], lung_sites.loc[~held_out, "death_1y"])
    risk_lung[held_out] = fit.predict_proba(lung_sites.loc[held_out, LUNG_PREDICTORS])[:, 1]
lung_table = bk.validation.external_validation(lung_sites["death_1y"], risk_lung, lung_sites["site"])
lung_table[["n", "events", "auc", "auc_low", "auc_high", "oe_ratio", "citl", "citl_low", "citl_high"]]

# %% [markdown]
# The AUC of a site ranges from about 0.42 to 0.80, and every site's 95 % interval is
# enormous: with 15 patients, a site's AUC rests on a few dozen pairs of patients. (The
# DeLong interval is itself an approximation that becomes rough at this size; at "inst 01"
# its upper limit is clipped at 1.) Two groups have an interval for calibration-in-the-large
# that excludes 0: inst 22, with far fewer deaths than predicted (observed/expected 0.58),
# and the pooled small institutions, with more (1.19). These may be real differences in who
# was enrolled or how they were treated, or chance: with seven groups examined, a result
# like this can happen by chance, and 15 patients cannot tell the two apart.
#
# Are the sites really different, or is it noise? A **random-effects meta-analysis** of the
# site AUCs (`bk.validation.random_effects`, on the logit scale) estimates the pooled AUC,
# the between-site variance and a prediction interval for a new site.

# %%
per_site = lung_table.drop(index="all validation")
meta = bk.validation.random_effects(per_site["auc"], per_site["auc_se"] ** 2, scale="logit")
print(f"pooled AUC {meta.pooled:.3f} (95 % CI {meta.low:.3f} to {meta.high:.3f}); "
      f"I² {meta.i2:.0%}, heterogeneity p = {meta.p_heterogeneity:.2f}; "
      f"95 % prediction interval for a new site {meta.prediction_low:.3f} to {meta.prediction_high:.3f}")

# %% [markdown]
# The estimated heterogeneity is zero: all the scatter between sites is compatible with
# chance. That does not prove the sites are alike; it says these sites are far too small to
# tell. A common recommendation for a validation sample is at least 100 events and 100
# non-events; no single site here comes close. For large sites, and for a known truth, we
# turn to simulated data.

# %% [markdown]
# ## Step 7: external validation at simulated sites, where the truth is known
#
# A **simulated** development cohort of 8,000 patients from 4 hospitals. The hospitals
# differ in case mix (age, blood pressure, smoking, group B share); the outcome model is the
# same everywhere. We develop a logistic regression at site 1 only and validate it,
# unchanged, at sites 2 to 4.

# %%
hospitals, hospitals_truth = bk.simulate.cohort(n=8_000, n_sites=4, random_state=1)
H = hospitals.frame
at_site_1 = (H["site"] == "site_1").to_numpy()
X_dev, y_dev = H.loc[at_site_1, CLINICAL], H.loc[at_site_1, "event"]
X_ext, y_ext, site_ext = H.loc[~at_site_1, CLINICAL], H.loc[~at_site_1, "event"], H.loc[~at_site_1, "site"]
frozen = logistic().fit(X_dev, y_dev)
H.groupby("site", observed=True)[["age", "sbp", "smoker", "event"]].mean()

# %% [markdown]
# `bk.validation.external_validation` gives one row per site, with the development data as
# the reference row (`development=(y_dev, risk_dev)`) and the drop in AUC from it. The
# calibration columns: `oe_ratio` is observed / expected events (1 is ideal);
# calibration-in-the-large `citl` is 0 when the risks are right on average (above 0: the
# model under-predicts); the calibration `slope` is 1 when the risks are neither too
# extreme nor too timid (below 1: too extreme).

# %%
ext_table = bk.validation.external_validation(
    y_ext, frozen.predict_proba(X_ext)[:, 1], site_ext,
    development=(y_dev, frozen.predict_proba(X_dev)[:, 1]))
COLUMNS = ["n", "events", "auc", "auc_low", "auc_high", "auc_drop", "oe_ratio",
           "citl", "citl_low", "citl_high", "slope", "slope_low", "slope_high"]
ext_table[COLUMNS]

# %% [markdown]
# Here the model **transports well**: the AUC drops by less than 0.01 at every site, the
# observed/expected ratios stay within about 6 % of 1, and every calibration interval
# covers its ideal value. That is what one should expect when the outcome model is truly the
# same everywhere and the case mix differs only moderately. The event rates differ (from
# 11 % to 18 %), and the model follows them, because it sees the risk factors that explain
# them.

# %% [markdown]
# ## Step 8: temporal validation, a later period with a drifted case mix
#
# Now a **simulated later period**: 8,000 new patients from the same four hospitals two
# years on. Their case mix is drawn anew and spread twice as widely: `bk.simulate.cohort`
# with `site_shift=2` and a new seed. One detail of the simulator matters here: it solves
# the intercept of the true model again for every cohort, so that the event rate is 15 %.
# That would change the outcome model along with the case mix. To change *only* the case
# mix, we redraw each patient's event from the development cohort's true model
# (`hospitals_truth.predict_risk`), with a seeded generator.

# %%
later, _ = bk.simulate.cohort(n=8_000, n_sites=4, site_shift=2.0, random_state=2)
L = later.frame.copy()
L["true_risk"] = hospitals_truth.predict_risk(L)           # the development truth, unchanged
L["event"] = np.random.default_rng(2).binomial(1, L["true_risk"])
L.groupby("site", observed=True)[["age", "sbp", "smoker", "true_risk", "event"]].mean()

# %% [markdown]
# Site 3 now treats much older patients (mean age 67; the model was developed at site 1,
# mean age 56) and site 4 much younger ones with low blood pressure. The frozen model from
# step 7, applied to the later period:

# %%
temporal = bk.validation.external_validation(
    L["event"], frozen.predict_proba(L[CLINICAL])[:, 1], L["site"],
    development=(y_dev, frozen.predict_proba(X_dev)[:, 1]))
temporal[COLUMNS]

# %% [markdown]
# The AUC holds up everywhere (it drops by at most about 0.02). Calibration mostly holds
# too, with one exception: at site 3, the oldest, the model under-predicts (observed /
# expected about 1.16, calibration-in-the-large about 0.21, its interval above 0).
#
# Why, if the outcome model did not change? Because the fitted model is not the true one:
# it is linear in age, while the true risk climbs faster after 65 (lesson 02). Near the ages
# it was fitted on, the straight line is a fair approximation; at a site whose patients are
# much older, it extrapolates. The true risks of the same patients are still calibrated
# there (the check below: observed/expected close to 1 at every site), so the failure is the
# model's, not the data's.

# %%
bk.validation.external_validation(L["event"], L["true_risk"], L["site"])[
    ["n", "auc", "oe_ratio", "citl", "citl_low", "citl_high", "slope"]]

# %% [markdown]
# The same function accepts any grouping. Grouping the later period's patients by age band
# shows the shape of the error. It is the signature of a straight line fitted to a curve
# that bends upwards: the line under-predicts at both ends (under 50 and, most, over 70)
# and over-predicts in between (60 to 70). The larger the shift in case mix towards the
# ends, the more a misspecified model is exposed.

# %%
age_band = pd.cut(L["age"], [0, 50, 60, 70, 100],   # the simulated ages lie between 30 and 90
                  labels=["age 30 to 50", "age 50 to 60", "age 60 to 70", "age 70 to 90"])
bk.validation.external_validation(L["event"], frozen.predict_proba(L[CLINICAL])[:, 1], age_band)[
    ["n", "events", "oe_ratio", "citl", "citl_low", "citl_high"]]

# %% [markdown]
# ## Step 9: a simulated deployment, month by month
#
# Validation before deployment is a snapshot. Once in use, a model meets patients month
# after month, and the world changes under it. We **simulate** twelve months of use: each
# month 1,000 new patients (a new `cohort` with its own seed, events drawn from the
# development truth as in step 8). For months 1 to 3 nothing changes. From month 4 on, a
# new preventive treatment (imagined) lowers every patient's log-odds of an event, a little
# more each month, down to 0.6 below the original by month 12; the case mix stays the same.
# The frozen model from step 7 scores every patient.

# %%
rng = np.random.default_rng(0)
months = []
for month in range(1, 13):
    patients = bk.simulate.cohort(n=1_000, random_state=100 + month)[0].frame
    drop = 0.0 if month <= 3 else 0.6 * (month - 3) / 9           # fall in the log-odds
    true_risk = expit(logit(hospitals_truth.predict_risk(patients)) - drop)
    months.append(patients.assign(month=f"month {month:02d}", true_risk=true_risk,
                                  event=rng.binomial(1, true_risk)))
deployed = pd.concat(months, ignore_index=True)
deployed["risk"] = frozen.predict_proba(deployed[CLINICAL])[:, 1]
deployed.groupby("month")[["true_risk", "risk", "event"]].mean().T

# %% [markdown]
# The mean true risk falls from about 17 % in the first months to under 12 % by month 12;
# the model's mean predicted risk stays near 16 %, because the patients' risk factors have
# not changed. Per month, with `external_validation` grouping by month:

# %%
monitor = bk.validation.external_validation(deployed["event"], deployed["risk"], deployed["month"])
monitor = monitor.drop(index="all validation")
monitor[["n", "events", "auc", "auc_low", "auc_high", "oe_ratio", "citl", "citl_low", "citl_high"]]

# %% [markdown]
# The monitoring plot: the AUC (left) and calibration-in-the-large (right) each month, with
# their 95 % intervals. The dotted red line marks the start of the drift.

# %%
x = np.arange(1, 13)
fig, axes = plt.subplots(1, 2, figsize=(10, 3))
for ax, (col, label, ideal) in zip(axes, (("auc", "AUC", None), ("citl", "calibration-in-the-large", 0))):
    ax.errorbar(x, monitor[col], yerr=[monitor[col] - monitor[f"{col}_low"], monitor[f"{col}_high"] - monitor[col]],
                fmt="o-", capsize=3)
    if ideal is not None:
        ax.axhline(ideal, color="grey", ls="--", lw=1)
    ax.axvline(3.5, color="tab:red", ls=":", lw=1)
    ax.set(xlabel="month of deployment", ylabel=label, xticks=x)
fig.tight_layout()

# %% [markdown]
# The AUC stays between about 0.75 and 0.83, with no downward trend: the model still ranks
# patients as well as before. Calibration tells another story: from month 6 on,
# calibration-in-the-large is below 0 and its interval excludes 0 in every month but one;
# by the last months observed/expected is about 0.71 to 0.77, that is, the model predicts
# about a third more events than occur. **Monitor calibration, not only the AUC**: a
# change in the baseline risk leaves the ranking intact and the risks wrong.
#
# Single months are noisy, though: month 1, before any drift, has an observed/expected ratio
# of 1.10 and month 8, deep into the drift, 0.91. Pooling the months into quarters narrows
# the intervals and makes the trend plain:

# %%
deployed["quarter"] = "Q" + ((deployed["month"].str[-2:].astype(int) - 1) // 3 + 1).astype(str)
bk.validation.external_validation(deployed["event"], deployed["risk"], deployed["quarter"])[
    ["n", "events", "auc", "auc_low", "auc_high", "oe_ratio", "citl", "citl_low", "citl_high"]]

# %% [markdown]
# Observed/expected falls quarter by quarter, and from the third quarter on the interval of
# calibration-in-the-large lies entirely below 0, while the AUC does not fall. In practice,
# monitoring uses this kind of pooling, or a running control chart, and agrees in advance
# on the limit that triggers an update. Exercise 3 updates the model.

# %% [markdown]
# ## Part 3: reporting
#
# ## Step 10: a TRIPOD+AI-style validation report
#
# TRIPOD+AI (Collins et al., BMJ 2024) is the reporting guideline for prediction models,
# with or without machine learning. `bk.validation.ValidationReport` takes a fitted model
# and validation data, computes discrimination, calibration, threshold metrics, net benefit,
# performance by subgroup and by site, and renders as a report in the notebook. Here: the
# frozen model from step 7, validated at sites 2 to 4, by sex and by the group attribute,
# with the site-1 development data as reference.

# %%
sex = np.where(X_ext["female"] == 1, "female", "male")
report = bk.validation.ValidationReport(
    frozen, X_ext, y_ext, model_name="logistic regression (site 1)",
    outcome="a cardiovascular event", sites=site_ext, subgroups={"sex": sex, "group": H.loc[~at_site_1, "group"]},
    development=(X_dev, y_dev), n_boot=200, random_state=0)
report

# %% [markdown]
# Read the report beyond its headline. Overall, calibration at the new sites is good
# (observed/expected 1.03), but the table by sex shows that the model under-predicts for
# women (observed/expected 1.20) and over-predicts a little for men (0.93). The simulation
# lets us trace why: at site 1, by chance, women had fewer events than their true risks
# implied, so the model learned too strong a protective effect of female sex and carried
# that quirk of its development sample to every other site. The true risks at site 1,
# grouped by sex:

# %%
sex_dev = np.where(X_dev["female"] == 1, "female", "male")
bk.validation.external_validation(y_dev, hospitals_truth.risk[at_site_1], sex_dev)[
    ["n", "events", "oe_ratio", "citl", "citl_low", "citl_high"]]

# %% [markdown]
# Women at site 1 had 14 % fewer events than their true risks predicted (observed/expected
# 0.86), a chance deviation whose interval only just covers 0 on the logit scale. Subgroup
# results belong in every validation report (TRIPOD+AI item 23a; the lesson on fairness goes
# further).
#
# The report fills the items it can measure. `.tripod()` lists all the TRIPOD+AI items and
# says which the report covers and which the author must still write: the context, the
# eligibility criteria, how the outcome was assessed, sample size, missing data, ethics and
# more. A report generator is a start, never the whole report.

# %%
checklist = report.tripod()
print(checklist["status"].value_counts().to_string())
checklist[checklist["status"] == "covered"]

# %% [markdown]
# The model card (Mitchell et al. 2019) is a one-page summary for the people who will use
# the model. The measured parts are filled in; the rest is marked TODO for the author.

# %%
print(report.model_card(intended_use="Teaching example on simulated data; not for clinical use."))

# %% [markdown]
# ### Exercise 1: how large must the test set be?
#
# Using `holdout_aucs` from step 2 on the lung data, compare the spread (2.5 % and 97.5 %
# quantiles, sd) of the hold-out AUC with a test set of 20 % and of 50 % of the patients,
# 100 splits each. Then print `summarize_cv` of `lung_folds` (step 3). Which design gives
# the steadier estimate, and why is neither a cure for a small data set?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 1
spread = {f"test {int(size * 100)} %": holdout_aucs(lung_model, X_lung, y_lung, test_size=size)
          for size in (0.2, 0.5)}
print(pd.DataFrame({name: {"2.5 %": np.quantile(a, 0.025), "97.5 %": np.quantile(a, 0.975),
                           "sd": a.std()} for name, a in spread.items()}).T.round(3))
print(bk.validation.summarize_cv(lung_folds).round(3))
# The 50 % test set gives a steadier AUC than the 20 % one (more patients scored), but
# each model is then fitted on only 93 patients. The individual 5-fold folds (37 patients
# each) spread as widely as the small test sets. Resampling averages the noise of the
# splits; it cannot add information that 186 patients do not have.

# %% [markdown]
# ### Exercise 2: the optimism of the calibration slope
#
# Optimism affects calibration too: an overfitted model gives risks that are too extreme in
# new patients (slope below 1). Write a function `calibration_slope(y, p)` that returns
# `bk.validation.calibration_summary(y, p).slope`, pass it to `bootstrap_optimism` as
# `metric=` on the 40-predictor development sample of step 5 (100 replicates), and compare
# the corrected slope with the true slope of `fitted` on the 51,000 patients of
# `population`.

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 2
def calibration_slope(y, p):
    return bk.validation.calibration_summary(y, p).slope


slope_optimism = bk.validation.bootstrap_optimism(logistic(), dev[CLINICAL + LABS], dev["event"],
                                                  metric=calibration_slope, n_boot=100, random_state=0)
print(slope_optimism)
true_slope = calibration_slope(population["event"], fitted.predict_proba(population[CLINICAL + LABS])[:, 1])
print(f"true slope in 51,000 new patients: {true_slope:.3f}")
# The apparent slope is above 1 (the penalty of the logistic regression shrinks the risks a
# little on its own data); in new patients the true slope is far below 1: the risks are much
# too extreme. The bootstrap gets the direction right but overshoots: its corrected slope
# is lower than the true one. With about one event per predictor, the bootstrap is a rough
# tool whatever the metric: it under-corrected the AUC and over-corrects the slope here.
# Both errors point to the same cure: fewer predictors or a stronger penalty.

# %% [markdown]
# ### Exercise 3: update the model during deployment
#
# After month 6 of step 9, the team recalibrates the frozen model on the patients of months
# 4 to 6: wrap it in `bk.validation.RecalibratedClassifier(frozen, method="logistic",
# cv=None)` (with `cv=None` the model is kept as it is and only a new intercept and slope
# are learned) and fit it on those patients. Compare the observed/expected ratio and
# calibration-in-the-large of the original and the updated model in months 7 to 12.
# Does the update keep up with the drift?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 3
month_number = deployed["month"].str[-2:].astype(int)
update_data = deployed[month_number.between(4, 6)]
print(f"observed/expected in months 4 to 6: "
      f"{update_data['event'].sum() / update_data['risk'].sum():.3f}")
updated = bk.validation.RecalibratedClassifier(frozen, method="logistic", cv=None)
updated.fit(update_data[CLINICAL], update_data["event"])
after = deployed[month_number >= 7]
comparison = {}
for name, model in (("frozen", frozen), ("updated after month 6", updated)):
    risk_after = model.predict_proba(after[CLINICAL])[:, 1]
    table = bk.validation.external_validation(after["event"], risk_after, after["month"])
    comparison[name] = table.loc[:, ["oe_ratio", "citl"]].add_prefix(f"{name}: ")
pd.concat(comparison.values(), axis=1)
# The update was learned on months 4 to 6, when the drift had barely begun (observed /
# expected about 0.96 over those months), so it moves the risks down only a little: over
# months 7 to 12, observed/expected goes from about 0.78 to about 0.82. The event rate
# keeps falling after the update, and the model keeps drifting. An update corrects only the
# drift that has already happened: monitoring continues, with updates on a schedule or when
# an agreed limit is crossed, each validated before use.

# %% [markdown]
# ## Take-aways
# - A single hold-out split is a lottery on small data: on 186 lung patients, the same model
#   scored anywhere from about 0.47 to 0.77. Prefer repeated cross-validation, and report
#   the spread.
# - When the model is tuned, report nested cross-validation; the inner best score is
#   optimistic, most visibly when the signal is weak and the search wide.
# - Harrell's bootstrap works well with enough events per predictor, but under-corrects when
#   there are many predictors for few events (here by about 0.06 in AUC, in every sample).
#   Fewer predictors or stronger penalisation fix the cause.
# - External and temporal validation test transport. Small sites give noisy results (pool
#   them, meta-analyse, show intervals); large shifts in case mix expose a misspecified model,
#   mostly through calibration.
# - After deployment, monitor calibration over time: the AUC can stay put while the risks
#   drift.
# - A report generator fills the measurable items of TRIPOD+AI; the author writes the rest.
#
# ## Self-check quiz
# 1. Two papers report the AUC of the same model on the same 200 patients: 0.71 and 0.62.
#    Both used a single 70/30 split. Is one of them wrong?
# 2. What does the `sd` column of `summarize_cv` describe, and what does it not?
# 3. Why does the bootstrap optimism correction under-correct when there are many
#    predictors and few events?
# 4. In a deployed model the AUC is stable but observed/expected falls from 1.0 to 0.7 over a
#    year. What happened, and what is the simplest fix?
#
# <details><summary>Answers</summary>
#
# 1. Not necessarily: on 186 lung patients, random splits alone gave AUCs from about 0.47
#    to 0.77. Both are single draws from a wide distribution; repeated cross-validation (or
#    a much larger test set) is needed.
# 2. The spread of the scores of individual folds (each on a fold-sized test set). It is not
#    the standard error of the mean, which is smaller but has no simple formula because the
#    folds share training data.
# 3. Each replicate is scored on the original data, and about 63 % of those patients were
#    in the bootstrap sample it was fitted on. When the model memorises much (many predictors per event),
#    that overlap hides part of the optimism, so the corrected estimate stays too high.
# 4. The baseline risk changed (for example a new treatment lowered the event rate) while the
#    ranking of patients did not: the model now over-predicts. Recalibrate (at least the
#    intercept) on recent data, validate the update, and keep monitoring.
#
# </details>

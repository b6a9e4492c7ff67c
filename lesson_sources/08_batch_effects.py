# %% [markdown]
# # 08 · Batch effects and multi-site data: correcting what the lab did, not what the disease did
#
# Samples processed on different days, with different reagent lots, machines or
# laboratories, differ for reasons that have nothing to do with biology: these differences
# are **batch effects**. In expression data they are often the largest source of variation
# of all. They can hide a real signal, or create a false one when the batches differ in
# who was measured. This lesson sees batches in PCA, removes them with ComBat, shows how
# ComBat can destroy a real signal or invent false ones when batch and outcome are
# confounded, uses the batch as a covariate instead, and validates a prediction model the
# way multi-site data demand: leaving out one site at a time. The data are simulated, so
# for every correction we can check what it did against the truth: the expression each
# sample would have had without any batch effect.
#
# ## Learning objectives
# - Detect batch effects with PCA and with a classifier that predicts the batch, and quantify them against a known truth.
# - Correct them with ComBat, with and without a biological covariate, and check what was removed.
# - Explain and measure the damage of correction when batch and outcome are confounded (lost signal, false positives), and read ComBat's confounding warning.
# - Analyse confounded data with the batch as a covariate, and state what it can and cannot recover.
# - Validate a prediction model across sites with leave-one-site-out validation, and explain why random cross-validation over pooled sites is optimistic.
#
# ## Prerequisites
# - Lesson 03 (PCA) and lesson 06 (many genes, few samples).
# - Lesson 07 (calibration-in-the-large and the calibration slope), for part 3; step 7
#   introduces the rest (DeLong intervals, random-effects pooling), which lesson 10 treats
#   in depth.
# - Linear regression and the t-test.
#
# ## Estimated time
# 105 minutes: 55 teaching, 50 exercises (3; the first, with five designs, takes about 20 minutes).
# Teaching includes the quiz. Timed for a first reading by a newcomer: the prose at about
# 120 words a minute, a minute per code cell to run it and read its output, and about 15
# minutes per exercise including its solution.
#
# ## Datasets
# - `expression` (**simulated**): log-expression of 1,000 genes with two hidden subtypes that
#   drive a binary outcome, measured in several labs with additive and multiplicative batch
#   effects. Three designs: 3 labs with the same mix of outcomes; 2 labs where the outcome
#   decides the lab for most samples (confounded); 4 labs with different case mixes. The
#   simulator returns the truth: the batch effects and the data without them.

# %% [markdown]
# ## Setting up
#
# The imports, in one place, and one thread for numpy (faster for small problems on the 2
# cores of a Binder session). Every function that involves chance gets a seed.

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

import biomedkit as bk

limits = threadpool_limits(1)
pd.set_option("display.float_format", "{:.3f}".format)
cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)

# %% [markdown]
# ## Part 1: seeing batch effects
#
# ## Step 1: three labs, the same mix of patients
#
# `bk.simulate.expression` follows the model behind ComBat: each gene's expression is its
# baseline, plus the subtype's effect on that gene, plus an **additive** batch shift for that
# gene in that lab, plus noise that the lab **scales** up or down. 240 samples, 1,000 genes, 2
# hidden subtypes (each shifts its own 50 genes by 1 log2 unit); the outcome depends only on
# the subtype (probability 0.2 in one, 0.8 in the other). The labs are assigned at random, so
# each lab has about the same mix of outcomes.

# %%
data, truth = bk.simulate.expression(n_samples=240, n_genes=1000, n_subtypes=2, de_fraction=0.05, de_effect=1.0,
                                     n_batches=3, random_state=0)
frame = data.frame
genes = frame.drop(columns=["batch", "outcome"])
lab, outcome = frame["batch"], frame["outcome"].to_numpy()
informative = sorted(set(truth.de_genes[0]) | set(truth.de_genes[1]))
null_genes = [g for g in genes.columns if g not in informative]
print(f"{genes.shape[0]} samples x {genes.shape[1]} genes; {len(informative)} genes differ between the subtypes")
pd.crosstab(lab, frame["outcome"])

# %% [markdown]
# The truth tells us how large the batch effects are. `truth.additive` holds each lab's shift
# for each gene, `truth.multiplicative` the factor on each gene's noise; for comparison, the
# subtype effect is 1 log2 unit on 98 genes and the noise has a standard deviation of about
# 0.6.

# %%
pd.DataFrame({"mean additive shift": truth.additive.mean(axis=1),
              "sd of the shift over genes": truth.additive.std(axis=1),
              "median noise factor": truth.multiplicative.median(axis=1)})

# %% [markdown]
# ## Step 2: batches in PCA
#
# A PCA of the standardised genes, coloured once by lab and once by outcome:

# %%
def pca_scores(X, n_components=2):
    return PCA(n_components=n_components, random_state=0).fit_transform(StandardScaler().fit_transform(X))


def plot_pca(X, title, axes):
    scores = pca_scores(X)
    for ax, labels, name in ((axes[0], lab.astype(str).to_numpy(), "lab"),
                             (axes[1], np.where(outcome == 1, "outcome 1", "outcome 0"), "outcome")):
        for value in np.unique(labels):
            ax.scatter(*scores[labels == value].T, s=8, label=value)
        ax.set(title=f"{title}: coloured by {name}", xlabel="PC1", ylabel="PC2")
        ax.legend(fontsize=7, markerscale=1.5)


fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
plot_pca(genes, "raw data", axes)
fig.tight_layout()

# %% [markdown]
# The labs form three far-apart clouds: they are the largest structure in the data. Within
# each lab, PC2 splits the samples into two smaller groups, the hidden subtypes, which the
# outcome follows only loosely (each subtype makes it more or less likely). Anyone who
# clustered these samples (lesson 03) would first rediscover the labs. A second check
# is a classifier that predicts the lab from the expression: if it succeeds on new samples,
# the lab has left a fingerprint.

# %%
def lab_accuracy(X, labels=lab):
    """Cross-validated accuracy of predicting the lab from the genes (chance: the largest lab's share)."""
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000))
    return cross_val_score(model, X, labels, cv=cv, scoring="accuracy").mean()


print(f"lab predicted from the raw genes:   accuracy {lab_accuracy(genes):.3f}")
print(f"... from the truth (no batch effect): accuracy {lab_accuracy(truth.clean):.3f}   "
      f"(chance {lab.value_counts(normalize=True).max():.3f})")

# %% [markdown]
# ## Part 2: correcting with ComBat
#
# ## Step 3: ComBat, with and without the biological covariate
#
# **ComBat** (Johnson, Li and Rabinovic, 2007) estimates, for each gene and lab, the
# additive shift and the noise scale, and removes them. With 1,000 genes and a few dozen
# samples per lab each estimate is noisy, so ComBat borrows strength across genes: it shrinks
# each gene's estimates towards the average over all genes of that lab (empirical Bayes).
#
# `bk.preprocessing.ComBat` is a scikit-learn transformer. `batch=` names the column with the
# lab; `covariates=` names biological variables whose differences must be **kept** (ComBat
# then estimates the batch effects *after* accounting for them). We run it twice: without
# covariates, and with the outcome as a covariate.

# %%
without_covariate = bk.preprocessing.ComBat(batch="batch").set_output(transform="pandas")
with_covariate = bk.preprocessing.ComBat(batch="batch", covariates=["outcome"]).set_output(transform="pandas")
corrected = {
    "raw": genes,
    "ComBat": without_covariate.fit_transform(frame.drop(columns="outcome")),
    "ComBat + outcome": with_covariate.fit_transform(frame.assign(outcome=frame["outcome"].astype(str))),
    "truth (no batch effect)": truth.clean,
}
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
plot_pca(corrected["ComBat"], "after ComBat", axes)
fig.tight_layout()

# %% [markdown]
# After ComBat the three lab clouds have merged, and the first component now separates the
# two subtypes: the biology has become the largest structure. (The outcome is passed as
# text, so ComBat treats it as categories; the corrected output holds the genes only: ComBat
# drops the batch and covariate columns.)
#
# Did the correction remove the labs and **only** the labs? The truth lets us check three
# things for each version of the data:
#
# - the lab's share of the variance: for each gene, the share of its variance explained by
#   the lab means, averaged over genes (in the truth only chance differences remain);
# - how far is it from the truth, gene by gene (root-mean-square difference after centring
#   each gene, since ComBat aligns the labs to their average, not to an absolute zero);
# - is the outcome signal intact: for the 98 informative genes, the slope of the observed
#   difference between outcome groups against the true difference (1 means intact, 0 means
#   removed, above 1 exaggerated).

# %%
true_difference = truth.clean[outcome == 1].mean() - truth.clean[outcome == 0].mean()


def signal_kept(difference):
    """Slope of an estimated outcome difference on the true one, over the informative genes."""
    return np.polyfit(true_difference[informative], difference[informative], 1)[0]


def centred(X):
    return X - X.mean()


def lab_share(X, labels=lab):
    """Share of each gene's variance explained by the lab means, averaged over genes."""
    between = (X.groupby(labels.to_numpy()).transform("mean") - X.mean()) ** 2
    return (between.sum() / ((X - X.mean()) ** 2).sum()).mean()


summary = {}
for name, X in corrected.items():
    difference = X[outcome == 1].mean() - X[outcome == 0].mean()
    summary[name] = {"lab share of variance": lab_share(X),
                     "distance to truth": np.sqrt(((centred(X) - centred(truth.clean)) ** 2).to_numpy().mean()),
                     "outcome signal kept": signal_kept(difference)}
pd.DataFrame(summary).T

# %% [markdown]
# With labs that have the same mix of outcomes, both versions of ComBat do their job: the
# lab's share of the average gene's variance falls from 25 % to 0.1 % (less than the 0.9 %
# of chance differences left in the truth), the data move much closer to the truth (0.38 down to 0.10; what remains is
# the error of estimating 3,000 batch effects from 80 samples per lab), and the outcome
# signal is intact. The covariate made no difference here. The next design is where it
# matters.
#
# Why not ask the lab classifier of step 2 again? After ComBat it scores an accuracy of
# **0**, far below chance. ComBat was fitted on all samples and made the three lab means
# equal; in each cross-validation split, the training samples of a test sample's own lab are
# then shifted slightly away from it, and the classifier picks another lab every time. A
# correction fitted on all the data biases cross-validation, here downwards; keep that in
# mind for part 3.

# %% [markdown]
# ## Step 4: when the lab is decided by the outcome
#
# A common and dangerous design: most cases are processed in one lab and most controls in
# another (samples from two hospitals, or cases collected first and controls later). The
# simulator's `confounding=0.9` sets the lab by the outcome for 90 % of the samples.

# %%
conf_data, conf_truth = bk.simulate.expression(n_samples=240, n_genes=1000, n_subtypes=2, de_fraction=0.05,
                                               de_effect=1.0, n_batches=2, confounding=0.9, random_state=0)
conf_frame = conf_data.frame
conf_genes = conf_frame.drop(columns=["batch", "outcome"])
conf_lab, conf_outcome = conf_frame["batch"], conf_frame["outcome"].to_numpy()
conf_informative = sorted(set(conf_truth.de_genes[0]) | set(conf_truth.de_genes[1]))
conf_null = [g for g in conf_genes.columns if g not in conf_informative]
print(f"{len(conf_informative)} informative genes, {len(conf_null)} null genes")
pd.crosstab(conf_lab, conf_frame["outcome"])

# %% [markdown]
# Lab 1 holds almost only outcome 0, lab 2 almost only outcome 1. Now a difference between
# the outcome groups could be biology or lab, and the data can barely tell which. We run the
# two ComBat versions again; `ComBat` checks the covariates against the batch and warns.

# %%
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    conf_corrected = {
        "raw": conf_genes,
        "ComBat": bk.preprocessing.ComBat(batch="batch").set_output(transform="pandas").fit_transform(
            conf_frame.drop(columns="outcome")),
        "ComBat + outcome": bk.preprocessing.ComBat(batch="batch", covariates=["outcome"]).set_output(
            transform="pandas").fit_transform(conf_frame.assign(outcome=conf_frame["outcome"].astype(str))),
        "truth (no batch effect)": conf_truth.clean,
    }
for warning in caught:
    print(f"{warning.category.__name__}: {warning.message}")

# %% [markdown]
# The warning reports Cramér's V between outcome and lab (0 = unrelated, 1 = the lab is
# the outcome). ComBat warns from 0.9 up; exercise 1 shows that damage starts below that.
#
# ## Step 5: what each analysis concludes, against the truth
#
# The usual next step is a test per gene: which genes differ between the outcome groups? We
# compare the analyses with what is known to be true: the informative genes, whose
# difference should be found (**power**: the share found at p < 0.05), and the null genes,
# with no true difference (**false-positive rate**: the share "found", which should be 5 %).
#
# Besides the t-test on each version of the data, there is a fourth option that corrects
# nothing: a **regression per gene with the lab as a covariate**, expression ~ outcome + lab.
# The outcome effect is then estimated within labs, and its standard error knows how little
# information the few samples that break the confounding carry. `per_gene_test` does both
# (with the lab or without it, where it is the ordinary t-test).

# %%
def per_gene_test(X, y, labs=None):
    """Per gene: the outcome coefficient of a least-squares fit (with lab indicators if given) and its p-value."""
    columns = [np.ones(len(y)), y]
    if labs is not None:
        columns += list(pd.get_dummies(labs, drop_first=True).to_numpy(float).T)
    design = np.column_stack(columns)
    coef, *_ = np.linalg.lstsq(design, X.to_numpy(float), rcond=None)
    resid = X.to_numpy(float) - design @ coef
    df = len(y) - design.shape[1]
    se = np.sqrt((resid ** 2).sum(axis=0) / df * np.linalg.inv(design.T @ design)[1, 1])
    p = 2 * stats.t.sf(np.abs(coef[1] / se), df)
    return pd.DataFrame({"difference": coef[1], "p": p}, index=X.columns)


conf_true_difference = conf_truth.clean[conf_outcome == 1].mean() - conf_truth.clean[conf_outcome == 0].mean()
analyses = {name: per_gene_test(X, conf_outcome) for name, X in conf_corrected.items()}
analyses["raw, lab as covariate"] = per_gene_test(conf_genes, conf_outcome, labs=conf_lab)
results = pd.DataFrame({
    name: {"outcome signal kept": np.polyfit(conf_true_difference[conf_informative],
                                             res.loc[conf_informative, "difference"], 1)[0],
           "power (informative genes)": (res.loc[conf_informative, "p"] < 0.05).mean(),
           "false-positive rate (null genes)": (res.loc[conf_null, "p"] < 0.05).mean()}
    for name, res in analyses.items()}).T
results

# %% [markdown]
# Row by row:
#
# - **Raw data**: two thirds of the null genes come out "significant". Every gene with a lab
#   shift looks like an outcome gene, because lab and outcome coincide.
# - **ComBat without covariate**: the false positives are gone, and so is the biology. The
#   outcome signal kept falls to about 0.2 and the power from 0.99 (truth) to 0.01. ComBat
#   was told that lab 2 differs from lab 1 only by lab effects; since lab 2 holds the cases,
#   the case-control difference *is* what it removed. **This correction does not help: it
#   erases the finding.**
# - **ComBat with the outcome as covariate**: the signal is kept (slope 1.17 rather than 1,
#   since it now rests on the few samples that break the confounding), but almost half of
#   the null genes are now "significant". Each gene's lab effect can only be
#   estimated from the few samples that break the confounding, and it is shrunk towards the
#   average gene; what is left of it sits in the same samples as the outcome. The t-test
#   afterwards treats the corrected values as measurements and knows nothing of this
#   (Nygaard, Rødland and Hovig, 2016, describe this over-confidence).
# - **Lab as a covariate** (no correction): the false-positive rate is back near 5 %, and the
#   power is 0.65: lower than the truth's, because only the samples that break the
#   confounding tell lab from outcome. That loss is the honest price of the design.
#
# The plot shows the same for each analysis: estimated against true difference, for the
# informative genes (red) and the null genes (grey).

# %%
fig, axes = plt.subplots(1, 4, figsize=(13, 3.3), sharex=True, sharey=True)
for ax, name in zip(axes, ["raw", "ComBat", "ComBat + outcome", "raw, lab as covariate"]):
    res = analyses[name]
    ax.scatter(conf_true_difference[conf_null], res.loc[conf_null, "difference"], s=3, color="grey", alpha=0.4)
    ax.scatter(conf_true_difference[conf_informative], res.loc[conf_informative, "difference"], s=6,
               color="tab:red")
    ax.axline((0, 0), slope=1, color="black", lw=0.8, ls="--")
    ax.set(title=name, xlabel="true difference (log2)")
axes[0].set(ylabel="estimated difference")
fig.tight_layout()

# %% [markdown]
# Raw data smear every gene away from its true value by its lab shift. ComBat without the
# covariate pulls every difference to zero, true or not. With the covariate the estimates
# are centred on the truth, which looks good; the trouble is in the p-values, not in this
# picture. The covariate regression gives almost the same estimates as ComBat with the
# covariate; what differs is its standard errors, which account for how little the design
# can tell lab from outcome.
#
# The general lesson: **no method can separate lab and outcome when the design confounds
# them.** Correction either removes the biology or hides uncertainty. The remedy is the
# design: spread cases and controls over the labs, days and reagent lots (blocking and
# randomisation), and record the batch.

# %% [markdown]
# ## Part 3: prediction across sites
#
# ## Step 6: random cross-validation rewards learning the lab
#
# Now a prediction model built on data from **four labs whose case mixes differ** (the
# simulator's `confounding=0.3`: outcome 0 pushed towards lab 1 and outcome 1 towards lab
# 4). 400 samples; the subtype effect is weaker here (0.5 log2 units), as in a realistic
# prediction problem.

# %%
site_data, site_truth = bk.simulate.expression(n_samples=400, n_genes=1000, n_subtypes=2, de_fraction=0.05,
                                               de_effect=0.5, n_batches=4, confounding=0.3, random_state=0)
site_frame = site_data.frame
site_genes = site_frame.drop(columns=["batch", "outcome"])
site, site_outcome = site_frame["batch"], site_frame["outcome"].to_numpy()
pd.crosstab(site_frame["outcome"], site).T.assign(share_of_cases=lambda t: t[1] / (t[0] + t[1]))

# %% [markdown]
# A penalised logistic regression in a pipeline, scored first by ordinary 5-fold
# cross-validation over the pooled samples, on the observed data and on the truth without
# batch effects:

# %%
model = make_pipeline(StandardScaler(), LogisticRegression(C=0.01, max_iter=2000))
pooled_cv = {name: cross_val_score(model, X, site_outcome, cv=cv, scoring="roc_auc").mean()
             for name, X in (("observed data", site_genes), ("truth (no batch effect)", site_truth.clean))}
pd.Series(pooled_cv, name="random 5-fold CV AUC")

# %% [markdown]
# The observed data score higher than the truth itself. That is not skill: a sample's lab is
# written all over its expression (step 2), and here the lab predicts the outcome (lab 4 is
# mostly cases), so the model has learned to recognise the lab. Random cross-validation puts
# samples of every lab in every training fold and rewards this shortcut. At a new lab, with
# its own batch effects and its own case mix, the shortcut is worthless.
#
# ## Step 7: leave-one-site-out validation
#
# **Leave-one-site-out** validation trains on three labs and tests on the fourth, for each
# lab in turn, so that every test lab is new to the model. `bk.multisite.leave_one_site_out`
# does this (scikit-learn's `LeaveOneGroupOut` inside) and reports, for each held-out lab:
#
# - the **AUC** with a 95 % **DeLong interval**: DeLong's method computes the standard error
#   of an AUC from the data themselves (how each case ranks against the controls and each
#   control against the cases), without resampling;
# - the two calibration measures met in lesson 07: **calibration-in-the-large** (`citl`,
#   0 is ideal; positive means the predicted risks are on average too low at that lab, and
#   negative too high) and the **calibration slope** (1 is ideal; below 1 the predicted
#   risks are too extreme, above 1 not spread enough), each with a 95 % interval.
#
# A last row pools the labs by a **random-effects meta-analysis**: a weighted mean of the
# labs' values, which assumes that the true value itself differs from lab to lab (by a
# between-lab variance estimated from the data), rather than that every lab measures one
# common value. Each lab weighs less, the larger its own uncertainty and the between-lab
# variance; lesson 09 looks at this variance and lesson 10 treats pooling in depth.

# %%
loso = bk.multisite.leave_one_site_out(model, site_genes, site_outcome, site, scoring=("auc", "citl", "slope"))
loso[["n", "events", "auc", "auc_low", "auc_high", "citl", "citl_low", "citl_high", "slope"]]

# %% [markdown]
# The pooled leave-one-site-out AUC (0.790) is lower than the random cross-validation AUC of
# the same data (0.837), and close to what the batch-free truth gives in random
# cross-validation (0.800): the shortcut is gone. The calibration-in-the-large (`citl`, 0 is
# ideal) shows a second problem: at three of the four held-out labs its interval excludes 0.
# The model's average risk is off, by up to about 1.5 on the log-odds scale, because each
# lab's prevalence and batch shift differ from the other three. A model moved to a new site
# often ranks patients reasonably and gets their risks wrong (lesson 10 recalibrates).
#
# ## Step 8: does ComBat help the new site? Not here
#
# A tempting fix: run ComBat on all four labs first, then validate. It must be run **without
# the outcome** (otherwise the test lab's labels leak into its own corrected data), and it
# needs each lab's samples before prediction, which a real new site can provide only as a
# batch. Does it improve transport?

# %%
site_combat = bk.preprocessing.ComBat(batch="batch").set_output(transform="pandas").fit_transform(
    site_frame.drop(columns="outcome"))
CALIBRATION = ("auc", "citl", "slope")
loso_combat = bk.multisite.leave_one_site_out(model, site_combat, site_outcome, site, scoring=CALIBRATION)
loso_clean = bk.multisite.leave_one_site_out(model, site_truth.clean, site_outcome, site, scoring=CALIBRATION)
pd.concat({"observed data": loso[list(CALIBRATION)], "ComBat first (no outcome)": loso_combat[list(CALIBRATION)],
           "truth (no batch effect)": loso_clean[list(CALIBRATION)]}, axis=1).round(3)

# %% [markdown]
# The AUC cannot answer the question. A lab's batch effect shifts every sample of that lab,
# and within one lab a shift of every sample's score does not change the ranking, so the
# uncorrected data already rank about as well as the truth (pooled 0.790 against 0.774), and
# ComBat first does not improve on them (0.768). What a lab shift *can* change is the level
# of the risks at that lab, so calibration is where ComBat could help.
#
# It does not. ComBat moves each lab's calibration-in-the-large, but not towards 0: it
# improves labs 2 and 3 (lab 3 from 1.449 to 0.448) and worsens labs 1 and 4 (lab 1 from
# -1.083 to -2.122, lab 4 from 0.663 to 1.438). The direction is no accident. Lab 1 has the
# lowest share of cases and lab 4 the highest; ComBat without the outcome gives every lab the same mean
# expression, so it also removes the real difference in case mix between them, and the
# model then predicts an average risk at lab 1 that is too high (negative `citl`) and one
# at lab 4 that is too low (positive `citl`). It also lowers the calibration slopes (0.578
# to 0.888, against 0.779 to 1.221 without correction). Even the batch-free truth is
# miscalibrated at labs 1 and 4 (-1.362 and 1.143): their prevalence differs from that of
# the three training labs, and no correction of the expression can tell a model a new
# lab's prevalence.
#
# One data set could mislead, so the next cell repeats steps 6 to 8 on five simulated
# multi-site studies (different seeds): the three pooled AUCs and the random
# cross-validation AUC, then the calibration at the held-out labs.

# %%
def calibration_summary(table):
    """Pooled AUC, and calibration over the held-out labs: mean and largest |citl|, mean slope."""
    labs = table.drop(index=bk.multisite.POOLED)
    return {"pooled AUC": table.loc[bk.multisite.POOLED, "auc"], "mean |citl|": labs["citl"].abs().mean(),
            "largest |citl|": labs["citl"].abs().max(), "mean slope": labs["slope"].mean()}


rows, calibration = [], []
for seed in range(5):
    sim, sim_truth = bk.simulate.expression(n_samples=400, n_genes=1000, n_subtypes=2, de_fraction=0.05,
                                            de_effect=0.5, n_batches=4, confounding=0.3, random_state=seed)
    X, y, sites = sim.frame.drop(columns=["batch", "outcome"]), sim.frame["outcome"].to_numpy(), sim.frame["batch"]
    X_combat = bk.preprocessing.ComBat(batch="batch").fit_transform(sim.frame.drop(columns="outcome"))
    summaries = {name: calibration_summary(bk.multisite.leave_one_site_out(model, data_, y, sites,
                                                                           scoring=CALIBRATION))
                 for name, data_ in (("observed", X), ("ComBat first", X_combat), ("truth", sim_truth.clean))}
    rows.append({"seed": seed, "random CV, observed": cross_val_score(model, X, y, cv=cv, scoring="roc_auc").mean(),
                 "random CV, truth": cross_val_score(model, sim_truth.clean, y, cv=cv, scoring="roc_auc").mean(),
                 **{f"LOSO, {name}": summary["pooled AUC"] for name, summary in summaries.items()}})
    calibration += [{"seed": seed, "data": name, **summary} for name, summary in summaries.items()]
pd.DataFrame(rows).set_index("seed")

# %% [markdown]
# The same runs, judged by calibration at each held-out lab: the mean and the largest
# |calibration-in-the-large| over the four held-out labs (0 is ideal), and the mean
# calibration slope (1 is ideal).

# %%
calibration = pd.DataFrame(calibration).pivot(index="seed", columns="data").drop(columns="pooled AUC")
calibration.reindex(columns=["observed", "ComBat first", "truth"], level="data").round(3)

# %% [markdown]
# Calibration gives the verdict on ComBat at a new site. Its mean |citl| over the four
# held-out labs is lower than without correction in three studies (seeds 2, 3, 4) and
# higher in two (0.994 against 0.611 for seed 1); its worst lab is worse than without
# correction in four of the five studies. Its mean slope is lower every time (0.558 to
# 0.899, against 0.947 to 1.214). So ComBat at a new site is no reliable fix: it trades one
# calibration error for another, because it removes the labs' differences in case mix
# along with their batch effects. And the truth without any batch effect still has a mean
# |citl| of 0.663 to 0.985: most of the miscalibration at a new lab comes from its
# different prevalence, which only some of that lab's own outcomes can correct
# (recalibration, lesson 10).

# %% [markdown]
# For the AUC the pattern holds in all five studies: random cross-validation on the observed
# data beats random cross-validation on the truth (the lab shortcut); leave-one-site-out on
# the observed data is within two hundredths of leave-one-site-out on the truth; and ComBat first is
# lower than no correction every time.

# %% [markdown]
# ### Exercise 1: how much confounding before the damage?
#
# For `confounding` = 0, 0.3, 0.6, 0.8 and 0.9, simulate the two-lab design of step 4 (same
# arguments, `random_state=0`). For each, record whether ComBat with the outcome as covariate
# warns, the outcome signal kept by ComBat *without* covariate, the false-positive rate on the
# null genes after ComBat *with* the covariate, and the false-positive rate and power of the
# lab-as-covariate regression. From which level does each problem appear, and does the warning
# come in time?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 1
sweep = []
for level in (0.0, 0.3, 0.6, 0.8, 0.9):
    sim, sim_truth = bk.simulate.expression(n_samples=240, n_genes=1000, n_subtypes=2, de_fraction=0.05,
                                            de_effect=1.0, n_batches=2, confounding=level, random_state=0)
    X, y, labs = sim.frame.drop(columns=["batch", "outcome"]), sim.frame["outcome"].to_numpy(), sim.frame["batch"]
    de = sorted(set(sim_truth.de_genes[0]) | set(sim_truth.de_genes[1]))
    null = [g for g in X.columns if g not in de]
    true_diff = sim_truth.clean[y == 1].mean() - sim_truth.clean[y == 0].mean()
    plain = bk.preprocessing.ComBat(batch="batch").set_output(transform="pandas").fit_transform(
        sim.frame.drop(columns="outcome"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kept = bk.preprocessing.ComBat(batch="batch", covariates=["outcome"]).set_output(
            transform="pandas").fit_transform(sim.frame.assign(outcome=sim.frame["outcome"].astype(str)))
    plain_test, kept_test = per_gene_test(plain, y), per_gene_test(kept, y)
    covariate_test = per_gene_test(X, y, labs=labs)
    sweep.append({"confounding": level, "ComBat warns": len(caught) > 0,
                  "signal kept, ComBat": np.polyfit(true_diff[de], plain_test.loc[de, "difference"], 1)[0],
                  "false positives, ComBat + outcome": (kept_test.loc[null, "p"] < 0.05).mean(),
                  "false positives, lab covariate": (covariate_test.loc[null, "p"] < 0.05).mean(),
                  "power, lab covariate": (covariate_test.loc[de, "p"] < 0.05).mean()})
print(pd.DataFrame(sweep).set_index("confounding").round(3).to_string())
# Both problems grow steadily with the confounding; neither waits for the warning. ComBat
# without covariate already loses about a third of the signal at 0.6 (the labs' case mixes
# are 80/20 and 20/80) and over half at 0.8, and ComBat with the outcome gives about twice
# the nominal 5 % false positives at 0.6 and about 25 % at 0.8; the warning appears only at
# 0.9. The lab-as-covariate regression keeps the false-positive rate near 5 % at every level
# and pays in power instead. A warning threshold is a last line of defence: tabulate batch
# against outcome (as step 4 did) before any correction.

# %% [markdown]
# ### Exercise 2: a reference lab
#
# `ComBat(batch="batch", reference_batch="batch_1")` adjusts every other lab to lab 1 and
# leaves lab 1 as it is: useful when a model was trained on lab 1's data and new labs must be
# put on its scale. On the balanced data of step 1 (`frame`), fit it, check that the lab-1
# rows are unchanged, and compute `lab_share` before and after.

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 2
reference = bk.preprocessing.ComBat(batch="batch", reference_batch="batch_1").set_output(transform="pandas")
to_lab_1 = reference.fit_transform(frame.drop(columns="outcome"))
in_lab_1 = (lab == "batch_1").to_numpy()
print("lab-1 rows unchanged:", np.allclose(to_lab_1[in_lab_1], genes[in_lab_1]))
print(f"lab share of variance: raw {lab_share(genes):.3f}, adjusted to lab 1 {lab_share(to_lab_1):.3f}")
in_lab_3 = (lab == "batch_3").to_numpy()
print(f"mean expression, lab 3 minus lab 1: raw {(genes[in_lab_3].mean() - genes[in_lab_1].mean()).mean():+.3f}, "
      f"adjusted {(to_lab_1[in_lab_3].mean() - to_lab_1[in_lab_1].mean()).mean():+.3f}")
# Lab 1 is untouched and the other labs are moved onto its mean and spread, so the lab's
# share of the variance falls as with ordinary ComBat. A model fitted on lab 1 can then be
# applied to the adjusted samples of the other labs, provided those labs have the same mix of
# outcomes; with a different case mix, the lesson of step 8 applies.

# %% [markdown]
# ### Exercise 3: is the shortcut there when the case mix is the same?
#
# Repeat steps 6 and 7 on four labs **with the same case mix**: simulate with `confounding=0`
# (otherwise the same arguments, `random_state=0`), and compare the random 5-fold
# cross-validated AUC on the observed data and on `truth.clean` with the pooled
# leave-one-site-out AUC. Does random cross-validation still beat the truth? What does the
# calibration-in-the-large at each held-out lab show?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 3
same_mix, same_truth = bk.simulate.expression(n_samples=400, n_genes=1000, n_subtypes=2, de_fraction=0.05,
                                              de_effect=0.5, n_batches=4, confounding=0.0, random_state=0)
X_same, y_same = same_mix.frame.drop(columns=["batch", "outcome"]), same_mix.frame["outcome"].to_numpy()
print(f"random CV, observed: {cross_val_score(model, X_same, y_same, cv=cv, scoring='roc_auc').mean():.3f}; "
      f"random CV, truth: {cross_val_score(model, same_truth.clean, y_same, cv=cv, scoring='roc_auc').mean():.3f}")
same_loso = bk.multisite.leave_one_site_out(model, X_same, y_same, same_mix.frame["batch"], scoring=("auc", "citl"))
print(same_loso[["n", "events", "auc", "citl", "citl_low", "citl_high"]].round(3).to_string())
# With the same case mix in every lab, the lab no longer predicts the outcome, so there is no
# shortcut to learn: random cross-validation on the observed data is no better than on the
# truth. Calibration-in-the-large still varies between the held-out labs (about -0.45 to
# +0.64; one interval excludes 0), from each lab's shift and from chance differences in
# prevalence: less than with different case mixes (step 7), but a new lab still needs a
# check of its calibration.

# %% [markdown]
# ## Take-aways
# - Batch effects can be the largest signal in the data: here the lab explained a quarter of
#   each gene's variance and was predicted perfectly from the expression. Look for them (PCA
#   coloured by batch, a batch classifier) before anything else.
# - With batches balanced over the outcome, ComBat removes them and keeps the biology, with or
#   without the biological covariate.
# - When batch and outcome are confounded, no correction can separate them. ComBat without the
#   covariate erased the true signal (power 0.99 to 0.01); with the outcome as covariate it
#   turned almost half of the null genes "significant". ComBat's warning appears only at
#   strong confounding; the damage starts well before.
# - The batch as a covariate in the analysis keeps false positives near 5 % and pays for the
#   confounding in power, which is the honest answer. The real remedy is a design that spreads
#   cases and controls over batches.
# - Across sites, random cross-validation rewards learning the site when case mixes differ.
#   Leave-one-site-out validation tests what a new site would see; there, correcting with
#   ComBat first did not help, and calibration varied more than discrimination.
#
# ## Self-check quiz
# 1. In a PCA of your expression data, the first component separates the two sequencing runs.
#    What do you check next, before correcting anything?
# 2. All cases were sequenced in run A and all controls in run B. Can ComBat with the
#    disease status as a covariate rescue the comparison? What can?
# 3. Why does ComBat *with* the outcome as covariate give too many false positives under
#    confounding, although its estimated differences are about right?
# 4. A model reaches an AUC of 0.84 by random cross-validation on samples pooled from four
#    hospitals, and 0.79 by leave-one-hospital-out. Which do you report for use at a new
#    hospital, and what else do you check?
#
# <details><summary>Answers</summary>
#
# 1. Tabulate the runs against the outcome and the other biological variables. If the runs are
#    balanced, correction (ComBat, or the run as a covariate) is safe; if the run is confounded
#    with the outcome, correction will either remove the biology or overstate it (steps 4 and 5).
# 2. No. With complete confounding the design has no information to separate run from disease,
#    and ComBat refuses (its design matrix is not of full rank). Only new data can: re-run
#    samples in a design that mixes cases and controls in each run, or validate the findings
#    in an independent, balanced cohort.
# 3. Each gene's batch effect is estimated from the few samples that break the confounding and
#    is shrunk towards the average gene, so part of it remains, in the same samples as the
#    outcome; the t-test afterwards treats the corrected values as raw measurements and
#    ignores that estimation. The errors therefore look like outcome effects (step 5).
# 4. The leave-one-hospital-out result (with its per-hospital range and the pooled interval):
#    random cross-validation lets the model use what identifies each hospital. Check also the
#    calibration at each held-out hospital, which can be poor even when the AUC holds (step 7).
#
# </details>

# %% [markdown]
# # 19 · Multi-modal learning: fusing the record, the genes and the scan
#
# A patient with a tumour leaves traces in several places: a clinical record (age, stage,
# how well they manage daily life), a gene-expression profile of a biopsy, and features
# measured on a scan. Each is a **modality**. Multi-modal learning asks how to combine them
# in one model, and three questions follow it into every study: does the combination beat a
# good model on all the columns at once, which modality mattered, and what happens to a
# patient whose scan is missing? This lesson answers them on simulated patients whose truth
# we know, so every answer can be checked.
#
# ## Learning objectives
# - Build early, late and attention fusion of three modalities in PyTorch and compare them with the best single modality and with a logistic regression and XGBoost on all columns, with DeLong intervals and paired tests.
# - Measure which modality mattered by modality ablation, and check ablation losses and attention weights against the simulator's truth.
# - Explain why attention weights and late-fusion weights are not measures of importance.
# - Predict for patients with a missing modality by mean imputation, averaging of the available models and attention masking, compare the three with a model built for the missing case, and test modality dropout as a remedy.
#
# ## Prerequisites
# - Lesson 02 (a neural network as a classifier) and lesson 05 (mean imputation and its limits).
# - Lesson 11 (AUC intervals and DeLong's paired test) and lesson 12 (importance by permutation).
#
# ## Estimated time
# 83 minutes: 38 teaching, 45 exercises (3, about 15 minutes each).
# Teaching includes the quiz. Timed for a first reading by a newcomer: the prose at about
# 120 words a minute, a minute per code cell to run it and read its output, and about 15
# minutes per exercise including its solution.
#
# ## Datasets
# - `multimodal` (**simulated**: one row per patient with a clinical record, 50 genes and
#   10 image-derived features; the outcome comes from one hidden score per modality and an
#   expression x imaging interaction, and the truth keeps each term's share and what the
#   best possible model loses without each modality) throughout.

# %% [markdown]
# ## Setting up
#
# Every function that involves chance gets a seed, and PyTorch is asked for deterministic
# algorithms, so a rerun on the same computer prints the same numbers. The networks are tiny
# and run on the CPU. **To use a GPU**, set `DEVICE = "cuda"` (NVIDIA) or `"mps"` (Apple):
# every network below takes `device=DEVICE` and returns numpy arrays. For networks this
# small a GPU brings little; the results can differ in the last digits.
#
# The first line asks PyTorch's worker threads to sleep while they wait instead of spinning,
# which on a busy 2-core machine can make training much faster. It must run before PyTorch is
# imported. `auc_row` gives an AUC with its 95 % DeLong interval as one row of a table.

# %%
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from scipy.stats import spearmanr
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from xgboost import XGBClassifier

import biomedkit as bk

DEVICE = "cpu"
torch.manual_seed(0)
torch.use_deterministic_algorithms(True)
pd.set_option("display.float_format", "{:.3f}".format)


def auc_row(y, p):
    """AUC with its 95 % DeLong interval, as a dictionary (one row of a table)."""
    result = bk.validation.auc_ci(y, p)
    return {"AUC": result.auc, "low": result.low, "high": result.high}


def logistic():
    """The tabular baseline: standardised columns, an L2-penalised logistic regression."""
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))


# %% [markdown]
# ## Part 1: patients seen three ways, and what the truth says
#
# `bk.simulate.multimodal` draws patients with three modalities:
#
# - **clinical**: age, sex, smoking, stage (1 to 4) and performance status (`ecog`, 0 to 2),
#   recorded without error;
# - **expression**: 50 genes, of which 8 form a signature that measures a hidden gene
#   programme; every gene also follows programmes that have nothing to do with the outcome
#   (cell-type mix, say) and has noise of its own;
# - **imaging**: 10 features of a scan, half of which measure a hidden tumour phenotype; all
#   follow a scanner factor, and each has its own noise.
#
# The outcome (`event`) is drawn from a logistic model of three hidden scores, one per
# modality, plus a **cross-modal interaction**: the gene programme matters more when the
# imaging phenotype is high. The two tumour scores are correlated, as two instruments that
# look at the same tumour would be. `data.modalities` says which columns belong to which
# modality. We keep 3,000 patients for training and 2,000 for testing.

# %%
data, truth = bk.simulate.multimodal(n=5000, random_state=0)
modalities = data.modalities
X, y = data.X, data.y
X_train, X_test = X.iloc[:3000], X.iloc[3000:]
y_train, y_test = y.iloc[:3000].to_numpy(), y.iloc[3000:]
print(data)
print({name: len(columns) for name, columns in modalities.items()})
print(f"event rate: {y.mean():.3f}")
X.iloc[:3, [0, 1, 2, 3, 4, 5, 6, 55, 56]]

# %% [markdown]
# The truth lists the terms of the model with their **share** of the variance of the
# logit (by construction: each hidden score has variance one, and the interaction's
# variance follows from the correlation). The oracle, which knows each patient's true risk,
# sets the ceiling for any model on these test patients.

# %%
print(truth.terms)
oracle = bk.validation.auc_ci(y_test, truth.risk[3000:])
print("oracle:", oracle)

# %% [markdown]
# No model will reach the oracle: the models see the noisy genes and image features, not the
# hidden scores. How close they come is the question.

# %% [markdown]
# ## Part 2: the baselines a fusion model has to beat
#
# Two kinds of baseline. A model on **each modality alone** says what a single instrument
# gives; the best of them is the bar a multi-modal model must clear to justify collecting
# more data. A model on **all columns at once**, without any notion of modality, is the bar
# a fusion *architecture* must clear: a logistic regression (standardised columns, the usual
# L2 penalty) and XGBoost (300 trees of depth 3).

# %%
single = {}
for name, columns in modalities.items():
    model = logistic().fit(X_train[columns], y_train)
    single[name] = model.predict_proba(X_test[columns])[:, 1]
lr = logistic().fit(X_train, y_train)
xgb = XGBClassifier(n_estimators=300, max_depth=3, learning_rate=0.05, n_jobs=2, random_state=0)
xgb.fit(X_train, y_train)
scores = {f"{name} only (LR)": p for name, p in single.items()}
scores["all columns, LR"] = lr.predict_proba(X_test)[:, 1]
scores["all columns, XGBoost"] = xgb.predict_proba(X_test)[:, 1]
pd.DataFrame({name: auc_row(y_test, p) for name, p in scores.items()}).T

# %% [markdown]
# Each modality alone is far below the combination. Paired tests on the same test patients:
# the logistic regression on all columns against the best single modality, and XGBoost
# against the logistic regression.

# %%
best_single = max(single, key=lambda name: bk.validation.auc_ci(y_test, single[name]).auc)
print(f"best single modality: {best_single}")
print("all columns LR vs", best_single, ":",
      bk.validation.delong_test(y_test, scores["all columns, LR"], single[best_single]))
print("XGBoost vs LR:              ",
      bk.validation.delong_test(y_test, scores["all columns, XGBoost"], scores["all columns, LR"]))

# %% [markdown]
# Combining the modalities is clearly worth it. XGBoost, which could in principle find the
# interaction, falls *below* the plain logistic regression here, and the paired interval
# says the gap is not chance: with 65 noisy columns, most of the signal additive and 3,000
# patients, the trees spend their capacity on noise. The logistic regression on all
# columns is the baseline to beat.

# %% [markdown]
# ## Part 3: early, late and attention fusion
#
# `bk.deep.FusionClassifier` is one scikit-learn-style classifier with three ways to fuse
# (`fusion=`), all written in plain PyTorch:
#
# - **early** fusion concatenates the columns of every modality and trains one small network
#   (one hidden layer of 32 units) on them;
# - **late** fusion trains one network per modality, each predicting the outcome on its
#   own, then combines their outputs (logits) by a weighted average whose weights, scale and
#   bias are fitted on held-out training patients (stacking);
# - **attention** fusion passes each modality through its own encoder into an
#   *embedding* (32 numbers), gives each embedding a score, turns the scores into
#   **attention weights** that sum to one for each patient (a softmax), and predicts from
#   the weighted sum of the embeddings.
#
# Every network standardises its inputs, holds out a fifth of the training patients and
# stops when their loss stops improving (early stopping). A bar shows the epochs.

# %%
fusions = {}
for fusion in ("early", "late", "attention"):
    fusions[fusion] = bk.deep.FusionClassifier(modalities, fusion=fusion, random_state=0, device=DEVICE)
    fusions[fusion].fit(X_train, y_train)
    scores[f"{fusion} fusion"] = fusions[fusion].predict_proba(X_test)[:, 1]
print({name: model.n_epochs_ for name, model in fusions.items()}, "epochs")
table = pd.DataFrame({name: auc_row(y_test, p) for name, p in scores.items()}).T
table

# %% [markdown]
# One figure of the whole comparison: each model's AUC with its 95 % interval, the oracle's
# as a dashed line.

# %%
fig, ax = plt.subplots(figsize=(7, 4))
positions = np.arange(len(table))
ax.errorbar(table["AUC"], positions, xerr=[table["AUC"] - table["low"], table["high"] - table["AUC"]],
            fmt="o", color="tab:blue", capsize=3)
ax.axvline(oracle.auc, ls="--", color="k", lw=1, label="oracle (true risk)")
ax.set_yticks(positions, labels=table.index)
ax.invert_yaxis()
ax.set_xlabel("test AUC (95 % DeLong interval)")
ax.set_title("Single modalities, tabular baselines and fusion")
ax.legend(loc="lower left")
plt.tight_layout()
plt.show()

# %% [markdown]
# Overlapping intervals say little about two models scored on the same patients; the
# paired test does. Each fusion against the logistic regression on all columns, and against
# the best single modality:

# %%
rows = {}
for fusion in fusions:
    for name, reference in (("all columns, LR", scores["all columns, LR"]), (best_single, single[best_single])):
        test = bk.validation.delong_test(y_test, scores[f"{fusion} fusion"], reference)
        rows[(f"{fusion} fusion", f"vs {name}")] = {"difference": test.difference, "low": test.low,
                                                   "high": test.high, "p": test.p_value}
pd.DataFrame(rows).T

# %% [markdown]
# DeLong's test treats the trained models as fixed; a network trained with another seed
# would score differently. So we train each fusion with five seeds and look at its
# difference from the logistic regression on the same test patients, seed by seed.

# %%
seed_rows = []
for fusion in fusions:
    for seed in range(5):
        model = fusions[fusion] if seed == 0 else bk.deep.FusionClassifier(
            modalities, fusion=fusion, random_state=seed, device=DEVICE).fit(X_train, y_train)
        test = bk.validation.delong_test(y_test, model.predict_proba(X_test)[:, 1], scores["all columns, LR"])
        seed_rows.append({"fusion": fusion, "seed": seed, "AUC": test.auc_a, "minus LR": test.difference})
by_seed = pd.DataFrame(seed_rows)
by_seed.groupby("fusion")["minus LR"].agg(["mean", "min", "max"])

# %% [markdown]
# Read the two tables together. None of the three fusions beats the logistic regression on
# all columns: for every seed the difference is at most about zero, and the paired intervals
# of the first seed include zero or lie below it (attention fusion is clearly worse). All three beat the best single modality
# by a wide margin, which is the gain of *combining* modalities; an elaborate way of
# combining them adds nothing here. The reason is in the truth: most of the signal is
# additive (three main effects), which a logistic regression captures with the fewest
# parameters, and the interaction is between hidden scores measured through many noisy
# columns, too faint for 3,000 patients to reveal (exercise 1 makes it stronger).

# %% [markdown]
# ## Part 4: which modality mattered?
#
# ### Step 1: what the truth says
#
# The truth answers the question exactly: `truth.modality_importance` computes, for each
# modality, the best possible risk without it (the true risk averaged over what the missing
# score could be, given the others) and the oracle's loss of AUC. This loss counts only what
# the other modalities cannot stand in for: expression and imaging share information, so
# each can partly replace the other.

# %%
importance = truth.modality_importance(y_test)
importance

# %% [markdown]
# ### Step 2: modality ablation
#
# A model's counterpart of that loss is **modality ablation**: refit the model without one
# modality and measure the test AUC it loses, with a paired DeLong interval.
# `bk.deep.modality_ablation` does it for any classifier; we run it for the logistic
# regression and for attention fusion (three refits each).

# %%
ablation_lr = bk.deep.modality_ablation(logistic(), modalities, X_train, y_train, X_test, y_test)
ablation_att = bk.deep.modality_ablation(
    bk.deep.FusionClassifier(modalities, fusion="attention", random_state=0, device=DEVICE),
    modalities, X_train, y_train, X_test, y_test)
print(ablation_lr)
print(ablation_att)

# %% [markdown]
# ### Step 3: the weights the models learned
#
# Attention fusion gives every patient a weight per modality; late fusion has one weight per
# modality for everyone. Both are tempting to read as importance. Here are the attention
# weights averaged over the test patients, then per stage and per third of the (true, hidden)
# imaging score, and the late-fusion weights.

# %%
weights = fusions["attention"].attention_weights(X_test)
print("mean attention weight:", weights.mean().round(3).to_dict())
print("late-fusion weight:   ", fusions["late"].late_weights_.round(3).to_dict())
imaging_third = pd.qcut(truth.latent["imaging"].iloc[3000:], 3, labels=["low", "middle", "high"])
pd.concat({"by stage": weights.groupby(X_test["stage"]).mean(),
           "by true imaging score": weights.groupby(imaging_third, observed=True).mean()})

# %% [markdown]
# The figure puts the truth, the two ablations and the two sets of weights side by side.

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
names = list(modalities)
offsets = np.array([-0.25, 0, 0.25])
left.bar(np.arange(3) + offsets[0], importance["auc_loss"], width=0.25, color="k", label="truth (oracle)")
for offset, (label, result, colour) in zip(offsets[1:], [("logistic regression", ablation_lr, "tab:grey"),
                                                          ("attention fusion", ablation_att, "tab:blue")]):
    t = result.table
    left.bar(np.arange(3) + offset, t["loss"], width=0.25, color=colour, label=label,
             yerr=[t["loss"] - t["loss_low"], t["loss_high"] - t["loss"]], capsize=3)
left.set_xticks(np.arange(3), labels=names)
left.set_ylabel("AUC lost without the modality")
left.set_title("Ablation against the truth")
left.legend()
right.bar(np.arange(3) - 0.15, weights.mean(), width=0.3, color="tab:blue", label="attention (mean)")
right.bar(np.arange(3) + 0.15, fusions["late"].late_weights_, width=0.3, color="tab:orange", label="late fusion")
right.set_xticks(np.arange(3), labels=names)
right.set_ylabel("weight (sums to 1)")
right.set_title("Weights the models learned")
right.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# Does a patient's attention weight on a modality follow how much that modality moves *that
# patient's* true risk? The truth has the answer: the size of each modality's terms in the
# patient's true logit (the interaction counted for both tumour modalities). A Spearman
# correlation near zero would mean the per-patient weights do not track it.

# %%
b = dict(zip(truth.terms.term, truth.terms.coefficient))
latent = truth.latent.iloc[3000:]
interaction = b["expression x imaging"] * latent["expression"] * latent["imaging"]
contribution = pd.DataFrame({"clinical": (b["clinical"] * latent["clinical"]).abs(),
                             "expression": (b["expression"] * latent["expression"] + interaction).abs(),
                             "imaging": (b["imaging"] * latent["imaging"] + interaction).abs()})
pd.Series({m: spearmanr(weights[m], contribution[m]).statistic for m in names},
          name="Spearman: attention weight vs size of the true term")

# %% [markdown]
# What to take from this part:
#
# - **Ablation** agrees with the truth on the essentials: every modality carries signal that
#   the others cannot replace, and clinical loses the least. The models lose less than the
#   oracle, because they see the hidden scores only through noisy columns: a model can only
#   lose what it had.
# - **Weights are not importances.** A late-fusion weight multiplies a logit whose spread the
#   modality's own model chose: a modality with weaker, narrower logits needs a larger weight
#   to count the same, so the ranking of the weights need not be the ranking of the
#   ablation. An attention weight multiplies an embedding whose size and direction the
#   encoder chose as well. The weights do vary between patient groups, which is what
#   attention is for, but their correlation with the size of each patient's true terms is
#   modest at best, and for one modality about zero: reading a patient's weights as "the
#   model relied on their scan" would claim more than these numbers show.
# - The question "which modality mattered" has no answer without saying *for what*: for the
#   best possible model (the truth), for this model (ablation), or for this patient (nothing
#   here answers that reliably).

# %% [markdown]
# ## Part 5: a modality missing at test time
#
# In the clinic the scan is often not there: not yet done, done elsewhere, or of too poor a
# quality. We remove the imaging features of 40 % of the test patients at random and
# predict as each fusion does by design: **early** fusion fills the training means (mean
# imputation), **late** fusion averages the models that are available (the imaging model
# drops out of the weighted mean), and **attention** fusion masks imaging out of the softmax.
# The tabular baselines get the same: the logistic regression with mean imputation, and
# XGBoost, which routes missing values down a branch it learned. The fair reference is the
# model one would build for these patients: a logistic regression trained on the clinical
# and expression columns only.

# %%
rng = np.random.default_rng(1)
no_scan = rng.random(len(X_test)) < 0.4
X_missing = X_test.copy()
X_missing.loc[no_scan, modalities["imaging"]] = np.nan
y_no_scan = y_test[no_scan]
print(f"{no_scan.sum()} of {len(X_test)} test patients have no imaging")

lr_imputing = make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression(max_iter=2000))
lr_imputing.fit(X_train, y_train)
without_imaging = modalities["clinical"] + modalities["expression"]
lr_dedicated = logistic().fit(X_train[without_imaging], y_train)
missing_scores = {
    "LR, mean imputation": lr_imputing.predict_proba(X_missing)[:, 1],
    "XGBoost, missing branch": xgb.predict_proba(X_missing)[:, 1],
    **{f"{f} fusion": fusions[f].predict_proba(X_missing)[:, 1] for f in fusions},
}
with_scan = {"LR, mean imputation": scores["all columns, LR"], "XGBoost, missing branch":
             scores["all columns, XGBoost"], **{f"{f} fusion": scores[f"{f} fusion"] for f in fusions}}
dedicated = lr_dedicated.predict_proba(X_test[without_imaging])[:, 1][no_scan]
rows = {"LR trained without imaging": {**auc_row(y_no_scan, dedicated), "minus dedicated": 0.0}}
for name, p in missing_scores.items():
    test = bk.validation.delong_test(y_no_scan, p[no_scan], dedicated)
    rows[name] = {**auc_row(y_no_scan, p[no_scan]), "minus dedicated": test.difference,
                  "diff low": test.low, "diff high": test.high,
                  "AUC had they a scan": bk.validation.auc_ci(y_no_scan, with_scan[name][no_scan]).auc}
pd.DataFrame(rows).T

# %% [markdown]
# Every method falls well below the AUC it reaches for the same patients when their scan is
# there (the last column): imaging carries information that nothing else replaces. XGBoost
# is clearly worse than the dedicated model: its training data had no missing values, so
# the branch it sends them down was never learned from any, an arbitrary choice. Among the
# others no way of handling the gap stands out, and none is clearly worse than the dedicated
# model: the paired intervals of the differences include zero. That is no accident of this
# simulation. When the modalities add up, as the
# main effects do here, filling a missing standardised modality with its mean simply drops
# its term, which is close to what a model trained without it would do. Mean imputation
# fails when a model relies on *combinations* of modalities, or when missingness depends on
# the patient (exercise 3).
#
# ### Modality dropout
#
# The remedy usually proposed is to let the network meet missing modalities while it
# learns: **modality dropout** hides each modality of each training patient with some
# probability in every batch (here 30 %, never all of a patient's modalities). For late
# fusion only the combiner sees it, fitted on copies of the held-out patients with
# modalities hidden. We retrain all three fusions with it and compare, on the same patients,
# with the networks trained without it: on the patients without a scan, and on the test
# patients with all three modalities (does the remedy cost anything when nothing is missing?).

# %%
dropout_rows = {}
for fusion in fusions:
    robust = bk.deep.FusionClassifier(modalities, fusion=fusion, modality_dropout=0.3, random_state=0,
                                      device=DEVICE).fit(X_train, y_train)
    gap = bk.validation.delong_test(y_no_scan, robust.predict_proba(X_missing)[:, 1][no_scan],
                                    missing_scores[f"{fusion} fusion"][no_scan])
    full = bk.validation.delong_test(y_test, robust.predict_proba(X_test)[:, 1], scores[f"{fusion} fusion"])
    dropout_rows[fusion] = {"no scan: AUC with dropout": gap.auc_a, "without": gap.auc_b,
                            "difference": gap.difference, "low": gap.low, "high": gap.high,
                            "all modalities: difference": full.difference, "all low": full.low,
                            "all high": full.high}
pd.DataFrame(dropout_rows).T

# %% [markdown]
# Modality dropout brings no gain here: on the patients without a scan every interval of
# the difference includes zero or lies close to it, and on the patients with all three
# modalities it costs little or nothing. The honest
# conclusion is not that modality dropout is useless, but that these models had nothing for
# it to repair: they already predicted for a missing scan about as well as a dedicated model.
# Test it where it matters (a model that leans on a cross-modal interaction, a modality that
# is missing for many training patients), and test it against the simplest alternative,
# a separate model for each pattern of available modalities.

# %% [markdown]
# ### Exercise 1: when the interaction is strong
#
# Simulate 5,000 patients with `interaction=1.5` (`random_state=0`, the same split into
# 3,000 and 2,000). Fit the logistic regression on all columns, XGBoost as in Part 2 and
# early fusion. Does either flexible model now beat the logistic regression? Answer with
# paired DeLong tests, and compare the oracle's AUC with Part 1's.

# %%
# Your code here

# %% tags=["solution"]
# Solution to exercise 1
strong, strong_truth = bk.simulate.multimodal(n=5000, interaction=1.5, random_state=0)
Xs_train, Xs_test = strong.X.iloc[:3000], strong.X.iloc[3000:]
ys_train, ys_test = strong.y.iloc[:3000].to_numpy(), strong.y.iloc[3000:]
print("oracle:", bk.validation.auc_ci(ys_test, strong_truth.risk[3000:]))
p_lr = logistic().fit(Xs_train, ys_train).predict_proba(Xs_test)[:, 1]
p_xgb = XGBClassifier(n_estimators=300, max_depth=3, learning_rate=0.05, n_jobs=2, random_state=0) \
    .fit(Xs_train, ys_train).predict_proba(Xs_test)[:, 1]
p_early = bk.deep.FusionClassifier(strong.modalities, fusion="early", random_state=0, device=DEVICE) \
    .fit(Xs_train, ys_train).predict_proba(Xs_test)[:, 1]
print("early fusion vs LR:", bk.validation.delong_test(ys_test, p_early, p_lr))
print("XGBoost vs LR:     ", bk.validation.delong_test(ys_test, p_xgb, p_lr))
# The oracle rises (the interaction adds signal), but the logistic regression, which cannot
# represent a product, does not profit from it: compare its AUC with Part 2's. Read the two
# paired tests: a flexible model has room to win only when such structure is strong enough to
# be learned from the data at hand, and even then the gain is small next to the oracle's.

# %% [markdown]
# ### Exercise 2: a noisy instrument
#
# Simulate the patients of Part 1 again with a noisier scanner (`imaging_noise=3`,
# `random_state=0`) and run `bk.deep.modality_ablation` with the logistic regression. Put
# its losses next to Part 4's and next to `modality_importance` of the new truth. What
# changed in the truth, and what changed in the ablation? What does that say about the
# phrase "imaging is the most important modality"?

# %%
# Your code here

# %% tags=["solution"]
# Solution to exercise 2
noisy, noisy_truth = bk.simulate.multimodal(n=5000, imaging_noise=3.0, random_state=0)
Xn_train, Xn_test = noisy.X.iloc[:3000], noisy.X.iloc[3000:]
yn_train, yn_test = noisy.y.iloc[:3000].to_numpy(), noisy.y.iloc[3000:]
noisy_ablation = bk.deep.modality_ablation(logistic(), noisy.modalities, Xn_train, yn_train, Xn_test, yn_test)
print(pd.DataFrame({"truth, loss": noisy_truth.modality_importance(yn_test)["auc_loss"],
                    "LR ablation, noisy scanner": noisy_ablation.table["loss"],
                    "LR ablation, Part 4": ablation_lr.table["loss"]}))
# The truth is about the hidden scores, which the noise does not touch, so the oracle's losses
# stay as before (the same seed gives the same patients and outcomes). The ablation loss of
# imaging shrinks: a noisy scanner measures the phenotype poorly, so the model had less of it to
# lose; and the expression loss grows, as the genes now carry more of what the model knows
# about the tumour. "Important" always means important to some model with some measurements.

# %% [markdown]
# ### Exercise 3: the scan is missing for some patients more than others
#
# Suppose scans are rarely done for early-stage patients: remove the imaging of 70 % of the
# test patients at stages 1 and 2 and of 10 % at stages 3 and 4 (`np.random.default_rng(2)`).
# Compare, on all test patients, the AUC of the logistic regression with mean imputation,
# early, late and attention fusion of Part 3, and the same fusions trained with modality
# dropout. Which way of handling the gap holds up best, and is any difference significant?

# %%
# Your code here

# %% tags=["solution"]
# Solution to exercise 3
stage = X_test["stage"].to_numpy()
drop = np.random.default_rng(2).random(len(X_test)) < np.where(stage <= 2, 0.7, 0.1)
X_mar = X_test.copy()
X_mar.loc[drop, modalities["imaging"]] = np.nan
print(f"no scan: {drop[stage <= 2].mean():.0%} of stages 1-2, {drop[stage > 2].mean():.0%} of stages 3-4")
mar = {"LR, mean imputation": lr_imputing.predict_proba(X_mar)[:, 1]}
for fusion in fusions:
    mar[f"{fusion} fusion"] = fusions[fusion].predict_proba(X_mar)[:, 1]
    mar[f"{fusion} fusion, dropout"] = bk.deep.FusionClassifier(
        modalities, fusion=fusion, modality_dropout=0.3, random_state=0, device=DEVICE) \
        .fit(X_train, y_train).predict_proba(X_mar)[:, 1]
print(pd.DataFrame({name: auc_row(y_test, p) for name, p in mar.items()}).T)
for fusion in fusions:
    print(f"{fusion}: dropout vs not", bk.validation.delong_test(y_test, mar[f"{fusion} fusion, dropout"],
                                                                mar[f"{fusion} fusion"]))
# Missingness that depends on stage is still "at random given the record" (the stage is in
# every model), so the methods rank much as in Part 5 and dropout again changes little; read
# the paired tests before preferring one. It would be worse if the scan were missing for a
# reason the models cannot see.

# %% [markdown]
# ## Take-aways
# - Combining modalities can be worth a lot (here far above the best single modality); a
#   fusion *architecture* must still beat a plain model on all columns, and here none did.
#   Compare with paired tests and over several seeds, not by overlapping intervals.
# - Early fusion concatenates, late fusion combines per-modality models, attention fusion
#   weighs per-modality embeddings for each patient. Which one wins depends on the structure
#   of the signal and on the amount of data, so measure it.
# - "Which modality mattered" is answered by ablation (refit without it, paired interval of
#   the loss), for a given model and given measurements. Attention and late-fusion weights
#   are not importances.
# - A missing modality costs what it carried. Mean imputation, averaging the available
#   models and attention masking each give a prediction; check them against a model built
#   for the missing case before reaching for a remedy such as modality dropout.
#
# ## Self-check quiz
# 1. A fusion network reaches a higher test AUC than a logistic regression on all columns,
#    and the two 95 % intervals overlap. What do you compute before claiming anything?
# 2. Why does the ablation loss of a modality depend on the other modalities, even when its
#    share of the true risk stays the same?
# 3. Late fusion gives the clinical model the largest weight. Does that make the clinical
#    record the most important modality?
# 4. When does filling a missing modality with its training mean lose little, and when does
#    it fail?
#
# <details><summary>Answers</summary>
#
# 1. A paired comparison on the same patients (DeLong's test, or the interval of the
#    difference), and the same comparison for other training seeds or folds: overlapping
#    intervals neither show nor exclude a difference, and one seed is one draw.
# 2. Ablation measures what cannot be recovered without the modality. If another modality
#    carries correlated information (two instruments looking at the same tumour), the model
#    recovers part of the signal from it and loses less.
# 3. No. The weight multiplies the clinical model's logit, whose spread that model chose; a
#    weaker, narrower logit needs a larger weight. Importance is measured by ablation (or
#    permutation), with an interval.
# 4. It loses little when the modalities act additively and are missing at random given
#    what the model sees: the mean then stands for "no information" and drops the term. It
#    fails when the model relies on interactions between modalities, or when the modality
#    is missing for reasons tied to the outcome that the model cannot see.
#
# </details>

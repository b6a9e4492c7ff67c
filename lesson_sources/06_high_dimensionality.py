# %% [markdown]
# # 06 · High dimensionality: more genes than patients
#
# An expression study may measure 20,000 genes on 100 tumours; a proteomics or imaging study
# may have thousands of features per patient. With more features (p) than samples (n), the
# usual intuitions fail. A model can explain *any* outcome perfectly, including pure noise;
# one careless step before cross-validation can turn noise into an impressive AUC; and the
# short list of "predictive genes" that a paper reports can change completely with the
# sample or with a preprocessing choice. This lesson shows each of these with simulated
# expression data whose truth we know (which genes matter, and the best AUC any model could
# reach), and then tries the same tools on real single-cell data.
#
# ## Learning objectives
# - Show that with p >> n a model fits pure noise perfectly, and tell training performance from cross-validated performance.
# - Measure the feature-selection leak: selecting genes on all samples before cross-validation, against selection inside the pipeline.
# - Fit L2, L1 and elastic-net penalised logistic regressions and PCA-based models, and compare their cross-validated AUC and the genes they use with the known truth.
# - Measure how stable a selected gene list is across bootstrap samples and across preprocessing choices, and explain why prediction and discovery are different goals.
#
# ## Prerequisites
# - Lesson 01 (pipelines, cross-validation, the AUC, leakage).
# - Lesson 03 (PCA).
# - The idea of a logistic regression and its coefficients.
#
# ## Estimated time
# 90 minutes: 45 teaching, 45 exercises (3, about 15 minutes each).
# Teaching includes the quiz. Timed for a first reading by a newcomer: the prose at about
# 120 words a minute, a minute per code cell to run it and read its output, and about 15
# minutes per exercise including its solution.
#
# ## Datasets
# - `expression` (**simulated**): log-expression of 2,000 genes, once as pure noise (the
#   outcome is unrelated to every gene) and once with two hidden subtypes that shift 40
#   genes and change the risk of the outcome. The simulator returns the truth.
# - `pbmc` (**real**: 700 blood immune cells x 765 genes from single-cell RNA sequencing,
#   Zheng et al. 2017), in exercise 2.

# %% [markdown]
# ## Setting up
#
# The imports, in one place, and one thread for numpy (faster for small problems on the 2
# cores of a Binder session). Every function that involves chance gets a seed.
#
# scikit-learn `1.8` changed how a logistic regression's penalty is chosen (`l1_ratio` instead
# of `penalty`), so `logistic()` below builds the right model on old and new versions:
# `l1_ratio=0` is the L2 (ridge) penalty, `1` the L1 (lasso) and values in between the
# elastic net; `C` is the inverse of the penalty's strength (small C, strong penalty). The
# liblinear and saga solvers shuffle the data, so the model gets a seed too.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import sklearn
from packaging.version import Version
from scipy.stats import false_discovery_control
from sklearn.decomposition import PCA
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

import biomedkit as bk

limits = threadpool_limits(1)
pd.set_option("display.float_format", "{:.3f}".format)
NEW_PENALTY_API = Version(sklearn.__version__) >= Version("1.8")


def logistic(C=1.0, l1_ratio=0.0):
    """Logistic regression with an L2 (l1_ratio 0), L1 (1) or elastic-net penalty of strength 1/C."""
    solver = "lbfgs" if l1_ratio == 0 else ("liblinear" if l1_ratio == 1 else "saga")
    if NEW_PENALTY_API:
        return LogisticRegression(C=C, l1_ratio=l1_ratio, solver=solver, max_iter=5000, tol=1e-3, random_state=0)
    penalty = {0: "l2", 1: "l1"}.get(l1_ratio, "elasticnet")
    extra = {"l1_ratio": l1_ratio} if penalty == "elasticnet" else {}
    return LogisticRegression(C=C, penalty=penalty, solver=solver, max_iter=5000, tol=1e-3, random_state=0, **extra)


def genes_of(data):
    """The gene columns of a simulated expression data set."""
    return data.frame.drop(columns=["batch", "outcome"])


cv = RepeatedStratifiedKFold(n_splits=5, n_repeats=2, random_state=0)  # 10 fits per estimate

# %% [markdown]
# ## Part 1: pure noise
#
# ## Step 1: a data set with nothing to find
#
# `bk.simulate.expression` with a single subtype gives genes that differ between samples only
# by noise, and an outcome drawn at random (probability 0.5) for every sample. **No gene
# carries any information about the outcome**; the best possible AUC is 0.5. Here: 100
# samples, 2,000 genes.

# %%
noise_data, _ = bk.simulate.expression(n_samples=100, n_genes=2000, n_subtypes=1, n_batches=1, random_state=0)
X_noise, y_noise = genes_of(noise_data), noise_data.frame["outcome"]
print(f"{X_noise.shape[0]} samples x {X_noise.shape[1]} genes; outcome counts {y_noise.value_counts().to_dict()}")

# %% [markdown]
# ## Step 2: a model that fits noise perfectly
#
# We give a logistic regression with a weak penalty (`C=100`) the first 5, 20, 50, ... 2,000
# genes, and score it twice: on the samples it was fitted to (training) and by
# cross-validation.

# %%
rows = []
for n_genes in (5, 20, 50, 100, 500, 2000):
    model = make_pipeline(StandardScaler(), logistic(C=100))
    X = X_noise.iloc[:, :n_genes]
    fitted = model.fit(X, y_noise)
    rows.append({"genes": n_genes,
                 "training accuracy": accuracy_score(y_noise, fitted.predict(X)),
                 "training AUC": roc_auc_score(y_noise, fitted.predict_proba(X)[:, 1]),
                 "cross-validated AUC": cross_val_score(model, X, y_noise, cv=cv, scoring="roc_auc").mean()})
overfit = pd.DataFrame(rows).set_index("genes")
overfit

# %%
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(overfit.index, overfit["training AUC"], "o-", label="training AUC")
ax.plot(overfit.index, overfit["cross-validated AUC"], "s-", label="cross-validated AUC")
ax.axhline(0.5, color="grey", ls="--", lw=1)
ax.set(xscale="log", xlabel="number of noise genes given to the model", ylabel="AUC", ylim=(0.3, 1.05),
       title="Pure noise, 100 samples")
ax.legend()
fig.tight_layout()

# %% [markdown]
# From 50 genes on, the model classifies every training sample correctly: training
# accuracy and AUC are exactly 1. This is geometry, not learning. With as many free
# coefficients as samples (here from 100 genes on), some combination of the genes always
# separates any two groups. Separation comes even earlier: for labels that are pure chance,
# Cover's counting theorem gives the probability that 100 samples can be split perfectly by
# a straight cut (a hyperplane) through p genes. It is tiny at 20 genes, a little over one
# in two at 50 genes (100 samples, twice the number of coefficients), and all but certain by
# 60; at 50 genes this data set happened to be separable.
# Cross-validation tells the truth: the AUC stays around 0.5. It wanders between about 0.39
# and 0.57 because 100 samples give a noisy estimate; a value below 0.5 means nothing more
# than one above it. **A training score in p >> n data is meaningless.**

# %% [markdown]
# ## Step 3: the feature-selection leak
#
# A common recipe: "we selected the 20 genes most associated with the outcome, then built a
# model and validated it by cross-validation". If the 20 genes were chosen on **all**
# samples, every test fold helped to choose them. On pure noise, compare that with the same
# selection done **inside** the pipeline, so that it is repeated on each training fold.

# %%
selected = SelectKBest(f_classif, k=20).fit(X_noise, y_noise).get_support()
leaky = cross_val_score(make_pipeline(StandardScaler(), logistic()), X_noise.loc[:, selected], y_noise,
                        cv=cv, scoring="roc_auc").mean()
honest = cross_val_score(make_pipeline(SelectKBest(f_classif, k=20), StandardScaler(), logistic()),
                         X_noise, y_noise, cv=cv, scoring="roc_auc").mean()
print(f"genes selected on all samples, then CV: AUC {leaky:.3f}")
print(f"selection inside the pipeline:          AUC {honest:.3f}   (truth: 0.5)")

# %% [markdown]
# One data set could be a fluke, so we repeat the comparison on 20 independent pure-noise
# data sets.

# %%
leak = []
for seed in range(20):
    data, _ = bk.simulate.expression(n_samples=100, n_genes=2000, n_subtypes=1, n_batches=1, random_state=100 + seed)
    X, y = genes_of(data).to_numpy(), data.frame["outcome"].to_numpy()
    X_selected = SelectKBest(f_classif, k=20).fit_transform(X, y)
    leak.append({
        "selection before CV": cross_val_score(make_pipeline(StandardScaler(), logistic()), X_selected, y,
                                               cv=cv, scoring="roc_auc").mean(),
        "selection inside CV": cross_val_score(make_pipeline(SelectKBest(f_classif, k=20), StandardScaler(),
                                                             logistic()), X, y, cv=cv, scoring="roc_auc").mean()})
leak = pd.DataFrame(leak)
leak.describe().loc[["mean", "std", "min", "max"]]

# %%
fig, ax = plt.subplots(figsize=(6, 2.8))
bins = np.linspace(0.3, 1, 36)
for column in leak:
    ax.hist(leak[column], bins=bins, alpha=0.7, label=column)
ax.axvline(0.5, color="grey", ls="--", lw=1)
ax.set(xlabel="cross-validated AUC on pure noise (20 data sets)", ylabel="data sets")
ax.legend()
fig.tight_layout()

# %% [markdown]
# Selecting before cross-validation gave an AUC between 0.86 and 0.98 on **every one** of the
# 20 noise data sets (mean 0.92): a publishable-looking result with nothing behind it.
# Selection inside the pipeline gave a mean of 0.51, the truth, with the spread that 100
# samples imply. Among 2,000 noise genes, the 20 that happen to differ most between the two
# groups in *these* samples look convincing in these samples, test folds included. Any step
# that looks at the outcome (selection, tuning, supervised filtering) belongs inside the
# cross-validation.

# %% [markdown]
# ## Part 2: a signal in high dimensions
#
# ## Step 4: simulated expression with a known truth
#
# Now two hidden subtypes. Each subtype over- or under-expresses its own 20 genes (40
# informative genes of 2,000, shifted by 0.8 log2 units), and the outcome depends on the
# subtype only: its probability is 0.2 in one subtype and 0.8 in the other. So **the best
# possible AUC** is that of a model that knows each sample's subtype; we compute it from the
# truth.
#
# We simulate 2,120 samples: the first 120 are "the study" (everything is fitted and
# cross-validated on them); the other 2,000 stand for future patients, on which we measure
# how good each fitted model really is.

# %%
data, truth = bk.simulate.expression(n_samples=2120, n_genes=2000, n_subtypes=2, de_fraction=0.01,
                                     de_effect=0.8, n_batches=1, random_state=1)
genes, outcome = genes_of(data), data.frame["outcome"].to_numpy()
informative = sorted(set(truth.de_genes[0]) | set(truth.de_genes[1]))
X_dev, y_dev = genes.iloc[:120], outcome[:120]
X_new, y_new = genes.iloc[120:], outcome[120:]
best_auc = roc_auc_score(y_new, truth.outcome_risk[truth.subtype[120:]])
print(f"{len(informative)} informative genes of {genes.shape[1]}; best possible AUC {best_auc:.3f}")


# %% [markdown]
# `evaluate` returns both numbers for a model: the cross-validated AUC on the 120 (what a
# study would report) and, after refitting on all 120, the AUC on the 2,000 new samples (what
# it would really deliver).

# %%
def evaluate(model, X=X_dev):
    """Cross-validated AUC on the 120, then refit on all 120 and score the 2,000 new samples."""
    cv_auc = cross_val_score(model, X, y_dev, cv=cv, scoring="roc_auc").mean()
    model.fit(X, y_dev)
    return cv_auc, roc_auc_score(y_new, model.predict_proba(X_new[X.columns])[:, 1]), model


def used_genes(model):
    """The genes with a non-zero coefficient in the last step of a pipeline."""
    return list(genes.columns[model[-1].coef_.ravel() != 0])


# %% [markdown]
# ## Step 5: regularisation: ridge, lasso and elastic net
#
# A penalty keeps the coefficients small, so the model cannot bend itself around the noise.
#
# - **Ridge (L2)** shrinks all coefficients towards zero but keeps every gene.
# - **Lasso (L1)** sets most coefficients exactly to zero: it *selects* genes.
# - **Elastic net** mixes the two (here half and half): it selects, but tends to keep groups
#   of correlated genes together instead of picking one of them.
#
# The penalty's strength is set by `C`; we walk along a range of values (the elastic net
# only at two values, because its solver is much slower) and record both AUCs, the number of
# genes used and how many of them are truly informative.

# %%
path = []
for penalty, l1_ratio, Cs in (("ridge (L2)", 0.0, (0.003, 0.01, 0.1, 1.0)),
                              ("lasso (L1)", 1.0, (0.03, 0.1, 0.3, 1.0)),
                              ("elastic net", 0.5, (0.03, 0.1))):
    for C in Cs:
        cv_auc, new_auc, model = evaluate(make_pipeline(StandardScaler(), logistic(C=C, l1_ratio=l1_ratio)))
        chosen = used_genes(model)
        path.append({"penalty": penalty, "C": C, "CV AUC": cv_auc, "AUC on new samples": new_auc,
                     "genes used": len(chosen), "informative among them": len(set(chosen) & set(informative))})
path = pd.DataFrame(path)
path

# %% [markdown]
# Against the best possible 0.793:
#
# - **Ridge** reaches 0.77 on new samples with every gene, and is insensitive to `C`
#   (0.75 to 0.77).
# - **Lasso** is as good at its best (0.770 with 21 genes, `C = 0.1`) but fragile: too strong
#   a penalty (`C = 0.03`) keeps no gene at all (AUC 0.5), a weaker one lets in noise genes and
#   loses accuracy. And of its 21 genes only 9 are informative: the sparse model does **not**
#   predict better than ridge, and its gene list is mostly noise.
# - **Elastic net** with a strong penalty (8 genes) does best on new samples (0.792), but its
#   cross-validated AUC (0.775) could not have told us so: with 120 samples, cross-validation
#   cannot rank models that differ by two hundredths.
#
# Choosing `C` by the best cross-validated AUC in this table would itself be optimistic; lesson
# 10 shows nested cross-validation for that.

# %% [markdown]
# ## Step 6: PCA, the unsupervised alternative
#
# Another way to tame 2,000 genes is to summarise them first: PCA (lesson 03) without looking
# at the outcome, then a logistic regression on the first k components.

# %%
components = []
for k in (2, 5, 10, 20, 50):
    cv_auc, new_auc, _ = evaluate(make_pipeline(StandardScaler(), PCA(n_components=k, random_state=0), logistic()))
    components.append({"components": k, "CV AUC": cv_auc, "AUC on new samples": new_auc})
pd.DataFrame(components).set_index("components")

# %% [markdown]
# Two components are enough here (0.782 on new samples), and more components slowly add noise
# (0.760 with 50). PCA works this well because the largest source of variation in these data
# *is* the subtype, which also drives the outcome. When the outcome depends on a small,
# quiet signal, the top components can miss it entirely; PCA is a bet on "what varies most
# matters most".

# %% [markdown]
# ## Step 7: how stable is the selected gene list?
#
# A lasso model comes with a gene list, and the list is what ends up in a paper's abstract.
# Would the same study on a slightly different sample give the same list? Refit the lasso
# (`C = 0.1`) on 100 bootstrap samples of the 120 (patients drawn with replacement) and
# record which genes each fit selects.

# %%
rng = np.random.default_rng(0)
picks = []
for _ in range(100):
    rows = rng.integers(0, len(y_dev), len(y_dev))
    model = make_pipeline(StandardScaler(), logistic(C=0.1, l1_ratio=1.0)).fit(X_dev.iloc[rows], y_dev[rows])
    picks.append(model[-1].coef_.ravel() != 0)
picks = pd.DataFrame(picks, columns=genes.columns)
frequency = picks.mean().sort_values(ascending=False)
pairs = [(i, j) for i in range(100) for j in range(i + 1, 100)]
jaccard = np.mean([(picks.iloc[i] & picks.iloc[j]).sum() / (picks.iloc[i] | picks.iloc[j]).sum() for i, j in pairs])
print(f"genes per bootstrap fit: {picks.sum(axis=1).mean():.1f}")
print(f"overlap of two bootstrap lists (Jaccard: shared / all genes of the two): {jaccard:.2f}")
print(f"informative genes among all selections: {picks[informative].to_numpy().sum() / picks.to_numpy().sum():.0%}")

# %% [markdown]
# Two bootstrap samples of the same study share about a tenth of their selected genes, and
# under a third of all selections are informative genes. The selection frequency of each
# gene sorts this out better than any single list: below, the 60 genes selected most often,
# red for the truly informative ones.

# %%
fig, ax = plt.subplots(figsize=(7, 3))
top = frequency.head(60)
ax.bar(range(60), top, color=np.where(top.index.isin(informative), "tab:red", "tab:grey"))
ax.axhline(0.5, color="black", ls=":", lw=1)
ax.set(xlabel="gene (the 60 most often selected, in order)", ylabel="share of bootstrap fits",
       title="Lasso selection over 100 bootstrap samples (red: truly informative)")
fig.tight_layout()
pd.crosstab(pd.Series(frequency >= 0.5, name="selected in at least half of the fits"),
            pd.Series(frequency.index.isin(informative), index=frequency.index, name="truly informative"))

# %% [markdown]
# The 5 genes selected in at least half of the fits are all truly informative, and the top
# of the ranking is mostly red. That is the idea of **stability selection**: report genes that
# survive resampling, with their frequency. But the other 35 informative genes are selected
# less often than some noise genes: with 120 samples, the data cannot single them out.

# %% [markdown]
# ## Step 8: the same data, five defensible pipelines
#
# Finally, the analyst's own choices. Five pipelines that a reviewer would accept, each
# giving a "top 20" gene list (the largest coefficients, or fewer if the model keeps fewer):
#
# 1. lasso on standardised genes (as above);
# 2. lasso on the unstandardised log-expression (genes with more variance are penalised less);
# 3. a filter keeping the 500 most variable genes (without looking at the outcome), then lasso;
# 4. the 20 genes with the best t-test (F-test) against the outcome, then a logistic regression;
# 5. ridge on all genes, ranked by the size of their coefficients.

# %%
def variance(X, y):
    """A score for SelectKBest that ignores the outcome: each gene's variance."""
    return np.var(X, axis=0)


PIPELINES = {
    "lasso, standardised": make_pipeline(StandardScaler(), logistic(C=0.1, l1_ratio=1.0)),
    "lasso, unstandardised": make_pipeline(logistic(C=0.3, l1_ratio=1.0)),
    "500 most variable, then lasso": make_pipeline(SelectKBest(variance, k=500), StandardScaler(),
                                                   logistic(C=0.1, l1_ratio=1.0)),
    "t-test top 20, then logistic": make_pipeline(SelectKBest(f_classif, k=20), StandardScaler(), logistic()),
    "ridge, 20 largest coefficients": make_pipeline(StandardScaler(), logistic(C=0.01)),
}
lists, summary = {}, {}
for name, model in PIPELINES.items():
    cv_auc, new_auc, model = evaluate(model)
    coef = np.abs(model[-1].coef_.ravel())
    names = model[:-1].get_feature_names_out(genes.columns) if len(model) > 1 else genes.columns.to_numpy()
    lists[name] = {names[i] for i in np.argsort(-coef)[:20] if coef[i] > 0}
    summary[name] = {"CV AUC": cv_auc, "AUC on new samples": new_auc, "genes in the list": len(lists[name]),
                     "informative among them": len(lists[name] & set(informative))}
pd.DataFrame(summary).T

# %% [markdown]
# The overlap between the lists (Jaccard index: 1 for identical lists, 0 for disjoint ones):

# %%
overlap = pd.DataFrame({a: {b: len(lists[a] & lists[b]) / len(lists[a] | lists[b]) for b in lists} for a in lists})
overlap

# %% [markdown]
# Two conclusions, both uncomfortable:
#
# - **Prediction is robust to the choice; the gene list is not.** All five pipelines predict
#   new samples about equally well (0.763 to 0.775), yet their lists share a quarter to a
#   third of their genes (two thirds for the t-test and ridge lists). A claim like "these 20
#   genes predict the outcome" depends on choices that the claim does not mention.
# - **The best predictor is not the best gene finder.** The plain t-test list holds 20 truly
#   informative genes of 20, yet its model has the lowest cross-validated AUC; the lasso
#   lists, built for prediction, hold only 6 to 8. A predictive model needs *some* genes that
#   carry the signal, and it happily drops a gene whose information another gene already
#   gives. To *discover* genes, use a method built for discovery (a test per gene with a
#   false-discovery-rate control, exercise 3), and validate the findings in new samples.

# %% [markdown]
# ### Exercise 1: which steps may come before cross-validation?
#
# Not every preprocessing step leaks. On the pure-noise data `X_noise`, `y_noise`, compute the
# cross-validated AUC (with `cv`) of `make_pipeline(SelectKBest(f_classif, k=20),
# StandardScaler(), logistic())` three ways: (a) on all genes; (b) after keeping, on **all**
# samples, only the 200 genes with the largest variance; (c) after standardising all samples
# at once. Which of these steps leak, and why?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 1
select_inside = make_pipeline(SelectKBest(f_classif, k=20), StandardScaler(), logistic())
most_variable = X_noise.loc[:, X_noise.var().nlargest(200).index]
standardised = pd.DataFrame(StandardScaler().fit_transform(X_noise), columns=X_noise.columns)
for label, X in (("(a) all genes", X_noise), ("(b) 200 most variable, chosen on all samples", most_variable),
                 ("(c) standardised on all samples", standardised)):
    print(f"{label}: {cross_val_score(select_inside, X, y_noise, cv=cv, scoring='roc_auc').mean():.3f}")
# All three stay near 0.5: neither the variance filter nor the scaling looks at the outcome,
# so they cannot smuggle information about the test labels into the model. (They do let
# the test samples influence the preprocessing a little, which matters when the test set
# comes from another site or time; inside a pipeline is still the safe habit.) Steps that
# use the outcome, like the t-test selection of step 3, must stay inside.

# %% [markdown]
# ### Exercise 2: a stable gene list from real cells?
#
# In `pbmc`, keep the cells labelled `"CD56+ NK"` and `"CD8+ Cytotoxic T"` (85 cells, 765
# genes: again p >> n) and drop genes that never vary. Natural killer (NK) cells and
# cytotoxic T cells both kill infected cells and share many genes; T cells carry the T-cell
# receptor complex (genes `CD3D`, `CD3E`). Fit the lasso (`logistic(C=0.1, l1_ratio=1.0)`
# after `StandardScaler()`) on 100 bootstrap samples and list the genes selected in at least
# half of the fits. Is the cross-validated AUC of this model high? Is `CD3D` among the
# stable genes?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 2
pbmc = bk.datasets.load("pbmc")
keep = pbmc.y.isin(["CD56+ NK", "CD8+ Cytotoxic T"]).to_numpy()
X_cells = pbmc.X[keep]
X_cells = X_cells.loc[:, X_cells.var() > 0]
y_cells = (pbmc.y[keep] == "CD56+ NK").astype(int).to_numpy()
lasso = make_pipeline(StandardScaler(), logistic(C=0.1, l1_ratio=1.0))
print(f"{X_cells.shape[0]} cells x {X_cells.shape[1]} genes; "
      f"CV AUC {cross_val_score(lasso, X_cells, y_cells, cv=cv, scoring='roc_auc').mean():.3f}")
rng = np.random.default_rng(0)
cell_picks = []
for _ in range(100):
    rows = rng.integers(0, len(y_cells), len(y_cells))
    cell_picks.append(lasso.fit(X_cells.iloc[rows], y_cells[rows])[-1].coef_.ravel() != 0)
cell_frequency = pd.Series(np.mean(cell_picks, axis=0), index=X_cells.columns).sort_values(ascending=False)
print(cell_frequency.head(10).round(2).to_string())
# The model separates the two cell types well (CV AUC about 0.92). Six genes are selected in
# at least half of the fits; CD7 in nearly all, and CD3D in 58 %: a genuine T-cell marker is
# there, but lower in the list than genes like IGFBP7, CLIC3 and SPON2 (known in NK cells).
# Without a known truth, the frequency is the honest summary: report it, and check the
# stable genes against biology and in independent cells.

# %% [markdown]
# ### Exercise 3: discovery with a false-discovery-rate control
#
# On the 120 study samples (`X_dev`, `y_dev`), compute a p-value per gene with
# `f_classif(X_dev, y_dev)` (an F-test, the t-test for two groups). How many genes have
# p < 0.05, and how many of those are truly informative? Then adjust the p-values with the
# Benjamini-Hochberg procedure (`false_discovery_control` from scipy) and count the genes
# with an adjusted value below 0.05, and the truly informative ones among them.

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 3
_, p_values = f_classif(X_dev, y_dev)
raw = genes.columns[p_values < 0.05]
adjusted = genes.columns[false_discovery_control(p_values) < 0.05]
print(f"p < 0.05: {len(raw)} genes, {len(set(raw) & set(informative))} informative")
print(f"Benjamini-Hochberg < 0.05: {len(adjusted)} genes, {len(set(adjusted) & set(informative))} informative")
# 146 genes have p < 0.05: all 40 informative genes and about 106 noise genes (5 % of 1,960
# is 98, as expected). The Benjamini-Hochberg list has 23 genes, of which 22 are informative:
# the share of false discoveries stays near the promised 5 %, at the price of missing genes
# with weaker evidence. With 2,000 tests, unadjusted p-values are a list of mostly noise.

# %% [markdown]
# ## Take-aways
# - With more features than samples, a model fits anything, noise included: a training AUC
#   of 1 says nothing. Only performance on samples the model has not seen counts.
# - Selecting features on all samples before cross-validation turned pure noise into an AUC
#   of about 0.92, in every one of 20 data sets; selection inside the pipeline gave 0.51.
#   Every step that uses the outcome belongs inside the cross-validation.
# - Penalties make p >> n models work: ridge, lasso, elastic net and PCA all reached
#   0.76 to 0.79 against a best possible 0.793. The lasso's sparsity did not predict better
#   than ridge, and with 120 samples cross-validation could not rank these models reliably.
# - Selected gene lists are unstable: two bootstrap samples shared about 10 % of their lasso
#   genes, and five defensible pipelines gave lists overlapping by a quarter to two thirds
#   while predicting equally well. Report selection frequencies, and use discovery methods
#   (tests with false-discovery control) to find genes.
#
# ## Self-check quiz
# 1. A paper reports a training accuracy of 100 % for a model using 5,000 methylation sites
#    on 80 patients. What does that tell you?
# 2. An analyst picks the 50 genes with the smallest p-values on all 200 samples, then reports
#    a 10-fold cross-validated AUC of `0.88`. What is wrong, and how do you fix it?
# 3. Why can a lasso model predict well although most of the genes it selects are not
#    informative?
# 4. Two groups analyse the same data with different preprocessing and publish gene lists
#    that share only 5 of 20 genes, with the same AUC. Is one of them wrong?
#
# <details><summary>Answers</summary>
#
# 1. Nothing about its value: with far more features than patients, a model can reach 100 %
#    on its training data even when the outcome is random (step 2). Ask for cross-validated
#    or external performance.
# 2. The selection used the outcomes of the test folds, so the AUC is inflated; on pure noise
#    this gave about 0.92 (step 3). Put the selection inside a pipeline so that it is redone
#    on each training fold (or validate on samples that played no part in the selection).
# 3. The prediction comes mostly from the few selected genes that do carry the signal; the
#    noise genes get small coefficients and add only a little error. Prediction needs enough
#    signal, not the right list (step 8).
# 4. Not necessarily: both lists can predict equally well, because many genes carry the same
#    information and the choice among them is unstable (steps 7 and 8). Neither list should be
#    read as "the" predictive genes; selection frequencies and independent validation say
#    more.
#
# </details>

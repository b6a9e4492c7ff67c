# %% [markdown]
# # 21 · Virtual cells and closed-loop experiments: predicting combinations, choosing the next experiment
#
# A *virtual cell* is a model that predicts how cells respond to an intervention nobody has
# made yet: knock down this gene, or these two together, and what happens to every other
# gene? Combinations are where such a model would pay: 20 genes make 190 pairs, 1,000 genes
# make nearly half a million, far more than any lab can test. Two questions follow. Can a
# model trained on some pairs predict the pairs never tested, better than the obvious guess
# that effects add up? And if experiments are expensive, can the model choose which pairs to
# test next, so that it learns with fewer of them?
#
# This lesson answers both on a simulated knock-down screen whose gene network we know, so
# we can see where interactions come from and score predictions against the truth. It ends
# with what the published models do at scale and what a miniature like this leaves out.
#
# ## Learning objectives
# - Compute genetic interactions from single and double perturbation profiles, and explain the two ways a regulatory network creates them (cascades, saturation at shared targets).
# - Compare an additive baseline with a model that learns interactions on pairs never seen together, scoring the interaction part only, with a paired interval and a repeat on other networks.
# - Run an active-learning loop that chooses experiments by a model's uncertainty, compare it with random choice over repeated runs, and report the experiments saved with an interval.
# - Describe what a graph neural network such as GEARS adds at scale, and what this miniature leaves out.
#
# ## Prerequisites
# - Lesson 03 (expression data) and lesson 06 (ridge regression, regularisation).
# - Lesson 10 (held-out data) and lesson 11 (paired comparisons and their intervals).
#
# ## Estimated time
# 90 minutes: 45 teaching, 45 exercises (3, about 15 minutes each).
# Teaching includes the quiz. Timed for a first reading by a newcomer: the prose at about
# 120 words a minute, a minute per code cell to run it and read its output, and about 15
# minutes per exercise including its solution.
#
# ## Datasets
# - `perturbations` (**simulated**: a knock-down screen of 20 regulator genes, alone and in
#   every pair, on a network of 60 genes whose wiring is known; each experiment records the
#   change of every gene, with noise). There is no real screen in this lesson: combinatorial
#   Perturb-seq data run to gigabytes of single cells and cannot ship with the series; the
#   last part says what changes with them.

# %% [markdown]
# ## Setting up
#
# Every function that involves chance gets a seed, so a rerun prints the same numbers. All
# models here are regressions from scikit-learn on a few thousand rows: no GPU is needed,
# and none would help. The first line keeps the worker threads of numerical libraries from
# spinning while they wait, which slows a busy 2-core machine down.

# %%
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

import biomedkit as bk

pd.set_option("display.float_format", "{:.4f}".format)
ALPHAS = np.logspace(-2, 3, 11)  # the ridge penalties RidgeCV chooses from


# %% [markdown]
# ## Part 1: a simulated knock-down screen
#
# `bk.simulate.perturbations` draws a **gene-regulatory network**: 20 regulators (think of
# transcription factors; genes `G01` to `G20`) that regulate each other and 40 target genes.
# Each edge activates or represses, with a strength. A gene's level is the steady state of a
# **saturating** response to its regulators: a sigmoid of the weighted sum of their levels,
# so a gene cannot go below 0 or above its maximum. The network has no feedback loops.
#
# An experiment **knocks down** a regulator (it keeps 20 % of its production, as CRISPR
# interference might leave) or two at once, and records the change of all 60 genes from
# unperturbed cells, plus measurement noise. The screen runs every single (20) and every pair
# (190). In a real screen each profile would be the average of many single cells.

# %%
data, truth = bk.simulate.perturbations(n_genes=60, n_perturbed=20, random_state=0)
print(data)
print(truth)
frame = data.frame
genes = list(truth.network.columns)
frame.iloc[[0, 1, 20, 21], :8]

# %% [markdown]
# The single profiles, one row per knocked-down regulator. The diagonal is the knock-down
# itself; the rest of each row is what spreads through the network.

# %%
singles = frame[frame["kind"] == "single"].set_index("gene_a")[genes]
fig, ax = plt.subplots(figsize=(11, 3.8))
image = ax.imshow(singles, cmap="RdBu_r", vmin=-0.4, vmax=0.4, aspect="auto")
ax.set_yticks(range(len(singles)), singles.index, fontsize=7)
ax.set_xticks(range(0, 60, 5), genes[::5], fontsize=7)
ax.set_xlabel("measured gene")
ax.set_ylabel("knocked-down gene")
ax.set_title("Single knock-downs: change of every gene (measured)")
fig.colorbar(image, ax=ax, label="change in level")
plt.show()

# %% [markdown]
# ## Part 2: where genetic interactions come from
#
# The **additive** guess for a double knock-down is the sum of its two single profiles. The
# **genetic interaction** of the pair is what that guess misses: the double's profile minus
# the sum of the singles, one number per measured gene. In the simulation we know the
# noise-free profiles (`truth.singles`, `truth.doubles`), hence the true interactions
# (`truth.interactions`). In this network they arise in two ways:
#
# - a **cascade**: if gene a regulates gene b (directly or through other genes), knocking
#   down a already lowers b; knocking b down as well cannot remove what is already gone, so
#   the sum counts b's part twice;
# - **saturation**: two regulators that share a target push the same sigmoid. Where the
#   curve bends, a second push does less than the first if it drives the gene towards a
#   flat end, and more if it drives it away from one.
#
# Two genes with no path between them and no target in common cannot interact. The truth's
# `pairs` table says for each pair whether a path joins them, how many genes both reach, and
# the size of its interaction (the root mean square over the 60 genes).

# %%
pairs = truth.pairs.copy()
pairs["kind"] = np.select([pairs["path"] != "none", pairs["shared_targets"] > 0],
                          ["a path between them", "no path, shared targets"], "nothing shared")
print(pairs.groupby("kind")["interaction"].describe()[["count", "mean", "50%", "max"]])
nothing = pairs.index[pairs["kind"] == "nothing shared"]
print("largest interaction of a pair that shares nothing:",
      np.abs(truth.interactions.loc[nothing].to_numpy()).max() if len(nothing) else "no such pair")

# %% [markdown]
# Pairs joined by a path interact most, as the cascade argument predicts; pairs with only
# shared targets interact less; pairs that share nothing do not interact at all (the
# largest such interaction printed is zero, up to rounding).
#
# In an experiment we never see the true interaction, only the measured double minus the
# two measured singles: three noisy profiles, so its noise has $\sqrt{3}$ times the
# measurement's standard deviation. The figure compares the true interactions with that
# noise.

# %%
order = ["a path between them", "no path, shared targets", "nothing shared"]
fig, ax = plt.subplots(figsize=(7, 4))
ax.boxplot([pairs.loc[pairs["kind"] == k, "interaction"] for k in order])
ax.set_xticks([1, 2, 3], order)
ax.axhline(np.sqrt(3) * truth.noise, color="tab:red", ls="--",
           label="noise of one measured interaction")
ax.set_ylabel("size of the true interaction (RMS over genes)")
ax.set_title("Interactions of all 190 pairs, by how the pair is wired")
ax.legend()
plt.show()

# %% [markdown]
# Most pairs interact by less than the noise of a single measurement. A model that learns
# interactions must therefore pool what many pairs have in common; it cannot read each
# interaction off its own experiment.

# %% [markdown]
# ## Part 3: predicting pairs never seen together
#
# ### Step 1: the split
#
# We hide 70 of the 190 pairs: their doubles are the test set, never used for training.
# Every regulator was measured alone, so both genes of each test pair were **seen singly**;
# only the combination is new (in the evaluations of GEARS, Part 5, these are the pairs
# "seen 2/2"). The 120 other pairs are for training.

# %%
doubles = frame[frame["kind"] == "double"].set_index("perturbation")
pair_list = list(zip(doubles["gene_a"], doubles["gene_b"]))
shuffle = np.random.default_rng(0).permutation(len(pair_list))
train, test = np.sort(shuffle[:120]), np.sort(shuffle[120:])
train_pairs, test_pairs = [pair_list[i] for i in train], [pair_list[i] for i in test]
train_labels, test_labels = doubles.index[train], doubles.index[test]

additive = bk.perturbation.additive_prediction(singles, pair_list)
observed = doubles[genes] - additive  # the measured interactions (noisy)
true_test = truth.interactions.loc[test_labels]
print(f"training pairs: {len(train)}, test pairs: {len(test)}")

# %% [markdown]
# ### Step 2: the additive baseline, and a trap in scoring it
#
# A common way to score predicted profiles is the correlation between predicted and measured
# changes of all genes. The additive baseline looks excellent by that score:

# %%
def mean_correlation(predicted, measured):
    """Mean over pairs of the Pearson correlation between two profiles."""
    return np.mean([np.corrcoef(p, m)[0, 1] for p, m in zip(predicted.to_numpy(), measured.to_numpy())])


print("additive baseline, correlation with the measured doubles of the test pairs:",
      round(mean_correlation(additive.loc[test_labels], doubles.loc[test_labels, genes]), 3))

# %% [markdown]
# The correlation is high because the singles are large and easy: a double looks much like
# the sum of its parts. It says nothing about the interaction, which is what a model of
# combinations is for. So we score **only the interaction part**: predicted double minus
# the additive prediction, against the true interaction. On that scale the additive
# baseline predicts zero everywhere, and its error is the size of the interactions.
#
# ### Step 3: features of a pair, and models
#
# A model needs a description of each pair that it could have for a pair never tested. We
# describe each (pair, measured gene) by numbers from the two single profiles:
# `bk.perturbation.pair_features` computes the additive prediction for that gene, the
# product of the two singles there (both push the same gene: saturation), a **cascade**
# term (the share of b's own knock-down that knocking down a already achieves, times b's
# effect on the gene, and the other way round), the larger single effect, the gene's level
# in unperturbed cells (where on its sigmoid it sits), and whether the gene is one of the
# two knocked down. None of them uses the network.
#
# One row per (pair, gene): 120 training pairs give 7,200 rows, and every model predicts
# the interaction of one gene at a time, with the same rule for all genes.

# %%
X_train = bk.perturbation.pair_features(singles, train_pairs, control=data.control)
X_test = bk.perturbation.pair_features(singles, test_pairs, control=data.control)
y_train = observed.loc[train_labels].stack()  # the same (pair, gene) order as the features
assert y_train.index.equals(X_train.index)
example = next(p for p in train_labels if truth.pairs.loc[p, "path"] != "none")  # a pair with a path
print(example)
X_train.loc[example].head(4)

# %% [markdown]
# Three models learn the interaction from those features, each fitted to the measured
# (noisy) interactions of the training pairs:
#
# - a **ridge regression** on the features;
# - a ridge regression on the features and all their pairwise products (**quadratic
#   ridge**), so that, for instance, the product of the singles can be weighted by where the
#   gene sits on its curve;
# - **gradient boosting** (trees), the flexible choice.
#
# Each predicts the interaction of every test pair. `bk.perturbation.interaction_scores`
# compares them with the additive baseline on the same pairs: the RMSE of the interaction,
# and the share of the interactions' sum of squares a method explains (the additive
# baseline explains none), with a paired bootstrap interval over the 70 test pairs. An
# interval above zero means the method beats the baseline. `better` counts the pairs on
# which it does.

# %%
models = {
    "ridge": make_pipeline(StandardScaler(), RidgeCV(alphas=ALPHAS)),
    "quadratic ridge": make_pipeline(PolynomialFeatures(2, include_bias=False), StandardScaler(),
                                     RidgeCV(alphas=ALPHAS)),
    "gradient boosting": HistGradientBoostingRegressor(max_iter=200, learning_rate=0.05,
                                                       min_samples_leaf=40, random_state=0),
}
predicted = {}
for name, model in models.items():
    model.fit(X_train, y_train)
    predicted[name] = pd.DataFrame(model.predict(X_test).reshape(len(test), -1),
                                   index=test_labels, columns=genes)
scores = bk.perturbation.interaction_scores(true_test, predicted, random_state=0)
scores.to_frame()

# %% [markdown]
# Read `explained` with its interval. The two ridge models explain a clear share of the
# interaction, with intervals above zero; the quadratic ridge explains the larger share.
# Gradient boosting, the most flexible of the three, gains least: 120 pairs, with noise as
# large as most interactions, are too little for its trees to find the pattern. Note also the `better` column: even
# the best model is worse than additive on many pairs, those with almost no interaction,
# where any prediction other than zero is an error.
#
# The figure shows the quadratic ridge's predicted interactions against the true ones for
# every (test pair, gene); the additive baseline would be the horizontal line at zero.

# %%
best = predicted["quadratic ridge"]
fig, ax = plt.subplots(figsize=(5.5, 5))
ax.scatter(true_test.to_numpy().ravel(), best.to_numpy().ravel(), s=4, alpha=0.4)
limit = np.abs(true_test.to_numpy()).max() * 1.05
ax.plot([-limit, limit], [-limit, limit], color="k", lw=1, label="perfect prediction")
ax.axhline(0, color="tab:grey", ls="--", lw=1, label="additive baseline")
ax.set_xlabel("true interaction (one gene of one test pair)")
ax.set_ylabel("predicted interaction, quadratic ridge")
ax.set_title("Unseen pairs: predicted vs true interaction")
ax.legend()
plt.show()

# %% [markdown]
# ### Step 4: is it this network, or a rule?
#
# The intervals above treat the 70 test pairs as independent, but pairs share genes, so they
# are somewhat too narrow; and they concern one network. The firmer check repeats the whole
# comparison on **other networks**, which are independent of each other: five new screens,
# the same split rule, the quadratic ridge against the additive baseline.

# %%
def compare_on_network(seed):
    """RMSE of the interaction on 70 unseen pairs: additive vs quadratic ridge, one new network."""
    d, t = bk.simulate.perturbations(n_genes=60, n_perturbed=20, random_state=seed)
    f = d.frame
    s = f[f["kind"] == "single"].set_index("gene_a")[genes]
    dbl = f[f["kind"] == "double"].set_index("perturbation")
    plist = list(zip(dbl["gene_a"], dbl["gene_b"]))
    obs = dbl[genes] - bk.perturbation.additive_prediction(s, plist)
    perm = np.random.default_rng(seed).permutation(len(plist))
    tr, te = np.sort(perm[:120]), np.sort(perm[120:])
    model = make_pipeline(PolynomialFeatures(2, include_bias=False), StandardScaler(), RidgeCV(alphas=ALPHAS))
    model.fit(bk.perturbation.pair_features(s, [plist[i] for i in tr], control=d.control),
              obs.iloc[tr].stack())
    pred = model.predict(bk.perturbation.pair_features(s, [plist[i] for i in te], control=d.control))
    truth_te = t.interactions.loc[dbl.index[te]].to_numpy()
    return {"additive": np.sqrt((truth_te ** 2).mean()),
            "quadratic ridge": np.sqrt(((pred.reshape(truth_te.shape) - truth_te) ** 2).mean())}


networks = pd.DataFrame({seed: compare_on_network(seed) for seed in range(1, 6)}).T.rename_axis("network")
networks["difference"] = networks["quadratic ridge"] - networks["additive"]
print(networks)
ci = stats.ttest_1samp(networks["difference"], 0).confidence_interval(0.95)
print(f"mean difference {networks['difference'].mean():.4f} (95 % CI {ci.low:.4f} to {ci.high:.4f}), "
      f"the ridge better on {(networks['difference'] < 0).sum()} of {len(networks)} networks")

# %% [markdown]
# On every new network the learned model has the lower error on the interaction, and the
# interval over networks excludes zero. The gain is a property of the approach on this kind
# of network, not of one lucky draw. It is still a statement about *simulated* networks
# whose interactions come from cascades and saturation, which the features were designed to
# capture.

# %% [markdown]
# ## Part 4: closing the loop: which pair to test next?
#
# So far the 120 training pairs were given. Suppose instead they are **candidates**: the
# lab can run 60 of them, a few at a time, and the model is refitted after each batch. Which
# to run? **Uncertainty sampling** runs the candidates whose predicted interaction the model
# is least sure of; **random choice** is the honest baseline. A closed loop of this kind
# (the lab runs experiments, the model learns and proposes the next ones) is what people
# mean by *lab in the loop*.
#
# `bk.perturbation.active_learning_curve` runs the loop. Each repeat starts from 10 random
# pairs (the same 10 for both strategies), then adds 5 per round up to 60. The model is the
# quadratic ridge with its penalty fixed in advance (`alpha=10`); its uncertainty is the
# spread of an ensemble of 5 such models, each fitted on a bootstrap resample of the pairs
# run so far. Both strategies predict with the same ensemble, so the curves differ only by
# which pairs were run. After each round the model is scored on the 70 test pairs, against
# their true interactions. Ten repeats with other starting pairs give the intervals.
#
# The features of all candidate pairs are known before any double is run (they come from
# the singles), so their scaling is fitted on all of them once.

# %%
expand = make_pipeline(PolynomialFeatures(2, include_bias=False), StandardScaler()).fit(X_train)
loop = bk.perturbation.active_learning_curve(
    expand.transform(X_train), y_train, X_train.index.get_level_values("pair"),
    expand.transform(X_test), true_test.stack(), estimator=Ridge(alpha=10.0),
    initial=10, batch_size=5, budget=60, n_members=5, n_repeats=10, random_state=0)
print(loop)

# %% [markdown]
# We fix a target before reading the curves: an error 30 % below the additive baseline's.
# The figure shows the mean error of each strategy with its 95 % interval over repeats.

# %%
additive_error = scores.to_frame().loc["additive", "rmse"]
target = 0.7 * additive_error
ax = loop.plot(target=target)
ax.axhline(additive_error, color="k", lw=1, label="additive baseline")
ax.set_title("Active learning: error on 70 unseen pairs")
ax.legend(loc="lower left")
plt.show()

# %% [markdown]
# The number of experiments each strategy needed to reach the target, repeat by repeat, and
# the experiments saved (random minus uncertainty) with a paired t interval over the
# repeats:

# %%
print(loop.experiments_to_reach(target).T)
loop.savings(target)

# %% [markdown]
# Uncertainty sampling reaches the target with fewer experiments in most repeats, and the
# interval of the saving excludes zero (check `not_reached`: a repeat in which a strategy
# never reached the target is left out of the mean, and says so).
#
# Why does it help here? The ensemble disagrees most on pairs whose features lie far from
# those of the pairs run so far: pairs with large single effects on the same genes, or a
# cascade. Those are also the pairs with large interactions. The size of the true
# interaction of the pairs each strategy ran in its first four rounds (after the 10 initial
# ones), averaged over the repeats, against the average of all 120 candidates:

# %%
first_rounds = {strategy: np.mean([truth.pairs.loc[order[10:30], "interaction"].mean()
                                   for order in loop.chosen[strategy]])
                for strategy in loop.strategies}
first_rounds["all candidates"] = truth.pairs.loc[train_labels, "interaction"].mean()
pd.Series(first_rounds, name="mean size of the true interaction")

# %% [markdown]
# Random choice runs pairs about as interacting as the average candidate; uncertainty
# sampling runs pairs that interact more, and learns from them.
#
# Two cautions. The ten repeats share one network and one test set, so the interval says
# how much the saving varies with the starting pairs, not across screens. And the gain
# belongs to this model: exercise 3 runs the same loop with the plain ridge, whose
# uncertainty points elsewhere.

# %% [markdown]
# ## Part 5: from this miniature to a virtual cell
#
# **GEARS** (Roohani, Huang and Leskovec, Nature Biotechnology, 2024) predicts the
# transcriptional response to single and combined perturbations with a graph neural network.
# Each gene has a learned embedding, smoothed over a gene co-expression graph; each
# perturbation has an embedding smoothed over a **knowledge graph** of genes that share Gene
# Ontology annotations. It is trained on Perturb-seq screens, such as the combinatorial
# CRISPR activation screen of Norman et al. (Science, 2019) with about a hundred single and
# over a hundred double perturbations, each measured in hundreds of single cells, and
# predicts thousands of genes at once. Because the knowledge graph connects genes never
# perturbed to genes that were, it can also predict pairs whose genes were never seen alone,
# which our features cannot: they need both singles.
#
# What this miniature leaves out:
#
# - single cells, their count noise and their states (we use one averaged profile per
#   experiment), and thousands of genes instead of 60;
# - feedback loops, which can make a network bistable, and off-target or incomplete
#   knock-downs;
# - an unknown network: our interactions come only from cascades and saturation, which the
#   features were built to capture; a real cell has other mechanisms;
# - the cost structure of a real lab, where a round takes weeks and batches are large.
#
# And one caution from the field: when simple baselines were compared with deep models on
# these screens (Ahlmann-Eltze, Huber and Anders, Nature Methods, 2025), the additive
# baseline was hard to beat on double perturbations. Whatever the model, the comparison with
# the additive baseline on the interaction part, on pairs never seen, is the one to run.

# %% [markdown]
# ## Exercises

# %% [markdown]
# ### Exercise 1: a linear network
#
# Simulate the same screen with `model="linear"` (same `random_state=0`): each gene's level
# is then a weighted sum of its regulators' levels, the sigmoid's tangent. (a) Check that
# pairs with no path between them do not interact at all, although many share targets.
# (b) Fit the quadratic ridge on the same split of pairs and compare it with the additive
# baseline with `interaction_scores`. Which source of interaction is left?

# %%
# Your code here

# %% tags=["solution"]
# Solution to exercise 1
lin_data, lin_truth = bk.simulate.perturbations(n_genes=60, n_perturbed=20, model="linear", random_state=0)
no_path = lin_truth.pairs.index[lin_truth.pairs["path"] == "none"]
print("pairs without a path:", len(no_path), "; of them sharing targets:",
      int((lin_truth.pairs.loc[no_path, "shared_targets"] > 0).sum()),
      "; their largest interaction:", np.abs(lin_truth.interactions.loc[no_path].to_numpy()).max())
lf = lin_data.frame
lin_singles = lf[lf["kind"] == "single"].set_index("gene_a")[genes]
lin_doubles = lf[lf["kind"] == "double"].set_index("perturbation")
lin_observed = lin_doubles[genes] - bk.perturbation.additive_prediction(lin_singles, pair_list)
lin_model = make_pipeline(PolynomialFeatures(2, include_bias=False), StandardScaler(), RidgeCV(alphas=ALPHAS))
lin_model.fit(bk.perturbation.pair_features(lin_singles, train_pairs, control=lin_data.control),
              lin_observed.loc[train_labels].stack())
lin_pred = lin_model.predict(bk.perturbation.pair_features(lin_singles, test_pairs, control=lin_data.control))
print(bk.perturbation.interaction_scores(
    lin_truth.interactions.loc[test_labels],
    {"quadratic ridge": pd.DataFrame(lin_pred.reshape(len(test), -1), index=test_labels, columns=genes)}))
# Without saturation only cascades are left: pairs without a path are exactly additive, and
# the cascade feature describes the rest (exactly, for a chain: see the tests of the library),
# so the learned model explains most of the interaction.

# %% [markdown]
# ### Exercise 2: what do the features carry?
#
# Refit the quadratic ridge of Part 3 without the `cascade` column, and then without the
# `product` column. Score both with `interaction_scores` on the test pairs, and split each
# method's per-pair error (`per_pair`) by whether a path joins the pair (`truth.pairs`).
# Which feature matters for which kind of pair?

# %%
# Your code here

# %% tags=["solution"]
# Solution to exercise 2
ablations = {}
for dropped in ("cascade", "product"):
    m = make_pipeline(PolynomialFeatures(2, include_bias=False), StandardScaler(), RidgeCV(alphas=ALPHAS))
    m.fit(X_train.drop(columns=dropped), y_train)
    ablations[f"without {dropped}"] = pd.DataFrame(m.predict(X_test.drop(columns=dropped)).reshape(len(test), -1),
                                                   index=test_labels, columns=genes)
ablations["all features"] = predicted["quadratic ridge"]
ablation_scores = bk.perturbation.interaction_scores(true_test, ablations)
print(ablation_scores.to_frame()[["rmse", "explained"]])
path = np.where(truth.pairs.loc[test_labels, "path"] != "none", "a path", "no path")
print(ablation_scores.per_pair.groupby(path).mean())
# Without the cascade term, the pairs joined by a path lose most; without the product, the
# pairs without a path. Each feature carries one mechanism of the network. Note too that on
# pairs without a path every model is worse than additive on average: their interactions
# are small, and a prediction other than zero there is mostly error.

# %% [markdown]
# ### Exercise 3: active learning with a simpler model
#
# Run the loop of Part 4 again with the plain ridge: the features scaled but without their
# pairwise products (`StandardScaler().fit(X_train)`), the same `Ridge(alpha=10.0)` and the
# same settings. Does uncertainty sampling still save experiments? Compare the final errors
# with those of Part 4.

# %%
# Your code here

# %% tags=["solution"]
# Solution to exercise 3
scale = StandardScaler().fit(X_train)
plain_loop = bk.perturbation.active_learning_curve(
    scale.transform(X_train), y_train, X_train.index.get_level_values("pair"),
    scale.transform(X_test), true_test.stack(), estimator=Ridge(alpha=10.0),
    initial=10, batch_size=5, budget=60, n_members=5, n_repeats=10, random_state=0)
print(plain_loop)
print(plain_loop.savings(target))
# the target of Part 4 is barely within this model's reach; a target it reaches easily:
print(plain_loop.savings(plain_loop.to_frame()["mean"].min() * 1.05))
# The plain ridge has few coefficients, learns what it can from a few pairs, and its
# ensemble's spread says little about where the interactions are: uncertainty sampling saves
# little or nothing, and neither strategy comes near the quadratic ridge's final error.
# Whether active learning pays depends on the model as much as on the problem.

# %% [markdown]
# ## Take-aways
# - A genetic interaction is what the additive prediction (the sum of the singles) misses. In
#   a regulatory network it comes from cascades (one gene acting through the other) and from
#   saturation at shared targets; genes that share nothing do not interact.
# - Score predictions of combinations on the interaction part, on pairs never seen together.
#   Correlations of whole profiles reward the additive part, which is easy.
# - A model on features of the pair, built from the single profiles, beat the additive
#   baseline here, on one network with a paired interval and on five more networks. A more
#   flexible model did worse with 120 pairs.
# - Choosing experiments by the model's uncertainty saved experiments for the quadratic
#   ridge but not for the plain one. Compare with random choice, paired, over repeats, and
#   report the saving with its interval.
# - Published virtual-cell models work at a far larger scale with knowledge graphs and single
#   cells; the comparison with the additive baseline is still the first one to make.
#
# ## Self-check quiz
# 1. Gene a activates gene b, and both are knocked down together. Why is the double's effect
#    on b's targets smaller than the sum of the singles?
# 2. A model's predicted double profiles correlate almost perfectly with the measured ones.
#    Why is that not evidence that it predicts interactions?
# 3. Why were the test pairs' genes all measured singly, and what would change for a pair
#    whose genes were never perturbed alone?
# 4. In an active-learning comparison, why must both strategies start from the same initial
#    experiments and use the same model?
#
# <details><summary>Answers</summary>
#
# 1. Knocking down a already lowers b, so part of b's knock-down has happened; in the double,
#    b's knock-down adds less than alone, yet the sum counts b's effect in full, plus a's
#    effect through b. The sum counts that route twice.
# 2. The correlation is dominated by the singles' large effects, which the additive sum
#    already gets right; an additive prediction scores as high. Only the error on the
#    interaction part (double minus the sum of the singles) shows what a model adds.
# 3. The features, and the additive baseline, are built from the two single profiles: they
#    need both. A gene never perturbed has no profile; a model then needs prior knowledge
#    that links it to perturbed genes, such as the knowledge graph of GEARS.
# 4. So that the curves differ only by the choice of experiments: the comparison is then
#    paired, repeat by repeat, and a difference cannot come from a luckier start or a
#    different model.
#
# </details>

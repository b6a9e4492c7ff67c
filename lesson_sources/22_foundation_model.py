# %% [markdown]
# # 22 · A foundation model in miniature: pre-training a small transformer on DNA
#
# A *foundation model* is trained once, on a large amount of unlabelled data, by a task that
# needs no labels; it is then adapted, with few labels, to many tasks. DNA and protein
# language models follow this recipe: hide some letters of a sequence and train a
# transformer to guess them back (**masked-token pre-training**), then **fine-tune** it on a
# labelled task such as "is this a binding site?". The promise is label efficiency: what the
# model learned from unlabelled sequence should make a few hundred labels go further.
#
# This lesson tests that promise in miniature, where the truth is known. We simulate short
# DNA-like sequences with planted binding sites, pre-train a transformer with fewer than
# thirty thousand parameters on them in well under a minute of CPU, check what it learned,
# and then measure, label count by label count, whether starting from it beats the same
# network trained from scratch and a classic bag-of-words baseline. Two tasks are set: one where the
# label is the mere presence of a site, and one where only the arrangement of two sites
# tells the classes apart.
#
# ## Learning objectives
# - Explain masked-token pre-training and fine-tuning, and what a transformer encoder computes, on a model small enough to train on a laptop.
# - Check what pre-training learned by its masked-token accuracy inside and outside known binding sites, against the base rate, with a paired test.
# - Measure label efficiency: a pre-trained model against the same model from scratch and a k-mer baseline, with intervals over draws of the labels and a paired comparison at each size.
# - Decide from such a comparison when pre-training helps, and name what does not transfer from pre-training data to a real task.
#
# ## Prerequisites
# - Lesson 02 (a neural network as a classifier) and lesson 11 (AUC intervals, paired comparisons).
# - Lesson 15 (fine-tuning against training from scratch) helps but is not required.
#
# ## Estimated time
# 66 minutes: 36 teaching, 30 exercises (2, about 15 minutes each).
# Teaching includes the quiz. Timed for a first reading by a newcomer: the prose at about
# 120 words a minute, a minute per code cell to run it and read its output, and about 15
# minutes per exercise including its solution.
#
# ## Datasets
# - `sequences` (**simulated**: DNA-like sequences of 50 bases with planted E-box and GATA
#   binding sites; the positions of the sites and the rule that sets each label are known)
#   throughout. No real sequence is used: the lesson is about the method, and only a
#   simulation tells us what the model should have learned.

# %% [markdown]
# ## Setting up
#
# Seeds everywhere, and deterministic algorithms in PyTorch, so a rerun on the same computer
# prints the same numbers. The networks are tiny and run on the CPU. **To use a GPU**, set
# `DEVICE = "cuda"` (NVIDIA) or `"mps"` (Apple): every network below takes `device=DEVICE`
# and hands its results back as numpy arrays (the last digits can then differ).
#
# The first line asks PyTorch's threads to sleep while they wait instead of spinning, which
# can slow a busy 2-core machine down tenfold; it must run before PyTorch is imported. We also
# give PyTorch a single thread: these networks are so small that a second thread costs more
# in coordination than it saves.

# %%
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from scipy import stats
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import biomedkit as bk

DEVICE = "cpu"
torch.manual_seed(0)
torch.use_deterministic_algorithms(True)
torch.set_num_threads(1)
pd.set_option("display.float_format", "{:.3f}".format)

# %% [markdown]
# ## Part 1: sequences with planted binding sites
#
# `bk.simulate.sequences` draws sequences of 50 bases, each base independently (40 % G or C,
# about the human genome's share). Into them it writes two **binding sites** of real
# transcription-factor families: the **E-box** `CACGTG` (bound by bHLH factors such as MYC)
# and the **GATA site** `AGATAA`. Each base of a planted site is mutated with probability
# `0.1`, as real sites are rarely perfect. The label follows one of two rules:
#
# - `rule="presence"`: positive when the sequence holds an E-box. A GATA site sits in half
#   of the sequences of either class, as a distractor.
# - `rule="spacing"`: every sequence holds one E-box and one GATA site. It is positive when
#   the GATA site starts exactly 4 bases after the end of the E-box, a **composite element**
#   where two factors bind together only at the right distance; otherwise the two sites lie
#   anywhere else. Both classes contain the same words; only their arrangement differs.
#
# Below, five sequences of each task, with the planted sites in capitals.

# %%
def show(data, truth, rows):
    """Sequences with the planted sites in capitals and the background in lower case."""
    seqs = data.frame.sequence.to_numpy()
    return pd.DataFrame({
        "label": data.y.to_numpy()[rows],
        "sequence": ["".join(b if truth.site_map[i, j] >= 0 else b.lower() for j, b in enumerate(seqs[i]))
                     for i in rows]})


presence_pool, presence_truth = bk.simulate.sequences(n=1000, rule="presence", random_state=4)
spacing_pool, spacing_truth = bk.simulate.sequences(n=1000, rule="spacing", random_state=5)
print(presence_truth)
print(spacing_truth)
with pd.option_context("display.max_colwidth", 60):
    print(show(presence_pool, presence_truth, range(5)).to_string())
    print(show(spacing_pool, spacing_truth, range(5)).to_string())
spacing_truth.sites.head(6)

# %% [markdown]
# The truth keeps every planted site: its motif, where it starts and ends, and the bases
# written there (note the mutations). Each task has a **pool** of 1,000 sequences from which
# we will draw the labelled training sets, and a separate **test set** of 1,000.

# %%
presence_test, _ = bk.simulate.sequences(n=1000, rule="presence", random_state=6)
spacing_test, _ = bk.simulate.sequences(n=1000, rule="spacing", random_state=7)
tasks = {"presence": (presence_pool, presence_test), "spacing": (spacing_pool, spacing_test)}

# %% [markdown]
# ## Part 2: a baseline that counts words
#
# The classic way to feed DNA to a linear model: count every word of k letters (a **k-mer**)
# in each sequence, here the 256 words of 4 letters, and fit a logistic regression on the
# counts (standardised, with a strong L2 penalty, `C=0.01`, chosen once on other simulated
# data). `bk.deep.KmerCounts` is the counting step as a scikit-learn transformer. The counts
# keep *which* words occur and how often, and forget *where*. With all 1,000 labelled pool
# sequences:

# %%
kmer_baseline = make_pipeline(bk.deep.KmerCounts(k=4), StandardScaler(),
                              LogisticRegression(C=0.01, max_iter=2000))
for name, (pool, test) in tasks.items():
    fitted = kmer_baseline.fit(pool.frame.sequence, pool.y)
    print(f"{name:9s}", bk.validation.auc_ci(test.y, fitted.predict_proba(test.frame.sequence)[:, 1]))

# %% [markdown]
# Counting words goes a long way for the presence rule, though not all the way: the E-box
# is a word of six letters, often mutated, and a sum of four-letter counts can only
# approximate "this six-letter word occurs somewhere". For the spacing rule the counts are
# useless by design, and the interval includes `0.5`: both classes contain the same words.
# Whatever learns the spacing rule must see the order of the bases.

# %% [markdown]
# ## Part 3: a small transformer, pre-trained by hiding bases
#
# ### Step 1: the network
#
# `bk.deep.SequenceTransformer` reads a sequence as **tokens**, one per base (A, C, G, T,
# plus a fifth token, `[MASK]`, that hides a base). Each token becomes a vector of 32
# numbers (an *embedding*, learned). A convolution mixes each vector with those of its 4
# neighbours on either side, so each position sees a short word around it. A fixed
# *position encoding* (sines and cosines of the position, as in the original transformer)
# is added, so that the network can tell where each base is. Then come two **transformer
# layers** (PyTorch's `nn.TransformerEncoderLayer`): in each, **self-attention** lets every
# position gather information from every other position, with weights it computes from the
# vectors themselves (2 *heads* do this in parallel), and a small feed-forward network
# transforms each position's vector. The result is one vector per position. Two output
# layers sit on top: one predicts the base at each position (for pre-training), the other
# (the classification *head*) reads the mean and the maximum of the vectors over positions
# and classifies the sequence. The network's layers are printed after the next step.
#
# ### Step 2: masked-token pre-training
#
# The unlabelled data: 6,000 sequences, half drawn like the presence task and half like the
# spacing task, labels thrown away. Pre-training repeats one step: draw 64 sequences, pick
# 15 % of their bases, hide them (BERT's recipe: 80 % of the picked bases become `[MASK]`,
# 10 % a random base, 10 % stay as they are), and train the network to name the original
# base at the picked positions. No label is involved. 500 steps take well under a minute on
# one CPU core; the bar shows the progress.

# %%
corpus = pd.concat([bk.simulate.sequences(n=3000, rule="presence", random_state=1)[0].frame.sequence,
                    bk.simulate.sequences(n=3000, rule="spacing", random_state=2)[0].frame.sequence],
                   ignore_index=True)
pretrained = bk.deep.SequenceTransformer(random_state=0, device=DEVICE)
pretrained.pretrain(corpus, steps=500, batch_size=64, learning_rate=3e-3)
n_params = sum(p.numel() for p in pretrained.module_.parameters())
print(f"{n_params:,} parameters; {len(corpus):,} sequences of 50 bases = {50 * len(corpus):,} tokens")
print(pretrained.module_)

loss = pd.Series(pretrained.pretrain_loss_curve_)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(loss, color="lightgrey", lw=0.8, label="each step")
ax.plot(loss.rolling(50).mean(), color="tab:blue", label="mean of the last 50 steps")
ax.set_xlabel("pre-training step")
ax.set_ylabel("cross-entropy of the hidden bases")
ax.set_title("Masked-token pre-training")
ax.legend()
plt.show()

# %% [markdown]
# The loss falls slowly and not far. That is expected: outside the binding sites every base
# was drawn independently of its neighbours, so nothing, however clever, can guess it better
# than the base frequencies allow. Only the bases inside sites are predictable, and they are
# fewer than a fifth of all bases.

# %% [markdown]
# ## Part 4: what did pre-training learn?
#
# ### Step 1: masked-token accuracy, inside and outside the sites
#
# On 500 new sequences (held out: the network never saw them), `predict_masked` hides every
# base once, about 15 % of a sequence at a time as in training, and records the network's
# best guess. The **base rate** is the accuracy of always guessing the most frequent base of
# the pre-training data; it differs between regions, because the GATA site is rich in A.

# %%
held_out, held_truth = bk.simulate.sequences(n=500, rule="spacing", random_state=3)
masked = pretrained.predict_masked(held_out.frame.sequence, random_state=0)
regions = {"inside a site": held_truth.motif_mask, "background": ~held_truth.motif_mask,
           "inside an E-box": held_truth.site_map == 0, "inside a GATA site": held_truth.site_map == 1}
print(masked)
masked.to_frame(regions)

# %% [markdown]
# Inside the binding sites the network names the hidden base far more often than the base
# rate; in the background it does no better than the base rate (it cannot: those bases are
# random), and even a little worse, as it now and then expects a site where there is none.
# Is the gain over the base rate larger inside sites than outside? The bases of one
# sequence are not independent, so we compare within each sequence: its accuracy minus the
# base rate inside its sites, against the same outside, and test the paired difference over
# the 500 sequences.

# %%
inside = masked.per_sequence(held_truth.motif_mask) - masked.per_sequence(held_truth.motif_mask, base_rate=True)
outside = masked.per_sequence(~held_truth.motif_mask) - masked.per_sequence(~held_truth.motif_mask, base_rate=True)
paired = stats.ttest_rel(inside, outside)
ci = paired.confidence_interval()
print(f"gain over the base rate inside sites minus outside: {np.mean(inside - outside):.3f} "
      f"(95 % CI {ci.low:.3f} to {ci.high:.3f}), paired t-test p = {paired.pvalue:.2g}, "
      f"{len(inside)} sequences")

# %% [markdown]
# The network has learned the binding sites, from unlabelled sequences alone: shown part of
# a site, it completes the rest. That is all the masked-token task asked of it.
#
# ### Step 2: where does it look?
#
# The attention weights say, for each position, how much it draws from every other
# position (each row of weights sums to 1). Below, the second layer's weights (averaged over
# the 2 heads) for one sequence; the coloured bands mark the columns of its E-box and GATA
# site.

# %%
maps = pretrained.attention_maps(held_out.frame.sequence)  # (sequences, layers, positions, positions)
row = 0
fig, ax = plt.subplots(figsize=(6, 5))
image = ax.imshow(maps[row, 1], cmap="Greys")
for site in held_truth.sites.query("sequence_id == @row").itertuples():
    ax.axvspan(site.start - 0.5, site.end - 0.5, color="tab:orange" if site.motif == "ebox" else "tab:blue",
               alpha=0.3, label={"ebox": "E-box", "gata": "GATA site"}[site.motif])
ax.legend(loc="lower right")
ax.set_xlabel("position attended to")
ax.set_ylabel("position attending")
ax.set_title("Layer 2 attention (mean of 2 heads)")
fig.colorbar(image, ax=ax, shrink=0.8)
plt.show()

# %% [markdown]
# Dark columns are positions that many others attend to. Over all 500 held-out sequences:
# the share of each layer's attention that lands on site positions, against the share of
# positions that sites occupy (what evenly spread attention would give), with a t interval
# over sequences.

# %%
site_share = held_truth.motif_mask.mean(axis=1)  # per sequence: 12 of 50 positions
rows = {}
for layer in range(maps.shape[1]):
    on_sites = (maps[:, layer] * held_truth.motif_mask[:, None, :]).sum(axis=2).mean(axis=1)
    excess = on_sites - site_share
    half = stats.t.ppf(0.975, len(excess) - 1) * stats.sem(excess)
    rows[f"layer {layer + 1}"] = {"attention on sites": on_sites.mean(), "share of positions": site_share.mean(),
                                  "excess": excess.mean(), "low": excess.mean() - half,
                                  "high": excess.mean() + half}
pd.DataFrame(rows).T

# %% [markdown]
# Compare each layer's excess with zero using its interval. A layer whose attention leans
# towards the sites is gathering information there; that fits what the masked-token table
# showed, but it is a description of where information can flow, not an explanation of any
# prediction. Attention maps are easy to over-read: treat them as a picture to check against
# a known answer, as here, not as evidence by themselves.

# %% [markdown]
# ## Part 5: label efficiency
#
# Now the question the recipe is about. For each task and each number of labels (25, 100
# and 400), we draw the labelled sequences from the pool five times (stratified by class)
# and train three methods on each draw:
#
# - **k-mers + logistic regression**, the baseline of Part 2;
# - **from scratch**: the same transformer, random weights, trained on the labels alone;
# - **pre-trained, fine-tuned**: the network of Part 3 with a new classification head,
#   every weight trained further on the labels.
#
# Both networks get the same training, whatever the number of labels: 60 optimiser steps
# of AdamW on batches of 32 sequences (all of them when there are fewer), at a learning rate
# of `2e-3`. Each is scored by its AUC on the task's 1,000 test sequences.
# `bk.deep.label_efficiency` does the draws; within a draw every method sees the same
# labels, so the methods can be compared draw by draw. The two networks are trained 60 times
# in all, which takes about a minute.

# %%
SIZES, DRAWS, STEPS, RATE = (25, 100, 400), 5, 60, 2e-3


def from_scratch(X, y, seed):
    return bk.deep.SequenceTransformer(steps=STEPS, learning_rate=RATE, random_state=seed, device=DEVICE).fit(X, y)


def fine_tuned(X, y, seed):
    return pretrained.fine_tune(X, y, steps=STEPS, learning_rate=RATE, random_state=seed)


methods = {"k-mers + LR": kmer_baseline, "from scratch": from_scratch, "pre-trained, fine-tuned": fine_tuned}
curves = {}
for name, (pool, test) in tasks.items():
    curves[name] = bk.deep.label_efficiency(methods, pool.frame.sequence, pool.y, test.frame.sequence,
                                            test.y, sizes=SIZES, n_draws=DRAWS, random_state=0)
pd.concat({name: curve.to_frame()[["mean AUC", "low", "high"]] for name, curve in curves.items()})

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, (name, curve) in zip(axes, curves.items()):
    curve.plot(ax=ax)
    ax.set_title(f"rule: {name}")
axes[1].get_legend().remove()
fig.suptitle(f"Test AUC against the number of labels (mean of {DRAWS} draws, 95 % t intervals)")
plt.tight_layout()
plt.show()

# %% [markdown]
# The intervals are wide: five draws are few, and which 25 sequences happen to be labelled
# matters. The paired comparisons below use the pairing: the difference in AUC between two
# methods within each draw, its mean, a t interval and a paired t-test over the draws, and
# how many of the draws the first method won.

# %%
comparisons = {}
for name, curve in curves.items():
    comparisons[(name, "pre-trained vs scratch")] = curve.compare("pre-trained, fine-tuned", "from scratch")\
        .set_axis(["difference", "low", "high", "p", "wins"], axis=1)
    comparisons[(name, "pre-trained vs k-mers")] = curve.compare("pre-trained, fine-tuned", "k-mers + LR")\
        .set_axis(["difference", "low", "high", "p", "wins"], axis=1)
pd.concat(comparisons)

# %% [markdown]
# Read the two tasks separately.
#
# **Presence.** With 25 labels the pre-trained network is well ahead of the same network
# trained from scratch (read the difference, its interval and the wins); the advantage
# shrinks as labels accumulate and is gone by 400, where both networks do as well as each
# other. Against the k-mers the pre-trained network is ahead at every size. That is the
# promise of pre-training, kept: the network already knows what an E-box looks like
# (Part 4), and the labels only have to say that E-boxes matter.
#
# **Spacing.** The k-mers stay at chance, as they must. No method learns the arrangement
# from 25 labels. With 400, the network trained from scratch begins to, in some draws (its
# mean AUC is above chance, with a wide interval), while the pre-trained network stays close
# to chance and lags behind it; with five draws, read the interval of that difference before
# calling it a loss. Either way, pre-training did not deliver here. The reason is the
# pre-training task. To guess a hidden base of a GATA site, the rest of that same site is
# enough; the distance to the E-box never helped to predict a base, so the network had no
# reason to learn it. Pre-training learns what its objective rewards, and this label depends
# on something else. Starting from weights shaped by another task can even make learning
# slower than starting from random ones: *negative transfer*.

# %% [markdown]
# ## Part 6: real foundation models, and what does not transfer
#
# **Scale.** Our network has fewer than thirty thousand parameters; it saw 300,000 tokens,
# each about five times, in well under a minute of CPU time. Published DNA language models
# mostly have from tens of millions to several billion parameters and are pre-trained on
# billions to hundreds of billions of tokens (many genomes, or many species); the largest
# take weeks of many GPUs, that is GPU-months or more. Treat these as orders of magnitude: the figures
# change with each new model. What does not change is the lesson of Part 5: scale makes the
# pre-trained features richer, not automatically relevant to your label, and independent
# evaluations have found published DNA language models that did not beat a well-tuned
# network trained from scratch on some regulatory tasks. The comparison of Part 5, with a
# strong baseline and paired draws, is the one to ask for.
#
# **What does not transfer**, even at scale:
#
# - *The data.* A model pre-trained on one distribution of sequences (one genome, one
#   species, one GC content) meets another in your task: exercise 2 shows what a shift of
#   GC content does to our small model. Pre-training data are rarely documented as
#   carefully as a cohort.
# - *The tokenization.* We use one token per base. Models that use words of k bases, or
#   learned sub-words, see a different sequence; a fine-tuned model must be fed exactly the
#   tokens it was pre-trained on, and a variant that changes one base can change several
#   tokens.
# - *The grammar.* Our sites are two fixed words with one rule. Real regulatory sequence has
#   hundreds of factors with degenerate, overlapping sites, spacing and orientation
#   preferences, chromatin and cell-type context. That a small model learns planted motifs
#   here says nothing about what a large one learns from a genome; only tests like these, on
#   real labels, can say that.

# %% [markdown]
# ### Exercise 1: frozen features
#
# A cheaper way to use a pre-trained model: freeze it, take its pooled vectors
# (`pretrained.embed(sequences)`, 64 numbers per sequence) as features, and fit a logistic
# regression on them (a *linear probe*). Run `bk.deep.label_efficiency` for the presence
# task with the same sizes, draws and `random_state` as Part 5 (so the draws are the same),
# with two methods: the k-mer baseline and the linear probe (a callable that embeds the
# training sequences and fits `LogisticRegression(max_iter=2000)` on them). Compare the
# probe with the fine-tuned network of Part 5, draw by draw. Is fine-tuning worth its cost
# here? Then try the probe on the spacing task.

# %%
# Your code here

# %% tags=["solution"]
# Solution to exercise 1
# The network is frozen, so each sequence's vector never changes: compute them once.
vectors = {}
for pool, test in tasks.values():
    for data in (pool, test):
        vectors.update(zip(data.frame.sequence, pretrained.embed(data.frame.sequence)))


class LinearProbe:
    """Logistic regression on the frozen network's pooled vectors."""

    def __init__(self, X, y):
        self.model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        self.model.fit(np.stack([vectors[s] for s in X]), y)

    def predict_proba(self, X):
        return self.model.predict_proba(np.stack([vectors[s] for s in X]))


probe_curves = {}
for name, (pool, test) in tasks.items():
    probe_curves[name] = bk.deep.label_efficiency(
        {"k-mers + LR": kmer_baseline, "linear probe": lambda X, y, seed: LinearProbe(X, y)},
        pool.frame.sequence, pool.y, test.frame.sequence, test.y, sizes=SIZES, n_draws=DRAWS, random_state=0)
    print(name, "\n", probe_curves[name].to_frame()[["mean AUC", "low", "high"]])
# the same draws as Part 5 (same random_state, sizes and draws): pair the probe with fine-tuning
both = pd.concat([curves["presence"].scores, probe_curves["presence"].scores.query("method == 'linear probe'")])
paired = both.pivot_table(index=["size", "draw"], columns="method", values="auc")
print((paired["pre-trained, fine-tuned"] - paired["linear probe"]).groupby(level="size").agg(["mean", "min", "max"]))
# On presence the probe does about as well as the k-mers and clearly worse than fine-tuning
# (the differences above, draw by draw): the pooled vectors of the frozen network were shaped
# to guess hidden bases, not to expose "an E-box is here" to a linear model, and fine-tuning
# reshapes them. It is cheap (one pass of the network per sequence), so try it first, but do
# not conclude from a weak probe that pre-training learned nothing. On spacing the probe stays
# at chance: the frozen vectors do not encode the arrangement.

# %% [markdown]
# ### Exercise 2: a shift in the data
#
# Our network was pre-trained on sequences with 40 % G or C. Simulate 500 sequences of the
# presence task with `gc_content=0.6` (a GC-rich genome, `random_state=8`) and 500 with the
# default (`random_state=8` as well). (a) Compare the masked-token table of Part 4 (inside
# sites, background) on both: what happens to the background accuracy, and why? (b)
# Fine-tune the pre-trained network on the first 100 sequences of the presence pool
# (`random_state=0`, with the steps and learning rate of Part 5) and compare its AUC, with DeLong
# intervals, on the two new test sets; the two sets are independent, so test the difference
# accordingly. What would you need before using a model pre-trained on one genome for another?

# %%
# Your code here

# %% tags=["solution"]
# Solution to exercise 2
shifted, shifted_truth = bk.simulate.sequences(n=500, rule="presence", gc_content=0.6, random_state=8)
usual, usual_truth = bk.simulate.sequences(n=500, rule="presence", random_state=8)
for name, (data, truth) in {"40 % GC (as pre-trained)": (usual, usual_truth),
                            "60 % GC (shifted)": (shifted, shifted_truth)}.items():
    result = pretrained.predict_masked(data.frame.sequence, random_state=0)
    table = result.to_frame({"inside a site": truth.motif_mask, "background": ~truth.motif_mask})
    # the best constant guess for these sequences: their own most frequent background base
    background = result.tokens[~truth.motif_mask]
    table["best constant guess"] = [np.nan, np.bincount(background, minlength=4).max() / background.size]
    print(name, "\n", table[["accuracy", "low", "high", "base rate", "best constant guess"]])
tuned = pretrained.fine_tune(presence_pool.frame.sequence[:100], presence_pool.y[:100], steps=STEPS,
                             learning_rate=RATE, random_state=0)
aucs = {name: bk.validation.auc_ci(data.y, tuned.predict_proba(data.frame.sequence)[:, 1])
        for name, data in {"40 % GC": usual, "60 % GC": shifted}.items()}
for name, auc in aucs.items():
    print(f"{name}: {auc}")
# two different test sets: the AUCs are independent, so their variances add
a, b = aucs.values()
z = (a.auc - b.auc) / np.hypot(a.se, b.se)
print(f"difference {a.auc - b.auc:.3f} (95 % CI {a.auc - b.auc - 1.96 * np.hypot(a.se, b.se):.3f} to "
      f"{a.auc - b.auc + 1.96 * np.hypot(a.se, b.se):.3f}), p = {2 * stats.norm.sf(abs(z)):.2g}")
# (a) In the background the network keeps guessing the bases that were frequent in its
# pre-training data (A and T); in a GC-rich genome those are the rare ones, so it does worse
# than the best constant guess for these sequences (G or C). Nothing in the model warns of it.
# (b) Read the interval of the difference: a shift of composition alone can cost the
# classifier AUC, although the sites and the rule are unchanged. Before reusing a model on
# another genome: test it there, on labelled data from that genome.

# %% [markdown]
# ## Take-aways
# - Masked-token pre-training trains a network to guess hidden letters from their context;
#   it needs no labels, and it learns whatever makes the letters predictable (here, the
#   binding sites), checked against the truth and the base rate.
# - Fine-tuning a pre-trained network can make few labels go further, when the label
#   depends on what pre-training learned (the presence of a site).
# - It does not help, and can hurt, when the label depends on something the pre-training
#   objective never rewarded (the spacing of two sites). Scale does not remove this risk.
# - Judge a foundation model the way this lesson did: against the same network from scratch
#   and a strong simple baseline, across numbers of labels, with repeated draws and paired
#   comparisons.
# - Pre-training data, tokenization and the biology it encodes must match the task; a shift
#   in any of them is a shift in the distribution, with no warning from the model.
#
# ## Self-check quiz
# 1. What does a network learn in masked-token pre-training, and why could ours not predict
#    the background bases better than the base rate?
# 2. Why is the gain over the base rate compared inside and outside sites within each
#    sequence, rather than by two intervals over all bases?
# 3. The k-mer baseline is at chance on the spacing task. Is that a failure of logistic
#    regression?
# 4. A vendor shows that its DNA foundation model, fine-tuned on your 200 labels, reaches an
#    AUC of 0.85. What two comparisons do you ask for before buying?
#
# <details><summary>Answers</summary>
#
# 1. It learns to predict a hidden token from the others, so it learns whatever regularities
#    make tokens predictable. Our background bases were drawn independently of everything
#    else, so no context can predict them: the best possible guess is the most frequent base.
# 2. The bases of one sequence share that sequence's sites and masks, so they are not
#    independent; an interval over all bases as if they were is too narrow. The sequence is
#    the independent unit, so the comparison is a paired test over sequences.
# 3. No: it is the representation. Counts of words forget positions, and in the spacing task
#    both classes contain the same words; any model on those counts is at chance.
# 4. The same network trained from scratch on the same labels, and a strong simple baseline
#    (k-mers, a small convolutional network), each on the same draws of labels with paired
#    differences and intervals over several draws, and a test on data from your own setting.
#
# </details>

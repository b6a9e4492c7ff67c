# %% [markdown]
# # 03 · Unsupervised discovery: finding subtypes without labels, and not finding them in noise
#
# Tumours, blood cells or patients that look alike on thousands of measurements may form
# groups, **subtypes**, that nobody has named yet. Unsupervised learning looks for such groups
# without any label to learn from. It is also the easiest place in machine learning to fool
# oneself: a clustering algorithm always returns clusters, whether the data have any or not.
# This lesson finds subtypes where we know the answer (simulated expression), in real
# single-cell data where the published labels are themselves uncertain, and in pure noise,
# where there is nothing to find.
#
# ## Learning objectives
# - Reduce expression data with PCA, read a scree plot, and explain what a t-SNE picture can and cannot show (perplexity; distances and cluster sizes).
# - Cluster samples with k-means, agglomerative clustering (with a dendrogram) and Gaussian mixtures, and measure their agreement with a known truth by the adjusted Rand index.
# - Choose the number of clusters with the silhouette, the BIC and stability under resampling, and say what each one measures.
# - Recognise clusters "found" in pure noise, and use stability to expose them.
# - Apply the same workflow to real single-cell data and report where it disagrees with the published labels.
#
# ## Prerequisites
# - Lessons 00 and 01 (loading data, pipelines, scaling).
# - Basic pandas and matplotlib. No previous clustering: this lesson introduces every method it uses.
#
# ## Estimated time
# 100 minutes: 55 teaching, 45 exercises (3, about 15 minutes each).
# Teaching includes the quiz. Timed for a first reading by a newcomer: the prose at about
# 120 words a minute, a minute per code cell to run it and read its output, and about 15
# minutes per exercise including its solution.
#
# ## Datasets
# - `expression` (**simulated**: 300 samples x 500 genes with 4 hidden subtypes; batch effects
#   switched off, they are the subject of lesson 08).
# - `pbmc` (**real**: 700 blood immune cells x 765 genes from single-cell RNA sequencing, with
#   published cell-type labels; Zheng et al., 2017).
# - Pure Gaussian noise with the same shape as the simulated expression (**simulated** in this
#   notebook), the warning case.

# %% [markdown]
# ## Setting up
#
# The imports, in one place. Every function that involves chance gets a fixed seed, so a
# rerun prints the same numbers. The data in this lesson are small: one thread per
# computation is faster than several threads competing for the 2 cores of a Binder session,
# so the last line asks numpy and scikit-learn for one thread.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import dendrogram, linkage
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

import biomedkit as bk

limits = threadpool_limits(1)

# %% [markdown]
# ## Part 1: simulated expression with subtypes we know
#
# `bk.simulate.expression` draws log-expression for samples x genes. Each hidden subtype
# over- or under-expresses its own small set of genes (here 4 % of the genes per subtype, by
# 0.6 log2 units, about one noise standard deviation); every other gene is noise. The subtypes
# are returned separately, in `truth.subtype`: the clustering never sees them, we use them
# only to grade it.

# %%
data, truth = bk.simulate.expression(n_samples=300, n_genes=500, n_subtypes=4, de_fraction=0.04,
                                     de_effect=0.6, n_batches=1, random_state=0)
genes = data.frame.drop(columns=["batch", "outcome"])
print(f"{genes.shape[0]} samples x {genes.shape[1]} genes")
print("hidden subtype sizes:", np.bincount(truth.subtype).tolist())

# %% [markdown]
# ### PCA and the scree plot
#
# With 500 genes, distances between samples are dominated by the hundreds of genes that
# carry only noise. **Principal component analysis (PCA)** finds the directions along which
# the samples vary most. We first put every gene on the same scale (mean 0, standard
# deviation 1), so that no gene dominates because of its units.
#
# The **scree plot** shows the share of the total variance along each component. Noise spreads
# its variance evenly; a real structure adds a few components that stand out above the rest.

# %%
scaled = StandardScaler().fit_transform(genes)
pca = PCA(n_components=20, random_state=0).fit(scaled)

fig, ax = plt.subplots(figsize=(6, 2.8))
ax.bar(np.arange(1, 21), pca.explained_variance_ratio_ * 100)
ax.set(xlabel="principal component", ylabel="% of variance", xticks=range(1, 21),
       title="Scree plot: simulated expression")
fig.tight_layout()
print("% of variance, first 6 components:", (pca.explained_variance_ratio_[:6] * 100).round(2))

# %% [markdown]
# Three components stand out (1.64, 1.46 and 1.35 %), then the bars level off on a plateau of
# noise just under 1 % each. Four subtypes have four mean profiles, which span a space of three
# dimensions: that is what the scree plot shows. Even so, the three components together hold
# under 5 % of the variance: in expression data most of the variance is noise, and a structure can
# be real while explaining little of it.
#
# We keep those 3 components (`pcs`) for clustering. Below, the first two, first without any
# colour (what an analyst actually sees), then coloured by the hidden truth.

# %%
pcs = pca.transform(scaled)[:, :3]
fig, axes = plt.subplots(1, 2, figsize=(9, 3.8), sharex=True, sharey=True)
axes[0].scatter(pcs[:, 0], pcs[:, 1], s=10, color="grey")
axes[0].set(title="what the analyst sees", xlabel="PC1", ylabel="PC2")
axes[1].scatter(pcs[:, 0], pcs[:, 1], s=10, c=truth.subtype, cmap="tab10", vmin=0, vmax=9)
axes[1].set(title="coloured by the hidden subtype", xlabel="PC1")
fig.tight_layout()

# %% [markdown]
# In the first two components the analyst sees three groups, not four: two subtypes overlap
# on the left and are separated only by the third component. Looking at two components at a
# time can hide structure.
#
# ### t-SNE: a map of neighbours, not of distances
#
# **t-SNE** places the samples in two dimensions so that samples that are close in the
# original space stay close. Its main setting, the **perplexity**, is roughly how many
# neighbours each sample tries to keep near it. The three maps below come from the same data,
# differing only in perplexity.
#
# Read t-SNE pictures with care: t-SNE preserves *who is next to whom*, not distances. The
# size of a cluster on the map and the gaps between clusters carry little meaning, and a
# small perplexity can break one group into islands.

# %%
fig, axes = plt.subplots(1, 3, figsize=(11, 3.6))
for ax, perplexity in zip(axes, (5, 30, 100)):
    embedding = TSNE(perplexity=perplexity, random_state=0).fit_transform(pcs)
    ax.scatter(embedding[:, 0], embedding[:, 1], s=6, c=truth.subtype, cmap="tab10", vmin=0, vmax=9)
    ax.set(title=f"perplexity {perplexity}", xticks=[], yticks=[])
fig.suptitle("t-SNE of the same samples, coloured by the hidden subtype")
fig.tight_layout()

# %% [markdown]
# The same data give three different pictures. At perplexity 5 each subtype breaks into
# strings and islands that do not exist in the data; at 30 the four subtypes become four round
# balls of about the same size, evenly spaced, although the subtypes differ in size (68 to 91
# samples) and in how far apart they are; at 100 the balls spread out and their spacing changes
# again. Only one thing is reliable in all three: which samples are neighbours. A few samples
# sit inside a group of another colour: keep them in mind for the clustering below.

# %% [markdown]
# ### Three ways to cluster
#
# - **k-means** places k centres and assigns each sample to the nearest; it favours round
#   clusters of similar spread.
# - **Agglomerative (hierarchical) clustering** starts with every sample alone and repeatedly
#   merges the two closest groups (with Ward's rule: the merge that adds the least
#   within-group variance). The whole history of merges is a tree, the **dendrogram**.
# - A **Gaussian mixture model (GMM)** describes the data as a mix of k Gaussian clouds, each
#   with its own shape, and gives each sample a *probability* of belonging to each cloud.
#
# To grade a clustering against the truth we use the **adjusted Rand index (ARI)**: over all
# pairs of samples, how often the two partitions agree on "same group" or "different groups",
# corrected for chance. 1 means identical partitions (whatever the cluster numbers), about 0
# means chance agreement. We first ask for k = 4, the true number; choosing k comes after.

# %%
kmeans_labels = KMeans(n_clusters=4, n_init=10, random_state=0).fit_predict(pcs)
ward_labels = AgglomerativeClustering(n_clusters=4, linkage="ward").fit_predict(pcs)
gmm = GaussianMixture(n_components=4, random_state=0).fit(pcs)
gmm_labels = gmm.predict(pcs)
agreement = pd.Series({
    "k-means": adjusted_rand_score(truth.subtype, kmeans_labels),
    "agglomerative (Ward)": adjusted_rand_score(truth.subtype, ward_labels),
    "Gaussian mixture": adjusted_rand_score(truth.subtype, gmm_labels),
}, name="ARI with the hidden subtypes").round(3)
agreement

# %% [markdown]
# All three methods agree closely with the hidden subtypes (ARI 0.947 to 0.956): with a real
# structure this clear, the choice of method matters little. A contingency table shows where
# k-means and the truth disagree: each row is a true subtype, each column a cluster (numbered
# arbitrarily).

# %%
pd.crosstab(pd.Series(truth.subtype, name="true subtype"), pd.Series(kmeans_labels, name="k-means cluster"))

# %% [markdown]
# Each true subtype lands almost entirely in one cluster; 6 of the 300 samples are elsewhere.
#
# The dendrogram of Ward's clustering: the height of each merge is the cost of that merge. Four
# long vertical branches before the last merges are the sign of four well-separated groups;
# cutting the tree across them (the colours) gives the 4 clusters above. For readability the
# tree is drawn from its last 30 merges only.

# %%
tree = linkage(pcs, method="ward")
cut_height = (tree[-4, 2] + tree[-3, 2]) / 2  # between the merges that leave 4 and 3 groups
fig, ax = plt.subplots(figsize=(8, 3.2))
dendrogram(tree, truncate_mode="lastp", p=30, no_labels=True, color_threshold=cut_height, ax=ax)
ax.axhline(cut_height, color="grey", linestyle=":")
ax.set(ylabel="merge height (Ward)", title="Dendrogram of the simulated samples (last 30 merges)")
fig.tight_layout()

# %% [markdown]
# A mixture model also says how sure it is: `predict_proba` gives each sample's probability
# of belonging to each cloud. Are its mistakes the samples it was unsure about? To count
# mistakes, each cluster is first matched to the subtype that most of its samples have (the
# cluster numbers themselves are arbitrary).

# %%
certainty = gmm.predict_proba(pcs).max(axis=1)
unsure = certainty < 0.9
match = pd.crosstab(gmm_labels, truth.subtype).idxmax(axis=1)
wrong = match[gmm_labels].to_numpy() != truth.subtype
print(f"misassigned overall: {wrong.sum()} of {len(wrong)}; "
      f"among the {unsure.sum()} unsure samples (probability < 0.9): {wrong[unsure].sum()}")

# %% [markdown]
# Only 2 of the 5 mistakes were flagged as unsure; the other 3 were assigned with a
# probability of at least 0.9. The probabilities are computed under the model's own
# assumptions (Gaussian clouds, 4 of them): a useful hint, not a guarantee.

# %% [markdown]
# ### Choosing k
#
# In a real study nobody gives us k. Three common guides:
#
# - the **silhouette** (from -1 to 1): how much closer each sample is to its own cluster than
#   to the next one, averaged; high means compact, well-separated clusters;
# - the **BIC** of a Gaussian mixture: how well the mixture fits, penalised for its number of
#   parameters; lower is better;
# - **stability**: cluster many random subsamples (here 80 % of the samples, 20 times) and
#   compare every pair of clusterings on the samples they share with the ARI. Real groups come
#   back whatever the subsample; arbitrary cuts do not. scikit-learn has no function for this;
#   `bk.clustering.cluster_stability` and `bk.clustering.choose_k` do it.
#
# `choose_k` returns one row per k, for k-means (silhouette and stability) and for a mixture
# (with the BIC too).

# %%
ks = range(2, 8)
choice_kmeans = bk.clustering.choose_k(pcs, KMeans(n_init=10), ks=ks, n_resamples=20, random_state=0)
choice_gmm = bk.clustering.choose_k(pcs, GaussianMixture(), ks=ks, n_resamples=20, random_state=0)
choice = choice_kmeans.set_index("k")[["silhouette", "stability"]].join(
    choice_gmm.set_index("k")[["bic", "stability"]], rsuffix=" (GMM)").round(3)
choice

# %% [markdown]
# The guides agree here: the silhouette (0.556) and both stabilities (0.994 for k-means, 0.958
# for the mixture) peak, and the BIC is lowest, at the true number, k = 4. The plot shows the
# same table.

# %%
fig, axes = plt.subplots(1, 3, figsize=(11, 3))
axes[0].plot(choice.index, choice["silhouette"], "o-")
axes[0].set(title="silhouette (k-means), higher is better", xlabel="k")
axes[1].plot(choice.index, choice["stability"], "o-", label="k-means")
axes[1].plot(choice.index, choice["stability (GMM)"], "s--", label="GMM")
axes[1].set(title="stability (mean ARI), higher is better", xlabel="k", ylim=(0, 1.05))
axes[1].legend()
axes[2].plot(choice.index, choice["bic"], "o-")
axes[2].set(title="BIC (GMM), lower is better", xlabel="k")
fig.tight_layout()

# %% [markdown]
# ## Part 2: the warning case, clusters in pure noise
#
# Now the same analysis on data with **no structure at all**: 300 "samples" x 500 "genes" of
# independent Gaussian noise, scaled and reduced to 3 components exactly as before. Ask k-means
# for 3 clusters and draw the result with t-SNE.

# %%
noise = np.random.default_rng(1).normal(size=(300, 500))
noise_pca = PCA(n_components=20, random_state=0).fit(StandardScaler().fit_transform(noise))
noise_pcs = noise_pca.transform(StandardScaler().fit_transform(noise))[:, :3]
noise_labels = KMeans(n_clusters=3, n_init=10, random_state=0).fit_predict(noise_pcs)
noise_map = TSNE(perplexity=30, random_state=0).fit_transform(noise_pcs)

fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
axes[0].bar(np.arange(1, 21), noise_pca.explained_variance_ratio_ * 100)
axes[0].set(title="scree plot of pure noise", xlabel="principal component", ylabel="% of variance")
axes[1].scatter(noise_map[:, 0], noise_map[:, 1], s=8, c=noise_labels, cmap="tab10", vmin=0, vmax=9)
axes[1].set(title="t-SNE of pure noise, coloured by k-means (k = 3)", xticks=[], yticks=[])
fig.tight_layout()

# %% [markdown]
# Coloured by cluster, the t-SNE map shows three regions with clean borders, and it is
# tempting to read them as three groups. That is circular: k-means cut the cloud into three
# regions, and t-SNE keeps neighbours together, so each region becomes a patch of one colour.
# Without the colours the map is one continuous cloud. The scree plot, in contrast, is
# honest: it declines slowly (from about 1.0 % to 0.8 %) with no component standing out.
#
# The silhouette and the stability tell the two data sets apart:

# %%
on_subtypes = bk.clustering.cluster_stability(pcs, KMeans(n_clusters=4, n_init=10),
                                              n_resamples=20, random_state=0)
on_noise = bk.clustering.cluster_stability(noise_pcs, KMeans(n_clusters=3, n_init=10),
                                           n_resamples=20, random_state=0)
pd.DataFrame({
    "simulated subtypes (k = 4)": {"silhouette": silhouette_score(pcs, kmeans_labels),
                                   **on_subtypes.to_frame()["ari"]},
    "pure noise (k = 3)": {"silhouette": silhouette_score(noise_pcs, noise_labels),
                           **on_noise.to_frame()["ari"]},
}).T.round(3)

# %% [markdown]
# On noise the silhouette is 0.233 against 0.556, and the stability collapses: a mean ARI of
# 0.394 between subsample clusterings (median 0.321) against 0.994 for the real subtypes. The
# same noise is cut differently each time. The distribution of the 190 pairwise ARIs makes
# the contrast visible.

# %%
fig, ax = plt.subplots(figsize=(6, 2.8))
ax.hist(on_subtypes.aris, bins=np.linspace(-0.1, 1, 45), alpha=0.7, label="simulated subtypes, k = 4")
ax.hist(on_noise.aris, bins=np.linspace(-0.1, 1, 45), alpha=0.7, label="pure noise, k = 3")
ax.set(xlabel="ARI between two subsample clusterings", ylabel="pairs")
ax.legend()
fig.tight_layout()

# %% [markdown]
# Stability is necessary, not sufficient: exercise 2 shows structureless data that k-means
# cuts the same way every time. A subtype becomes credible when it is stable *and* something
# outside the clustering supports it: marker genes, an independent cohort, an outcome.

# %% [markdown]
# ### Optional: the same resampling on a Dask cluster
#
# Resampling multiplies the work: 20 subsamples are 20 clusterings, and a bootstrap or a
# repeated cross-validation can mean thousands of model fits. `cluster_stability` (like
# `choose_k`, `repeated_cv`, `nested_cv`, `bootstrap_optimism` and `permutation_importance`)
# hands those fits to **joblib**, Python's library for parallel loops, without choosing where
# they run. Wrapped in `joblib.parallel_config(backend="dask")`, the same call sends them to
# the workers of a **Dask** cluster, with no change to the code and none to the numbers.
#
# The cell below starts a tiny cluster (two workers inside this notebook's kernel), reruns the
# stability of the noise on it, checks that the ARIs are the same, and closes the cluster. On
# a laptop or a Binder session this brings nothing (the two workers share the same few
# cores); on a real cluster you would connect to its scheduler instead of starting one, with
# `Client("tcp://address-of-the-scheduler:8786")`, and the same `with` block would spread the
# fits over all its machines.

# %%
import joblib
from dask.distributed import Client, LocalCluster

# ":0" lets the cluster's dashboard take any free port (the usual one may be in use).
with (LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster,
      Client(cluster) as client, joblib.parallel_config(backend="dask")):
    on_noise_dask = bk.clustering.cluster_stability(noise_pcs, KMeans(n_clusters=3, n_init=10),
                                                    n_resamples=20, random_state=0, n_jobs=-1)
print(f"mean ARI on the Dask cluster {on_noise_dask.mean:.3f}, before {on_noise.mean:.3f}; "
      f"all 190 ARIs identical: {np.array_equal(on_noise_dask.aris, on_noise.aris)}")

# %% [markdown]
# ## Part 3: real single-cell data
#
# `pbmc` holds 700 peripheral blood mononuclear cells from one donor, each measured by
# single-cell RNA sequencing on 765 genes (log-normalised expression), with a cell-type label
# per cell. Those labels are not a gold standard: the original authors assigned each cell the
# type of the purified reference population whose profile it correlated with best. So the ARI
# below measures agreement with another method's answer, not with the truth. The 700 cells are
# not a random sample of blood either: dendritic cells are a small minority of blood cells,
# yet 240 cells here carry that label. Cluster sizes here say nothing about blood.

# %%
pbmc = bk.datasets.load("pbmc")
pbmc

# %%
pbmc.y.value_counts()

# %% [markdown]
# The same steps as in part 1: scale each gene, PCA, scree plot.

# %%
pbmc_scaled = StandardScaler().fit_transform(pbmc.X)
pbmc_pca = PCA(n_components=30, random_state=0).fit(pbmc_scaled)
fig, ax = plt.subplots(figsize=(6, 2.8))
ax.bar(np.arange(1, 31), pbmc_pca.explained_variance_ratio_ * 100)
ax.set(xlabel="principal component", ylabel="% of variance", title="Scree plot: PBMC")
fig.tight_layout()
print("% of variance, first 10 components:", (pbmc_pca.explained_variance_ratio_[:10] * 100).round(2))

# %% [markdown]
# The bars fall steeply over the first 7 components (from 6.4 % to 1.0 %), then flatten near
# 0.5 %. We keep 7, and draw a t-SNE map of them coloured by the published label.

# %%
pbmc_pcs = pbmc_pca.transform(pbmc_scaled)[:, :7]
pbmc_map = TSNE(perplexity=30, random_state=0).fit_transform(pbmc_pcs)
types = pbmc.y.cat.categories
fig, ax = plt.subplots(figsize=(8, 4.5))
for i, cell_type in enumerate(types):
    mask = (pbmc.y == cell_type).to_numpy()
    ax.scatter(pbmc_map[mask, 0], pbmc_map[mask, 1], s=8, color=plt.cm.tab10(i), label=cell_type)
ax.set(title="t-SNE of the PBMC cells, coloured by the published label", xticks=[], yticks=[])
ax.legend(fontsize=7, markerscale=2, bbox_to_anchor=(1.01, 1), loc="upper left")
fig.tight_layout()

# %% [markdown]
# The map shows well-separated islands for the CD34+ cells, for the B cells (in two islands),
# for most of the cells labelled dendritic, and for the monocytes, which share their island with
# other cells labelled dendritic. All T-cell types and the NK cells form one continuous band,
# with the NK cells at one end and the CD4+ and CD8+ subtypes mixed along it.
#
# How many clusters do the data support? `choose_k` for k-means and for a mixture, from 2 to
# 12 (the labels have 10 types).

# %%
pbmc_ks = [2, 3, 4, 5, 6, 8, 10, 12]
pbmc_kmeans = bk.clustering.choose_k(pbmc_pcs, KMeans(n_init=10), ks=pbmc_ks, n_resamples=20, random_state=0)
pbmc_gmm = bk.clustering.choose_k(pbmc_pcs, GaussianMixture(), ks=pbmc_ks, n_resamples=20, random_state=0)
pbmc_kmeans.set_index("k")[["silhouette", "stability"]].join(
    pbmc_gmm.set_index("k")[["bic", "stability"]], rsuffix=" (GMM)").round(3)

# %% [markdown]
# Here the guides do **not** agree. The silhouette peaks at k = 6 (0.551); the BIC is lowest at
# k = 8; the mixture's stability is highest at k = 8 (0.893); k-means is stable (mean ARI 0.937
# or more) for every k except 3 (0.739) and 12 (0.876), so its stability does not single out one k.
# That is typical of real data: cell types are nested (lymphocytes, T cells, CD4+ T cells,
# ...), and several levels of detail are each defensible. None of the guides points to the
# 10 published types.
#
# How well does each method reproduce the published labels, at a coarse k = 4 and at k = 10?

# %%
pbmc_agreement = {}
for k in (4, 10):
    pbmc_agreement[f"k-means, k = {k}"] = adjusted_rand_score(
        pbmc.y, KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(pbmc_pcs))
    pbmc_agreement[f"Ward, k = {k}"] = adjusted_rand_score(
        pbmc.y, AgglomerativeClustering(n_clusters=k).fit_predict(pbmc_pcs))
    pbmc_agreement[f"GMM, k = {k}"] = adjusted_rand_score(
        pbmc.y, GaussianMixture(n_components=k, random_state=0).fit_predict(pbmc_pcs))
pd.Series(pbmc_agreement, name="ARI with the published labels").round(3)

# %% [markdown]
# The agreement is moderate: an ARI of about 0.6 at k = 10 for all three methods, 0.54 at
# k = 4 for k-means and Ward, and 0.42 for the mixture at k = 4. The contingency table for
# k-means with k = 10 shows where the disagreement lies.

# %%
pbmc_k10 = KMeans(n_clusters=10, n_init=10, random_state=0).fit_predict(pbmc_pcs)
pd.crosstab(pbmc.y, pd.Series(pbmc_k10, index=pbmc.y.index, name="k-means cluster"))

# %% [markdown]
# The clusters recover the lineages: all 13 CD34+ cells form cluster 6; the B cells fall in
# clusters 4 and 5 (a split the labels do not have); monocytes and dendritic cells have their
# own clusters, with a mixed cluster 7 between them. But the T-cell subtypes are not separated:
# CD4+ regulatory, memory and naive cells and CD8+ naive cells share clusters 3 and 8, and CD8+
# cytotoxic T cells share cluster 9 with NK cells. Whether this is a failure of clustering or of
# the labels cannot be decided from these data: the labels came from a correlation with
# reference profiles, and the T-cell subtypes differ in few of these 765 genes. The honest
# report is "lineages, yes; T-cell subtypes, not from these data".

# %% [markdown]
# ### Exercise 1: how many components to keep?
#
# On the simulated expression, cluster with k-means (k = 4, `n_init=10`, `random_state=0`)
# using the first 3, 10, 50 and 300 principal components of `scaled`, and compute the ARI with
# `truth.subtype` each time. What happens when the components beyond the scree plot's elbow
# are kept, and why?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 1
full_pca = PCA(n_components=300, random_state=0).fit_transform(scaled)
for n_components in (3, 10, 50, 300):
    labels = KMeans(n_clusters=4, n_init=10, random_state=0).fit_predict(full_pca[:, :n_components])
    print(f"{n_components:>3} components: ARI {adjusted_rand_score(truth.subtype, labels):.3f}, "
          f"silhouette {silhouette_score(full_pca[:, :n_components], labels):.3f}")
# The ARI changes little up to 50 components (0.939 to 0.947), then drops to 0.865 with 300:
# the strong signal survives some added noise, but all 300 components drown it in part.
# The silhouette falls from 0.556 to 0.014 although the clusters barely change: distances in
# many noisy dimensions are all alike. Silhouettes computed in spaces of different dimension
# cannot be compared.

# %% [markdown]
# ### Exercise 2: stable is not the same as real
#
# Draw 300 points from a single Gaussian cloud that is three times longer than it is wide
# (`np.random.default_rng(0).normal(size=(300, 2)) * [3, 1]`): there are no clusters. Compute
# the stability of k-means with k = 2 (`bk.clustering.cluster_stability`, `n_resamples=20`,
# `random_state=0`) and the silhouette. What would you conclude from stability alone? What else
# could warn you?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 2
cloud = np.random.default_rng(0).normal(size=(300, 2)) * [3, 1]
cloud_stability = bk.clustering.cluster_stability(cloud, KMeans(n_clusters=2, n_init=10),
                                                  n_resamples=20, random_state=0)
cloud_labels = KMeans(n_clusters=2, n_init=10, random_state=0).fit_predict(cloud)
print(cloud_stability)
print(f"silhouette: {silhouette_score(cloud, cloud_labels):.3f}")
# Mixture BIC for 1, 2 and 3 clouds: a single cloud is a candidate here, unlike above
print({k: round(GaussianMixture(n_components=k, random_state=0).fit(cloud).bic(cloud), 1) for k in (1, 2, 3)})
# Stability is high (mean ARI 0.944) and the silhouette (0.489) is higher than for the noise
# in part 2: k-means cuts a long cloud across its middle, and does so the same way on every
# subsample. Stability and silhouette compare k = 2, 3, ... but cannot say "no clusters".
# A Gaussian mixture can: its BIC is lowest for one component. A scatter plot or histogram
# along the long axis (one hump, not two) would also warn you.

# %% [markdown]
# ### Exercise 3: which published cell types do the clusters merge?
#
# On `pbmc`, fit k-means with the number of clusters that the silhouette favoured (k = 6;
# the stability of k-means, as seen above, singles out no k), and cross-tabulate the clusters with `pbmc.y`.
# Which published types end up together? Using `pbmc.frame`, compare the mean expression of
# a few marker genes between clusters (for example `CD3D` for T cells, `NKG7` and `GNLY` for
# NK and cytotoxic cells, `CD79A` for B cells, `LYZ` for monocytes, `FCER1A` for dendritic
# cells; check first that each is in the columns).

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 3
pbmc_k6 = pd.Series(KMeans(n_clusters=6, n_init=10, random_state=0).fit_predict(pbmc_pcs),
                    index=pbmc.y.index, name="k-means cluster")
print(pd.crosstab(pbmc.y, pbmc_k6))
markers = ["CD3D", "NKG7", "GNLY", "CD79A", "LYZ", "FCER1A", "CST3", "HLA-DRA"]
assert all(gene in pbmc.frame.columns for gene in markers)
pbmc.frame[markers].groupby(pbmc_k6).mean().round(2)
# With k = 6, cluster 4 takes every T-cell type and the NK cells together (high CD3D, the
# T-cell marker, and NKG7 and GNLY from the NK and cytotoxic cells). The B cells are split
# in two clusters (2 and 5; both high in CD79A, cluster 5 lower in HLA-DRA), and the CD34+
# cells are cluster 0. Cluster 1 holds 186 of the cells labelled dendritic, with high FCER1A,
# a dendritic-cell marker; but 52 "dendritic" cells sit with the monocytes in cluster 3,
# where FCER1A is near 0: by this marker they look like monocytes, a hint that some of
# the published labels, not only the clusters, are wrong.

# %% [markdown]
# ## Take-aways
# - Scale, then reduce with PCA; the scree plot shows how many components stand above the
#   noise. A real structure can hold only a few percent of the variance.
# - t-SNE shows who is next to whom. Cluster sizes, gaps and shapes on the map depend on the
#   perplexity, and colouring a map by a clustering makes any clustering look convincing.
# - k-means, Ward's agglomerative clustering and Gaussian mixtures all recovered clear
#   simulated subtypes (ARI about 0.95); on real data they agreed only moderately (ARI about
#   0.6) with published labels that are themselves uncertain.
# - Choose k with several guides: silhouette, BIC and stability under resampling. They agreed
#   on the simulated subtypes and disagreed on real cells, where several levels of detail exist.
# - Every clustering algorithm finds clusters in pure noise. Low stability exposes them; high
#   stability is necessary but not sufficient (a long cloud is cut the same way every time).
#
# ## Self-check quiz
# 1. A colleague shows a t-SNE map with five well-separated, colour-coded clusters of equal
#    size and concludes that the disease has five subtypes of equal prevalence. What two
#    objections do you raise?
# 2. What does an adjusted Rand index of 0 mean, and why can it not be computed on a real
#    cohort to validate new subtypes?
# 3. k-means with k = 3 on your data gives a silhouette of 0.25 and a mean stability ARI of
#    0.4 over subsamples of 80 %. What do you conclude?
# 4. Why can stability and the silhouette not tell you that the data contain no clusters at
#    all, and what can?
#
# <details><summary>Answers</summary>
#
# 1. The colours may come from the clustering itself, which makes any partition look clean
#    (part 2); and t-SNE does not preserve cluster sizes or distances, so equal-looking
#    clusters say nothing about prevalence (count the samples instead). Ask for stability and
#    for outside evidence (markers, outcomes, a second cohort).
# 2. No more agreement between two partitions than chance. It compares a clustering with a
#    known partition; in a real cohort the true subtypes are unknown, so the ARI can only
#    measure agreement with another method's labels (as with `pbmc`) or between clusterings
#    (stability).
# 3. Little structure: this is what k-means on pure noise gave in part 2 (0.233 and 0.394).
#    The three clusters are probably arbitrary cuts of a continuous cloud.
# 4. Both compare partitions into k >= 2 groups; neither is defined for a single cluster. A
#    Gaussian mixture's BIC can compare k = 1 with k = 2, 3, ...; plots along the main
#    directions (one hump or several) and outside evidence also help.
#
# </details>

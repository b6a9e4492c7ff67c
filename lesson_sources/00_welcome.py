# %% [markdown]
# # 00 · Welcome: how this series works, and a first look at the data
#
# This notebook checks that your environment works, explains how the series is
# organised, and takes you on a tour of the datasets the lessons use.
#
# ## Learning objectives
# - Check that every package the series needs is installed, with `bk.check_env()`.
# - Find a dataset in the catalogue and read its card: source, licence, target, sensitive attributes.
# - Tell real data from simulated data, and say why the series uses both.
# - Load a dataset and describe its size, target and missing values.
#
# ## Prerequisites
# - Basic Python (variables, functions, lists) and a first look at pandas DataFrames.
# - Nothing about machine learning yet.
#
# ## Estimated time
# 35 minutes: 15 teaching, 20 exercises (2, about 10 minutes each for someone new to pandas).
# For a first reading by a newcomer: the prose and quiz at about 120 words a minute, a minute
# per code cell to run it and read its output, and each exercise timed on its own.
#
# ## Datasets
# - `lung` (**real**: NCCTG lung cancer, 228 patients from 18 institutions).
# - `cohort` (**simulated**: a cardiovascular-style cohort whose true risks are known).
# - The catalogue of every dataset in the series (real and simulated).

# %% [markdown]
# ## How the series is organised
#
# The notebooks are numbered in a suggested order, in four parts:
#
# 1. **Foundations and the three paradigms**: the workflow (01), non-linear risk (02),
#    unsupervised discovery (03) and reinforcement learning (04).
# 2. **Data challenges**: missing data, high dimensionality, class imbalance, batch effects
#    and multi-site data, federated learning.
# 3. **Validation and translation**: the validation hierarchy, metrics beyond accuracy,
#    interpretability, fairness and privacy.
# 4. **Deep learning and the frontier**, and a capstone on your own data.
#
# Every notebook starts like this one (objectives, prerequisites, time, datasets) and ends
# with take-aways and a short quiz. Run the cells from top to bottom with **Shift+Enter**.
#
# **Exercises** come with solutions. Under each exercise you find an empty cell for your
# attempt, then a line **▸ Solution to exercise N**: the solution is folded under it. Running
# the notebook from top to bottom never runs a solution and never prints its answer. Try the
# exercise first; then click the line to open the solution's code, and copy it into your cell
# to run it. The fold is plain markdown, so it looks and works the same in JupyterLab,
# Jupyter Notebook 7, VS Code, Colab and on GitHub.
#
# **Explorers**: the interpretability and fairness lessons use interactive widgets. They run
# in JupyterLab, Jupyter Notebook 7, VS Code and marimo; sliders redraw in your browser without
# waiting for Python.
#
# **Binder**: the Binder badge in the README opens this series in your browser with nothing
# installed. A Binder session has about 2 GB of memory and is deleted after some minutes of
# inactivity: download any notebook you change (File > Download).

# %% [markdown]
# ## Is your environment ready?
#
# `bk.check_env()` prints the version of every key package, says whether PyTorch sees a GPU
# (no lesson needs one), and warns about any package that is missing or too old.

# %%
import biomedkit as bk

rows = bk.check_env()

# %% [markdown]
# Any line marked WARNING names the command that fixes it. The rest of the series assumes
# none are left.

# %% [markdown]
# ## The dataset catalogue
#
# Every dataset has a **card**: where it comes from, its licence, how to cite it, its target,
# its sensitive attributes, its natural missing values, and which lessons use it. The
# catalogue is a DataFrame of those cards.

# %%
catalog = bk.datasets.catalog()
catalog[["name", "kind", "title", "rows", "columns", "target", "sites"]]

# %% [markdown]
# **Real or simulated?** Real data (`kind == "real"`) ship inside pip packages, so they load
# without internet. Real data show what clinical data look like: small, messy, with missing
# values. But with real data we never know the truth: the true risk of a patient, or whether
# a subtype really exists.
#
# Simulated data come from biomedkit's simulators, which also return the truth. They let a
# lesson check a method against the right answer, for example whether a model recovered the
# true risk. Each lesson says which kind it is using.

# %%
catalog.groupby("kind")["name"].apply(list)

# %% [markdown]
# ## Loading a real dataset
#
# `bk.datasets.load(name)` returns an object with the table (`.frame`), the name of the
# target column (`.target`) and the card (`.card`). Its printed form summarises all three.

# %%
lung = bk.datasets.load("lung")
lung

# %%
lung.frame.head()

# %% [markdown]
# The card tells us what the columns mean and where the data come from: always read it
# before modelling.

# %%
for field in ("source", "citation", "license", "missing", "notes"):
    print(f"{field:>9}: {lung.card[field]}")

# %% [markdown]
# Real clinical data have gaps. Count the missing values per column: the lesson on missing
# data (05) starts from here.

# %%
lung.frame.isna().sum()

# %% [markdown]
# ## A simulated cohort with a known truth
#
# `bk.simulate.cohort` draws patients with cardiovascular risk factors and an event whose
# true probability we know, because we wrote the model. It returns the data and the truth.

# %%
cohort, truth = bk.simulate.cohort(n=2000, n_sites=3, random_state=0)
cohort

# %% [markdown]
# The truth object lists every term of the outcome model, including the non-linear terms and
# interactions that lesson 02 asks models to discover.

# %%
truth.terms

# %% [markdown]
# Because the true risk of every patient is known, we know the best AUC that *any* model
# could reach on this cohort: a ceiling to compare models against.

# %%
print(f"event rate: {cohort.y.mean():.3f}   mean true risk: {truth.risk.mean():.3f}")
print(f"AUC of the true risk (the ceiling): {truth.oracle_auc(cohort.y):.3f}")

# %% [markdown]
# ### Exercise 1: find the right dataset
#
# Using the catalogue, list the **real** datasets that have at least one sensitive attribute
# (the `sensitive` column holds a list). Which lesson would use them, and why does a fairness
# analysis need such a column?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 1
real = catalog[catalog["kind"] == "real"]
with_sensitive = real[real["sensitive"].map(len) > 0]
with_sensitive[["name", "sensitive", "lessons"]]
# A fairness analysis compares a model's errors between groups of patients:
# without a column that says who is in which group, it cannot be done.

# %% [markdown]
# ### Exercise 2: patients per institution
#
# The `lung` data come from several institutions (the `inst` column). How many institutions
# are there, and how many patients does the largest and the smallest have? Why might small
# institutions be a problem when we validate a model site by site?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 2
per_site = lung.frame["inst"].value_counts()
print(f"{per_site.size} institutions; largest {per_site.max()} patients, smallest {per_site.min()}")
print(f"patients without an institution: {lung.frame['inst'].isna().sum()}")
# With one or two patients, any performance measured at that site is pure chance:
# site-level results need confidence intervals, or small sites must be pooled.

# %% [markdown]
# ## Take-aways
# - `bk.check_env()` tells you whether your environment is ready, and how to fix it if not.
# - Every dataset has a card: read the source, licence, target and known problems first.
# - Real data show the mess of practice; simulated data come with the truth, so a lesson can
#   check a method against the right answer.
# - `bk.datasets.load(name)` gives `.frame`, `.target` and `.card`; simulators also give `.truth`.
#
# ## Self-check quiz
# 1. Why can a lesson on real data never tell you whether a model found the *true* risk?
# 2. Which attribute of a loaded dataset names the column to predict?
# 3. Where do you find the licence of a dataset and how to cite it?
#
# <details><summary>Answers</summary>
#
# 1. Because the true risk of a real patient is never observed: only the outcome is.
#    Simulations keep the truth.
# 2. `.target` (and `.y` returns that column).
# 3. In its card: `dataset.card["license"]` and `dataset.card["citation"]`, or in
#    `datasets/README.md`.
#
# </details>

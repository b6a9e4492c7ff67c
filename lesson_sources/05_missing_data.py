# %% [markdown]
# # 05 · Missing data: why values are missing, what filling them in does, and honest uncertainty
#
# Almost every clinical table has holes: a test that was not ordered, a questionnaire left
# blank, a patient who stopped coming to visits. What to do about them depends less on the
# software than on *why* the values are missing. This lesson first looks at missing values
# as they occur in real studies. It then removes values from complete real data on purpose,
# under three mechanisms, so that we keep the true values and can measure exactly what each
# remedy gets right and wrong: complete-case analysis, mean, nearest-neighbour and iterative
# imputation, multiple imputation with Rubin's rules. The last part turns to prediction:
# missingness as a feature, and the leak that comes from imputing before cross-validation.
#
# ## Learning objectives
# - Describe the missing values of a real table (counts, patterns, how the patients with gaps differ) and explain why the data can refute MCAR but never tell MAR from MNAR.
# - Define MCAR, MAR and MNAR, create each on complete data with `bk.missing.ampute`, and measure the bias of complete-case analysis against the known truth.
# - Compare mean, KNN and iterative imputation on bias and error, and explain why single imputation gives confidence intervals that are too narrow.
# - Run multiple imputation, pool the results with Rubin's rules, and check the coverage of the pooled intervals in repeated samples.
# - Use missingness indicators as features, and keep imputation inside the cross-validation folds (a pipeline), measuring the leak when it is not.
#
# ## Prerequisites
# - Lesson 01 (pipelines, cross-validation, the AUC, leakage).
# - Linear regression and the idea of a 95 % confidence interval.
#
# ## Estimated time
# 105 minutes: 60 teaching, 45 exercises (3, about 15 minutes each).
# Teaching includes the quiz. Timed for a first reading by a newcomer: the prose at about
# 120 words a minute, a minute per code cell to run it and read its output, and about 15
# minutes per exercise including its solution.
#
# ## Datasets
# - `lung` (**real**: NCCTG advanced lung cancer, 228 patients, natural missing values).
# - `actg175` (**real**: AIDS Clinical Trials Group study 175, 2,139 patients; the CD4 count
#   at week 96 is missing for those who left the study).
# - `nhefs` (**real**: NHANES I Epidemiologic Follow-up Study). We keep the 1,548
#   participants with both blood pressures recorded and remove values ourselves: the values
#   are real, the missingness is **simulated**, so the truth is known.
# - `breast_cancer` (**real**: 569 breast masses), again with **simulated** missingness, for
#   the prediction part.

# %% [markdown]
# ## Setting up
#
# The imports, in one place. scikit-learn's `IterativeImputer` is still marked experimental
# and needs its enabling import first. Every function that involves chance gets a seed, so a
# rerun prints the same numbers, and numpy works with one thread (faster for small data on
# the 2 cores of a Binder session).

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats
from sklearn.experimental import enable_iterative_imputer  # noqa: F401  (before IterativeImputer)
from sklearn.impute import IterativeImputer, KNNImputer, SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import RepeatedStratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

import biomedkit as bk

limits = threadpool_limits(1)
pd.set_option("display.float_format", "{:.3f}".format)

# %% [markdown]
# ## Part 1: missing values as they occur
#
# ## Step 1: how many, where, and in which patterns
#
# The `lung` data (lesson 10 will use them for prediction) have a few gaps. First, the count and
# share of missing values per column.

# %%
lung = bk.datasets.load("lung").frame
missing = lung.isna()
pd.DataFrame({"missing": missing.sum(), "share": missing.mean()}).query("missing > 0")

# %% [markdown]
# One patient in five is missing the calories eaten at meals (`meal.cal`, from a
# questionnaire); the weight lost in the previous six months is missing for 6 %. A picture of
# the whole table (one column of pixels per patient) shows whether the gaps cluster in some
# rows.

# %%
fig, ax = plt.subplots(figsize=(7, 3))
ax.imshow(missing.T, aspect="auto", interpolation="nearest", cmap="Greys")
ax.set(yticks=range(lung.shape[1]), yticklabels=lung.columns, xlabel="patient (row of the table)",
       title="Missing values in the lung data (black = missing)")
fig.tight_layout()

# %% [markdown]
# The **missingness patterns** say which combinations of columns are missing together, and
# how often. This matters for the analysis: a model loses every row that has a gap in any of
# the columns it uses (complete-case analysis, the default of most software).

# %%
patterns = missing.value_counts().rename("patients").reset_index()
patterns.insert(0, "missing columns", patterns[lung.columns].apply(
    lambda row: ", ".join(lung.columns[row.to_numpy()]) or "(none: complete)", axis=1))
patterns[["missing columns", "patients"]]

# %% [markdown]
# 167 of the 228 patients (73 %) are complete; most of the others lack only `meal.cal`. An
# analysis that uses `meal.cal` and simply drops incomplete rows loses over a quarter of the
# patients, though only 67 values of 2,280 are missing.
#
# ## Step 2: who is missing? Drop-out in a clinical trial
#
# ACTG 175 measured the CD4 count (a marker of the immune system in HIV) at entry (`cd40`),
# at week 20 (`cd420`) and at week 96 (`cd496`). By week 96, 37 % of the patients had left
# the study, and their `cd496` is missing. Compare the patients with and without a week-96
# value on what *was* observed for everyone:

# %%
actg = bk.datasets.load("actg175").frame
dropped_out = actg["cd496"].isna().rename("cd496 missing")
print(f"cd496 missing for {dropped_out.sum()} of {len(actg)} patients ({dropped_out.mean():.0%})")
actg.groupby(dropped_out)[["age", "karnof", "cd40", "cd420", "offtrt", "cens"]].mean().T

# %% [markdown]
# The patients who dropped out had stopped their treatment early far more often (64 % against
# 20 % for `offtrt`) and had lower CD4 counts at week 20 (354 against 381 cells/mm³). So the
# gaps are not a random sample of the patients, and the mean of the observed `cd496` values
# very probably overstates the mean CD4 count at week 96 of all patients.
#
# Rubin's three mechanisms name the possibilities:
#
# - **MCAR**, missing completely at random: whether a value is missing has nothing to do with
#   any value, observed or not (a sample tube dropped on the floor);
# - **MAR**, missing at random: it depends only on values that *are* observed (sicker patients
#   at week 20 drop out more often, and we have their week-20 count);
# - **MNAR**, missing not at random: it depends on the missing value itself, even given
#   everything observed (patients whose CD4 count has collapsed are too ill to come back).
#
# The table above **refutes MCAR** for `cd496`. But no table can tell MAR from MNAR, because
# that would require the values we do not have. That choice rests on knowledge of the study:
# why did patients leave? To see what each mechanism does, we now need data where we *do*
# know the missing values.

# %% [markdown]
# ## Part 2: missingness we make ourselves, with the truth kept
#
# ## Step 3: complete real data as the truth
#
# From NHEFS we keep the participants with both systolic (`sbp`) and diastolic (`dbp`) blood
# pressure, and their age, weight in 1971 (`wt71`, kg) and sex (1 = female). These 1,548 rows
# are our "population": every number computed on them is the **truth** that an analysis of
# incomplete data should recover.

# %%
nhefs = bk.datasets.load("nhefs").frame
bp = nhefs[["sbp", "dbp", "age", "wt71", "sex"]].dropna().astype(float).reset_index(drop=True)
print(f"{len(bp)} of {len(nhefs)} participants have both blood pressures")
bp.describe().T[["mean", "std", "min", "max"]]

# %% [markdown]
# Two quantities will be estimated throughout: the **mean systolic pressure**, and the
# **age coefficient** of a linear regression of systolic pressure on age, weight and sex (how
# many mmHg per year of age, at equal weight and sex). The function `ols` fits the regression
# by least squares with numpy and also returns the squared standard error, which Rubin's rules
# will need later.

# %%
COVARIATES = ["age", "wt71", "sex"]


def ols(frame):
    """Least squares of sbp on age, weight and sex: the age coefficient and its variance."""
    X = np.column_stack([np.ones(len(frame)), frame[COVARIATES].to_numpy(float)])
    y = frame["sbp"].to_numpy(float)
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ coef
    cov = resid @ resid / (len(y) - X.shape[1]) * np.linalg.inv(X.T @ X)
    return coef[1], cov[1, 1]


def estimates(frame):
    """The two quantities of interest and their squared standard errors."""
    age_coef, age_var = ols(frame)
    return {"mean sbp": frame["sbp"].mean(), "age coefficient": age_coef,
            "var mean sbp": frame["sbp"].var() / len(frame), "var age coefficient": age_var}


truth = estimates(bp)
print(f"truth: mean sbp {truth['mean sbp']:.2f} mmHg; "
      f"age coefficient {truth['age coefficient']:.3f} mmHg per year")

# %% [markdown]
# ## Step 4: three mechanisms on the same data
#
# `bk.missing.ampute(df, mechanism, rate=, columns=)` removes exactly `rate` of the values of
# each listed column and returns the incomplete copy and a mask (True where a value was
# removed). We remove 30 % of the systolic pressures:
#
# - **MCAR**: a random 30 %;
# - **MAR**: the columns of `df` that are not amputed drive the missingness; we pass only
#   `dbp` besides `sbp`, so participants with a high *diastolic* pressure (always observed)
#   lose their systolic value more often;
# - **MNAR**: participants with a high *systolic* pressure lose it more often: the missingness
#   depends on the very value that is gone.
#
# Because we kept the true values, we can compare the missing and the observed ones.

# %%
def ampute_sbp(frame, mechanism, rate=0.3, random_state=0):
    """Remove systolic pressures; under MAR the diastolic pressure drives the missingness."""
    amputed, mask = bk.missing.ampute(frame[["dbp", "sbp"]], mechanism, rate=rate,
                                      columns=["sbp"], random_state=random_state)
    return frame.assign(sbp=amputed["sbp"]), mask["sbp"]


MECHANISMS = ["MCAR", "MAR", "MNAR"]
rows = {}
for mechanism in MECHANISMS:
    amputed, mask = ampute_sbp(bp, mechanism)
    rows[mechanism] = {"true sbp of the missing": bp.loc[mask, "sbp"].mean(),
                       "sbp of the observed": bp.loc[~mask, "sbp"].mean(),
                       "dbp of the missing": bp.loc[mask, "dbp"].mean(),
                       "dbp of the observed": bp.loc[~mask, "dbp"].mean()}
pd.DataFrame(rows).T

# %% [markdown]
# Under MCAR the missing and observed values look alike. Under MAR and MNAR the missing
# systolic pressures are much higher (140 and 148 against 124 and 120 mmHg). The difference
# between the two: under MAR the diastolic pressures of the missing also differ a lot (88
# against 73), so the observed data carry a clue about what is missing; under MNAR the clue
# is weaker (84 against 75: only as much as dbp tracks sbp).
#
# ## Step 5: complete-case analysis against the truth
#
# The default of most software is to drop every row with a gap. We do that 20 times per
# mechanism (20 different random amputations) and average, so that no single lucky draw
# decides the conclusion.

# %%
def summarise(records, quantity):
    """A methods x mechanisms table of one quantity, averaged over the repetitions."""
    table = pd.DataFrame(records).groupby(["method", "mechanism"], sort=False)[quantity].mean()
    return table.unstack("mechanism")[MECHANISMS]


records = []
for mechanism in MECHANISMS:
    for seed in range(20):
        amputed, _ = ampute_sbp(bp, mechanism, random_state=seed)
        records.append({"method": "complete cases", "mechanism": mechanism,
                        **estimates(amputed.dropna())})
truth_row = pd.DataFrame({m: [truth["mean sbp"], truth["age coefficient"]] for m in MECHANISMS},
                         index=["truth: mean sbp", "truth: age coefficient"])
pd.concat([summarise(records, "mean sbp").rename(index=lambda i: f"{i}: mean sbp"),
           summarise(records, "age coefficient").rename(index=lambda i: f"{i}: age coefficient"),
           truth_row])

# %% [markdown]
# - **MCAR**: both estimates are right (on average); complete cases only lose precision.
# - **MAR**: the mean systolic pressure is 4.7 mmHg too low, because the high values are the
#   ones that went missing. The age coefficient is right (0.620 against 0.604, within the
#   noise of the 20 repetitions): missingness depends on diastolic pressure, which is nearly
#   unrelated to age, so dropping those rows leaves the age slope intact. Complete-case bias
#   depends on the question, not only on the mechanism.
# - **MNAR**: both are wrong. The age slope is roughly halved (0.324): cutting off the high
#   systolic values flattens the relation between age and pressure.

# %% [markdown]
# ## Step 6: single imputation, three ways
#
# Imputation fills each gap with a plausible value. Three common imputers from scikit-learn:
#
# - **mean**: every gap in a column gets that column's observed mean;
# - **KNN**: the mean of the 5 most similar participants (similar on the observed columns,
#   after standardising them so that kg and mmHg count alike);
# - **iterative**: each incomplete column is predicted from the others by a regression,
#   round after round (chained equations); here it predicts sbp from dbp, age, weight and sex.
#
# All three see the diastolic pressure, which the analysis model does not use: an
# **auxiliary variable** that helps to fill in sbp. For each mechanism, 10 amputations; we
# record the two estimates and the root-mean-square error of the imputed values against the
# true ones.

# %%
def impute(imputer, frame):
    """Fill the gaps with `imputer`, working on standardised columns (KNN needs a common scale)."""
    scaler = StandardScaler().fit(frame)
    filled = imputer.fit_transform(scaler.transform(frame))
    return pd.DataFrame(scaler.inverse_transform(filled), index=frame.index, columns=frame.columns)


IMPUTERS = {"mean": SimpleImputer(strategy="mean"),
            "KNN": KNNImputer(n_neighbors=5),
            "iterative": IterativeImputer(random_state=0)}
for mechanism in MECHANISMS:
    for seed in range(10):
        amputed, mask = ampute_sbp(bp, mechanism, random_state=seed)
        for name, imputer in IMPUTERS.items():
            filled = impute(imputer, amputed)
            error = filled.loc[mask, "sbp"] - bp.loc[mask, "sbp"]
            records.append({"method": f"{name} imputation", "mechanism": mechanism, **estimates(filled),
                            "RMSE of the imputed sbp": np.sqrt(np.mean(error ** 2))})
print("Mean sbp (truth {:.2f}):".format(truth["mean sbp"]))
summarise(records, "mean sbp")

# %%
print("Age coefficient (truth {:.3f}):".format(truth["age coefficient"]))
summarise(records, "age coefficient")

# %%
print("Error of the imputed values (mmHg):")
summarise(records, "RMSE of the imputed sbp").drop(index="complete cases")

# %% [markdown]
# What the three tables show:
#
# - **Mean imputation** leaves the mean exactly where complete cases put it (it adds values
#   equal to the observed mean), and it **damages the age coefficient even under MCAR**
#   (0.42 against 0.60), where complete cases were unbiased: 30 % of the participants get the
#   same pressure whatever their age, which flattens the slope. Here mean imputation is
#   worse than doing nothing.
# - **KNN and iterative imputation** use the diastolic pressure, so under MAR they pull the
#   mean most of the way back (126.9 and 127.7 against 124.0), and keep the age slope.
#   Iterative imputation has the smallest error throughout.
# - **Under MNAR nothing works**: every method leaves the mean 5 to 8 mmHg too low and the
#   slope far too flat. The information needed to fix it is in the missing values themselves.
# - Note, too, what is left under MAR: even iterative imputation is 1 mmHg short. Step 8
#   finds out why.
#
# One more problem is hidden in these tables. A filled-in table *looks* complete: any
# standard error computed on it treats the 464 guesses as if they were measurements. That
# makes intervals too narrow. Multiple imputation is the remedy.

# %% [markdown]
# ## Step 7: multiple imputation and Rubin's rules
#
# **Multiple imputation** fills the gaps several times (`m` copies), each time drawing the
# imputed values at random from their predictive distribution (prediction plus noise). The
# copies agree on the observed values and differ on the imputed ones; how much they differ
# is the uncertainty due to the missing data. Two sources of it must show: the scatter of
# each value around its prediction, and the uncertainty of the imputation model itself,
# whose regression coefficients are estimated from the data and would differ in another
# sample. An imputation that includes both is called **proper**.
#
# `bk.missing.multiple_imputation` makes each copy from its own **bootstrap sample** of the
# rows (drawn with replacement): scikit-learn's `IterativeImputer` with
# `sample_posterior=True` is fitted to that sample, then fills the gaps of the original
# table with random draws. Each copy therefore has its own regression coefficients, as
# another sample would give. Without the bootstrap, every copy would use nearly the same
# regression and add only independent noise to each value; the copies would differ too
# little, and the intervals of step 8 would be too narrow. We analyse each copy as if it
# were complete:

# %%
amputed, mask = ampute_sbp(bp, "MAR", random_state=0)
completed = bk.missing.multiple_imputation(amputed, m=10, random_state=0)
per_copy = pd.DataFrame([estimates(c) for c in completed])
per_copy.head()

# %% [markdown]
# **Rubin's rules** combine the `m` analyses: the pooled estimate is the mean of the `m`
# estimates; its variance is the mean of the `m` squared standard errors (the **within**
# variance, as if there were no missing data) plus (1 + 1/m) times the variance of the
# estimates across copies (the **between** variance, the price of the missing data).
# `bk.missing.pool` does this, with Barnard and Rubin's degrees of freedom when given the
# number of rows `n` and of estimated parameters `k` (4 in the regression); `fmi` is the
# fraction of missing information.

# %%
pooled = bk.missing.pool(per_copy[["mean sbp", "age coefficient"]],
                         per_copy[["var mean sbp", "var age coefficient"]].to_numpy(), n=len(bp), k=4)
pooled[["estimate", "within", "between", "se", "fmi", "ci_low", "ci_high"]]

# %% [markdown]
# The age coefficient is fine (0.572, interval 0.498 to 0.646, covering the truth 0.604). But
# the **interval for the mean misses the truth**: 126.503 to 128.582 mmHg, while the true mean
# is 128.70. Rubin's rules are correct, so the problem is upstream, in the imputations: they come
# from a *linear* regression of sbp on dbp, and the scatter plot below shows that the relation
# bends upwards at high diastolic pressures, exactly where most gaps are (MAR removed the
# high-dbp values). A straight line fitted mostly to the lower range under-predicts there.

# %%
observed = amputed.dropna()
bins = pd.cut(bp["dbp"], np.arange(45, 135, 5))
line = np.polyfit(observed["dbp"], observed["sbp"], 1)
fig, ax = plt.subplots(figsize=(6.5, 3.5))
ax.scatter(bp.loc[~mask, "dbp"], bp.loc[~mask, "sbp"], s=5, color="tab:blue", alpha=0.4, label="observed")
ax.scatter(bp.loc[mask, "dbp"], bp.loc[mask, "sbp"], s=5, color="tab:red", alpha=0.4,
           label="removed (MAR), true value")
ax.plot(bp.groupby(bins, observed=True)["dbp"].mean(), bp.groupby(bins, observed=True)["sbp"].mean(),
        "k-", lw=2, label="true mean sbp per 5 mmHg of dbp")
grid = np.linspace(45, 130, 50)
ax.plot(grid, np.polyval(line, grid), "k--", lw=1.5, label="straight line fitted to the observed")
ax.set(xlabel="diastolic pressure (mmHg)", ylabel="systolic pressure (mmHg)")
ax.legend(fontsize=7)
fig.tight_layout()

# %% [markdown]
# The fix is a better imputation model. Adding the square of the (centred) diastolic pressure
# as an extra column lets the chained regressions follow the curve. This is the general rule:
# **the imputation model must be at least as rich as the analysis, and include the variables
# that predict the missingness and the missing values.**
#
# ## Step 8: do the intervals cover the truth?
#
# A 95 % confidence interval should contain the true value in 95 % of studies. We can check
# that here: draw 100 studies of 400 participants each from the 1,548 (with replacement: the
# 1,548 play the part of the population), remove 30 % of the systolic pressures under MAR in
# each, estimate the mean systolic pressure four ways, and count how often the interval
# contains the true 128.70:
#
# - complete cases;
# - single (iterative) imputation, analysed as if complete;
# - multiple imputation, `m = 5`, linear imputation model;
# - multiple imputation, `m = 5`, with the squared diastolic pressure added.
#
# Only `sbp` has gaps, so one round of chained equations is enough (`max_iter=1`), which keeps
# the 100 studies fast.

# %%
def mean_with_ci(values_per_copy, n):
    """Pooled mean of sbp and its 95 % interval from one or more completed copies."""
    if len(values_per_copy) == 1:                # a single data set: the usual t interval
        values = values_per_copy[0]
        estimate, se, df = values.mean(), values.std(ddof=1) / np.sqrt(len(values)), len(values) - 1
    else:                                        # several imputations: Rubin's rules
        res = bk.missing.pool([v.mean() for v in values_per_copy],
                              [v.var(ddof=1) / len(v) for v in values_per_copy], n=n, k=1).iloc[0]
        estimate, se, df = res["estimate"], res["se"], res["df"]
    half = stats.t.ppf(0.975, df) * se
    return estimate, estimate - half, estimate + half


study_size = 400
coverage = []
for study in range(100):
    sample = bp.sample(study_size, replace=True, random_state=study).reset_index(drop=True)
    amputed, _ = ampute_sbp(sample, "MAR", random_state=study)
    squared = amputed.assign(dbp_sq=(amputed["dbp"] - amputed["dbp"].mean()) ** 2)
    results = {
        "complete cases": mean_with_ci([amputed["sbp"].dropna()], study_size),
        "single imputation": mean_with_ci([impute(IterativeImputer(random_state=0), amputed)["sbp"]], study_size),
        "MI, linear": mean_with_ci([c["sbp"] for c in bk.missing.multiple_imputation(
            amputed, m=5, max_iter=1, random_state=study)], study_size),
        "MI, with dbp squared": mean_with_ci([c["sbp"] for c in bk.missing.multiple_imputation(
            squared, m=5, max_iter=1, random_state=study)], study_size),
    }
    for method, (estimate, low, high) in results.items():
        coverage.append({"method": method, "estimate": estimate, "width": high - low,
                         "covers the truth": low <= truth["mean sbp"] <= high})
coverage = pd.DataFrame(coverage).groupby("method", sort=False).agg(
    mean_estimate=("estimate", "mean"), interval_width=("width", "mean"),
    coverage=("covers the truth", "mean"))
coverage["bias"] = coverage["mean_estimate"] - truth["mean sbp"]
coverage

# %% [markdown]
# Read the table row by row (coverage should be 95 %):
#
# - **Complete cases**: biased by almost 5 mmHg; the interval essentially never contains the
#   truth. An interval around the wrong number is worse than useless: it looks precise.
# - **Single imputation**: much less bias, but the **narrowest interval** of all (narrower
#   than the complete cases', although it has less information than a complete data set of
#   400): it treats guesses as measurements. Coverage well below 95 %.
# - **MI, linear**: wider, honest intervals, but the same bias as single imputation, so
#   coverage still falls short.
# - **MI with the squared term**: no bias to speak of (-0.096 mmHg) and a coverage of 0.990,
#   at least the 95 % promised. Its intervals are the widest (6.265 mmHg against 4.577 for
#   the linear imputation model): the curve is estimated mostly where dbp is low and must be
#   extended to the high-dbp participants whose values are missing, and because each copy is
#   imputed from its own bootstrap sample, that uncertainty of the imputation model enters
#   the interval. Rubin's rules give honest (here, if anything, cautious) uncertainty *when
#   the imputation model is right*.
#
# With 100 studies a coverage is itself uncertain by about ±4 percentage points: 0.990 says
# "at least 95 %", not "too wide"; telling 95 % from 90 % takes about 1,000 studies (the
# package's tests do that for `multiple_imputation`).

# %% [markdown]
# ## Part 3: missing values in prediction models
#
# ## Step 9: missingness as a feature
#
# For a prediction model, the goal is not an unbiased coefficient but good predictions for
# new patients, who will have gaps too. Here missingness itself can carry information: under
# MNAR, *that* a value is missing says something about the value. A **missingness
# indicator** (a 0/1 column per incomplete feature, `add_indicator=True` in scikit-learn's
# imputers) lets the model use it.
#
# We use six breast-cancer measurements, some strong (the worst concave points, the worst
# area) and some weak, and remove 40 % of the two strong ones, under MCAR and under MNAR (the
# largest values go missing). The score is the AUC of a logistic regression, by 5-fold
# cross-validation repeated twice, with every imputer inside the pipeline.

# %%
bc = bk.datasets.load("breast_cancer")
SIX = ["mean texture", "mean smoothness", "worst concave points", "worst area", "mean symmetry", "worst texture"]
X_bc, y_bc = bc.X[SIX], bc.y
cv = RepeatedStratifiedKFold(n_splits=5, n_repeats=2, random_state=0)


def cv_auc(model, X, y=y_bc):
    """Cross-validated AUC (5 folds, repeated twice)."""
    return cross_val_score(model, X, y, cv=cv, scoring="roc_auc").mean()


def logistic():
    return LogisticRegression(max_iter=1000)


print(f"AUC with no missing values: {cv_auc(make_pipeline(StandardScaler(), logistic()), X_bc):.3f}")

# %% [markdown]
# The iterative imputer stops after its default 10 rounds here and says so in a warning; the
# rounds that remain change the imputations too little to matter, so we silence that one
# message.

# %%
warnings.filterwarnings("ignore", message=r"\[IterativeImputer\] Early stopping")
MODELS = {
    "mean": make_pipeline(SimpleImputer(), StandardScaler(), logistic()),
    "mean + indicators": make_pipeline(SimpleImputer(add_indicator=True), StandardScaler(), logistic()),
    "KNN": make_pipeline(StandardScaler(), KNNImputer(), logistic()),
    "iterative": make_pipeline(StandardScaler(), IterativeImputer(random_state=0), logistic()),
    "iterative + indicators": make_pipeline(StandardScaler(), IterativeImputer(random_state=0, add_indicator=True),
                                            logistic()),
}


def amputed_bc(mechanism, seed):
    """The six measurements with 40 % of the two strong ones removed."""
    return bk.missing.ampute(X_bc, mechanism, rate=0.4, random_state=seed,
                             columns=["worst concave points", "worst area"])[0]


AMPUTATIONS = range(3)  # one amputation could favour one imputer by luck
auc_records = []
for mechanism in ("MCAR", "MNAR"):
    for seed in AMPUTATIONS:
        X = amputed_bc(mechanism, seed)
        auc_records += [{"mechanism": mechanism, "amputation": seed, "model": name, "AUC": cv_auc(model, X)}
                        for name, model in MODELS.items()]
auc_runs = pd.DataFrame(auc_records).pivot_table(index="model", columns=["mechanism", "amputation"],
                                                 values="AUC", sort=False)
aucs = auc_runs.T.groupby(level="mechanism").mean().T  # models x mechanisms, mean of the 3 amputations
pd.concat({"mean AUC": aucs, "SD over amputations": auc_runs.T.groupby(level="mechanism").std().T}, axis=1)

# %% [markdown]
# The imputers are compared on the same amputations and the same folds, so the fair
# comparison is **paired**: the difference in AUC between two imputers on each amputation,
# then the mean and range of those differences.

# %%
paired = pd.DataFrame({f"mean minus {other}": auc_runs.loc["mean"] - auc_runs.loc[other]
                       for other in ("KNN", "iterative")})
paired.groupby(level="mechanism").agg(["mean", "min", "max"])

# %% [markdown]
# - Under **MCAR** the simplest imputer is the best: mean imputation (0.972 on average over the
#   three amputations) beats KNN (0.957) and iterative imputation (0.968), and the paired
#   differences say it is no luck of one amputation: mean imputation is ahead of KNN in every
#   amputation (by 0.007 to 0.019) and of iterative imputation in every one too, though by
#   little (0.001 to 0.006). The spread between amputations (SD 0.001 to 0.007) is small next
#   to the gap with KNN, comparable to the gap with iterative imputation. The fancier imputers
#   reconstruct the missing values better, yet the predictions are no better: a model does not
#   need the true value, only enough to rank the patients, and the remaining features carry
#   most of it. The indicators add nothing, as they should when missingness is pure chance.
# - Under **MNAR** the order reverses (mean imputation behind KNN by 0.011 and behind
#   iterative imputation by 0.026 on average), and the indicators are worth far more than
#   any imputer: with them the AUC goes from 0.891 (mean) or 0.917 (iterative) to 0.978, as
#   high as with MCAR. "This value is missing" here means "this value is large", which is
#   what a malignant mass looks like.
#
# A warning with the indicators: they learn *why* values are missing **in this data set**.
# If a hospital later measures everyone, or its reasons for not measuring change, the
# indicators mean something else, and the model can fail there. Record the reason for
# missingness, and validate where the model will be used (lesson 10).

# %% [markdown]
# ## Step 10: impute inside the cross-validation, not before
#
# An imputer is fitted: it learns column means, neighbours or regressions from the rows it is
# given. If it is fitted on all the rows before cross-validation, the test folds have helped
# to impute the training folds. How much does that matter? We compare three ways on six
# *weak* breast-cancer measurements with half of the values missing completely at random:
#
# 1. the imputer inside the pipeline (refitted within each training fold): correct;
# 2. the imputer fitted on all the rows first, then cross-validation: a leak;
# 3. the imputer fitted on all the rows **with the diagnosis as an extra column**, then
#    cross-validation. Multiple imputation for *estimation* is rightly told to include the
#    outcome in the imputation model; for *prediction* it is a leak, because a new
#    patient's outcome is unknown when the model is used.

# %%
WEAK = ["mean texture", "mean smoothness", "mean symmetry", "mean fractal dimension",
        "texture error", "smoothness error"]
X_weak, _ = bk.missing.ampute(bc.X[WEAK], "MCAR", rate=0.5, random_state=0)
scaled = StandardScaler().fit_transform(X_weak)
imputed_first = IterativeImputer(random_state=0).fit_transform(scaled)
imputed_with_outcome = IterativeImputer(random_state=0).fit_transform(np.column_stack([scaled, y_bc]))[:, :-1]
pd.Series({
    "no missing values (reference)": cv_auc(make_pipeline(StandardScaler(), logistic()), bc.X[WEAK]),
    "1. imputer inside the pipeline": cv_auc(make_pipeline(StandardScaler(), IterativeImputer(random_state=0),
                                                           logistic()), X_weak),
    "2. imputer fitted on all rows first": cv_auc(logistic(), imputed_first),
    "3. ... and with the outcome": cv_auc(logistic(), imputed_with_outcome),
}, name="cross-validated AUC")

# %% [markdown]
# The honest estimate is 0.704, far below the 0.900 of the complete data: half the values are
# gone. Imputing before cross-validation adds about 0.01 (0.718): a real leak but a small one,
# because this imputer never sees the outcome. Adding the outcome to the imputation gives
# 0.999, better than with **no missing values at all**, which is impossible for a real model:
# the imputed values now encode the diagnosis. A pipeline (`make_pipeline(imputer, ...,
# model)`) makes the honest version the easy one.

# %% [markdown]
# ### Exercise 1: who was lost to follow-up in NHEFS?
#
# In the full `nhefs` table, the 1982 weight (`wt82`) is missing for participants lost to
# follow-up. Count them, and compare those with and without `wt82` on `age`, `sex`,
# `smokeintensity`, `wt71`, `qsmk` (whether they quit smoking between 1971 and 1982)
# and `death`. Is MCAR plausible? What would a complete-case analysis of the effect of
# quitting on weight gain risk?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 1
lost = nhefs["wt82"].isna().rename("wt82 missing")
print(f"{lost.sum()} of {len(nhefs)} participants lost to follow-up ({lost.mean():.1%})")
print(nhefs.groupby(lost)[["age", "sex", "smokeintensity", "wt71", "qsmk", "death"]].mean().T.round(3))
# Those lost were older (50 against 44), heavier (77 against 71 kg), more often men, more
# often quitters (40 % against 26 %) and far more often dead by 1992 (43 % against 19 %).
# MCAR is refuted. Because missingness depends on the treatment (qsmk) and on predictors of
# weight change (age, weight), dropping them can bias the estimated effect of quitting; the
# usual remedies are inverse-probability-of-censoring weights or multiple imputation using
# these variables (both assume MAR: that the observed variables explain who was lost).

# %% [markdown]
# ### Exercise 2: how many imputations?
#
# Using `amputed, mask = ampute_sbp(bp, "MAR", random_state=0)` with the squared diastolic
# pressure added (as in step 8), run `bk.missing.multiple_imputation` with `m` = 2, 5, 20 and
# 50 (`max_iter=1`), pool the mean systolic pressure with `mean_with_ci`, and print the
# estimate and interval for each `m`. Does the answer settle as `m` grows, and does the
# interval contain the truth?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 2
amputed, mask = ampute_sbp(bp, "MAR", random_state=0)
squared = amputed.assign(dbp_sq=(amputed["dbp"] - amputed["dbp"].mean()) ** 2)
for m in (2, 5, 20, 50):
    copies = bk.missing.multiple_imputation(squared, m=m, max_iter=1, random_state=1)
    estimate, low, high = mean_with_ci([c["sbp"] for c in copies], len(bp))
    print(f"m = {m:>2}: {estimate:.2f} mmHg, 95 % interval {low:.2f} to {high:.2f}")
print(f"truth: {truth['mean sbp']:.2f}")
# The estimate moves by 0.37 mmHg between m = 2 and m = 50 and settles from m = 20 on
# (128.49, then 128.51). The widths do not shrink steadily: with m = 2 the
# between-imputation variance is estimated from a single difference, which here happened to
# be small and gave the narrowest interval (127.16 to 129.11), by luck rather than
# precision; another seed could as well give the widest. From m = 20 on the estimate and the
# interval change little. Small m was the advice when computers were slow; today m = 20 or
# more costs seconds and makes the reported decimals reproducible. All four intervals
# contain the truth here.

# %% [markdown]
# ### Exercise 3: a model that handles gaps by itself
#
# scikit-learn's `HistGradientBoostingClassifier` accepts missing values directly: at each
# split, it learns whether the rows with a missing value go left or right. Score it with
# `cv_auc` (`random_state=0`) on the first MCAR and MNAR amputations of step 9
# (`amputed_bc("MCAR", 0)`, `amputed_bc("MNAR", 0)`), and compare with the best logistic
# pipelines on the same amputations (`auc_runs.xs(0, level="amputation", axis=1)`). Does the
# more flexible model make imputation and indicators unnecessary here?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 3
from sklearn.ensemble import HistGradientBoostingClassifier

boosting = {mechanism: cv_auc(HistGradientBoostingClassifier(random_state=0), amputed_bc(mechanism, 0))
            for mechanism in ("MCAR", "MNAR")}
first = auc_runs.xs(0, level="amputation", axis=1)  # the logistic pipelines on the same amputations
print(pd.concat([first.loc[["mean + indicators"]], pd.DataFrame(boosting, index=["gradient boosting (native)"])]))
# Gradient boosting handles the gaps without any imputer and uses the MNAR information (it
# sends the missing rows to the side of the large values), but with 569 masses it is slightly
# worse than a logistic regression with mean imputation and indicators under both mechanisms.
# A flexible model is not automatically better: on small tabular data the simple, well-set-up
# baseline often wins.

# %% [markdown]
# ## Take-aways
# - Start by describing the gaps: counts, patterns, and how patients with gaps differ on
#   what was observed. Data can refute MCAR; only knowledge of the study can argue for MAR
#   over MNAR.
# - Complete-case analysis is unbiased under MCAR and can be unbiased for some questions
#   under MAR (here the age slope), but not others (here the mean, 4.7 mmHg too low).
# - Mean imputation flattened the age slope even under MCAR, where doing nothing was
#   unbiased. KNN and iterative imputation use other variables and removed most of the MAR
#   bias. Nothing removed the MNAR bias.
# - Single imputation gives intervals that are too narrow. Proper multiple imputation (each
#   copy from its own bootstrap sample) with Rubin's rules gave coverage of at least 95 %,
#   but only once the imputation model followed the curve in the data.
# - In prediction under MCAR, mean imputation did slightly better than the fancier imputers
#   in every one of three amputations, missingness indicators
#   helped a lot under MNAR, and the imputer belongs inside the cross-validation pipeline,
#   never with the outcome among its inputs.
#
# ## Self-check quiz
# 1. A lab value is missing more often for patients seen at night, and the time of the visit
#    is recorded. Which mechanism is this, and what must the imputation model include?
# 2. Why can the comparison table of step 2 refute MCAR but not distinguish MAR from MNAR?
# 3. Single imputation with a good iterative imputer gives a nearly unbiased mean. Why is its
#    95 % interval still wrong?
# 4. A colleague imputes all missing values with `IterativeImputer` on the full table,
#    outcome column included, and then cross-validates a classifier. What will happen to the
#    AUC, and how do you fix it?
#
# <details><summary>Answers</summary>
#
# 1. MAR, if the missingness depends only on the (observed) time of the visit and not on the
#    value itself. The imputation model should include the visit time, even if the analysis
#    does not use it (an auxiliary variable), together with every variable of the analysis.
# 2. The table compares patients on values that were observed for everyone; a difference
#    shows that missingness depends on something, so it is not MCAR. MAR and MNAR differ in
#    whether missingness depends on the *unobserved* value itself given the observed ones,
#    and that cannot be checked without the unobserved values.
# 3. It treats the imputed values as if they had been measured, so the standard error ignores
#    the uncertainty of the imputations; the interval is too narrow (in step 8 narrower even
#    than the complete-case interval) and covers the truth less often than 95 %.
# 4. The AUC will be inflated, possibly above what complete data would give (0.999 in step 10
#    against 0.900), because the imputed values encode the outcome. Put the imputer inside a
#    pipeline, fitted within each training fold, and never give it the outcome.
#
# </details>

# %% [markdown]
# # 12 · Interpretability: what a model learned, and whether it should have
#
# A model with a high AUC has learned *something* that separates patients with and without
# the outcome. Whether that something is biology or an accident of how the data were
# collected, the AUC cannot say. Explanations can help: they tell us which inputs the model
# leans on, for all patients together and for one patient at a time. They can also mislead,
# when measurements are correlated, when an importance is computed on the training data, or
# when we read an association as a cause. This lesson uses real breast-biopsy measurements to
# show the pitfalls of feature importance, then a simulated cohort from three hospitals in
# which one hospital's sample tubes give the diagnosis away: an explorer widget exposes the
# shortcut, and per-site validation measures what it costs. It ends by asking whether a model
# we can read directly, a logistic regression with smooth curves, loses any accuracy against
# gradient boosting.
#
# ## Learning objectives
# - Compute permutation importance on held-out data with intervals, and explain how correlated features share (and hide) their importance.
# - Explain why impurity importance from a tree model misleads, using a column of random numbers that it ranks above real risk factors.
# - Read SHAP values globally (summary), for one patient (waterfall) and along one feature (dependence, partial dependence and ICE curves), and say what they do not show.
# - Use an explanation and per-site validation to expose a shortcut feature, and measure with intervals what removing it changes.
# - Compare an interpretable spline logistic regression with gradient boosting, reporting the AUC difference with its confidence interval.
#
# ## Prerequisites
# - Lesson 01 (train/test splits, the AUC) and lesson 02 (the simulated cohort, splines,
#   XGBoost, partial dependence).
# - Lesson 10 (validation at other sites) and lesson 11 (AUC intervals, DeLong's test).
#
# ## Estimated time
# 150 minutes: 65 teaching, 85 exercises (about 25, 25 and 35 minutes; exercise 3 fits four
# models). Plan two sessions: Parts 1 and 2, then Parts 3 and 4 with the exercises.
# For a first reading by a newcomer: the prose and quiz at about 120 words a minute, a minute
# per code cell to run it and read its output, five minutes per interactive explorer, and
# each exercise timed on its own (reading, writing the code, interpreting the result).
#
# ## Datasets
# - `breast_cancer` (**real**: 569 breast masses, 30 measurements of the cell nuclei in a
#   fine-needle aspirate, diagnosis malignant or benign) in Part 1.
# - `cohort` (**simulated**: 7,500 patients from three hospitals with known true risks; a
#   sample-tube marker was planted that gives the outcome away at the second hospital only)
#   in Parts 2 to 4 and the exercises.

# %% [markdown]
# ## Setting up
#
# Every function that involves chance gets a fixed seed, so a rerun prints the same numbers.
# `boosted()` is the gradient-boosting model of Parts 2 to 4: 200 trees of depth 3, with
# `enable_categorical=True` so that XGBoost takes the cohort's `group` column (A or B) as it
# is. Two small helpers print an AUC with its 95 % DeLong interval.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.special import expit, logit
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, SplineTransformer, StandardScaler
from xgboost import XGBClassifier

import biomedkit as bk

pd.set_option("display.float_format", "{:.3f}".format)  # tables show 3 decimals


def boosted():
    """A fresh XGBoost classifier (the black box of this lesson)."""
    return XGBClassifier(n_estimators=200, max_depth=3, learning_rate=0.05,
                         enable_categorical=True, n_jobs=1, random_state=0)


def auc_row(y, risk):
    """AUC with its 95 % DeLong interval, as a dictionary (one row of a table)."""
    result = bk.validation.auc_ci(y, risk)
    return {"n": result.n_pos + result.n_neg, "events": result.n_pos,
            "AUC": result.auc, "low": result.low, "high": result.high}


# %% [markdown]
# ## Part 1: feature importance on real data, and its pitfalls
#
# ### Step 1: a random forest for the breast-cancer data
#
# The `breast_cancer` data describe 569 breast masses by 30 measurements of the cell nuclei
# seen under the microscope: the mean, the standard error ("error") and the largest value
# ("worst") of ten properties such as radius, texture and concavity. We hold out 30 % of the
# masses and fit a random forest of 100 trees on the rest.

# %%
bc = bk.datasets.load("breast_cancer")
Xb_train, Xb_test, yb_train, yb_test = train_test_split(
    bc.X, bc.y, test_size=0.3, stratify=bc.y, random_state=0)
forest = RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=1).fit(Xb_train, yb_train)
print(f"{len(yb_test)} test masses ({yb_test.sum()} malignant); forest: "
      f"{bk.validation.auc_ci(yb_test, forest.predict_proba(Xb_test)[:, 1])}")

# %% [markdown]
# ### Step 2: permutation importance
#
# **Permutation importance** asks: if the values of one column were shuffled between the
# test masses, breaking its link with the diagnosis, how much would the AUC fall? A large
# drop means the model needs that column. It is computed on held-out data, so it measures
# what the model uses to predict *new* masses, not what it memorised. Each column is
# shuffled 10 times; the interval shows how much the drop varies between shuffles (it does
# not show how it would vary with another sample of patients).

# %%
perm = bk.explain.permutation_importance(forest, Xb_test, yb_test, n_repeats=10,
                                         random_state=0, n_jobs=1)
perm.head(8)

# %% [markdown]
# The largest drop is 0.005 in AUC, and most intervals reach down to 0. Read naively, no
# single measurement matters: the forest would barely notice if we shuffled the size of the
# nuclei. The reason is not that size is useless but that the data measure it many times
# over.
#
# ### Step 3: correlated features share their importance
#
# The radius, perimeter and area of a nucleus are three ways of measuring its size, and the
# "mean" and "worst" versions of each move together. Their correlations:

# %%
SIZE = ["mean radius", "mean perimeter", "mean area", "worst radius", "worst perimeter", "worst area"]
bc.X[SIZE].corr()

# %% [markdown]
# Every pair correlates at 0.94 or more. When one of them is shuffled, the other five still
# tell the forest how large the nuclei are, so the AUC hardly moves. Two checks show that
# this is what happens.
#
# **Refit without the twins.** Keep `worst area` and drop the five other size columns.
# If the importance of `worst area` was diluted by its twins, it must now rise.

# %%
alone = [c for c in bc.X.columns if c not in SIZE or c == "worst area"]
forest_alone = RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=1).fit(
    Xb_train[alone], yb_train)
perm_alone = bk.explain.permutation_importance(forest_alone, Xb_test[alone], yb_test,
                                               n_repeats=10, random_state=0, n_jobs=1)
pd.DataFrame({"with its five twins": perm.set_index("feature").loc["worst area"],
              "alone": perm_alone.set_index("feature").loc["worst area"]}).T

# %% [markdown]
# **Shuffle the group together.** Shuffling the six size columns *jointly* (the same
# permutation for all six, so that they stay consistent with each other but lose their link
# with the diagnosis) measures what the model owes to size as a whole.

# %%
def group_importance(model, X, y, columns, n_repeats=10, random_state=0):
    """Drop in AUC when ``columns`` are shuffled together, with their rows kept intact."""
    rng = np.random.default_rng(random_state)
    base = bk.validation.auc_ci(y, model.predict_proba(X)[:, 1]).auc
    drops = []
    for _ in range(n_repeats):
        shuffled = X.copy()
        shuffled[columns] = X[columns].to_numpy()[rng.permutation(len(X))]
        drops.append(base - bk.validation.auc_ci(y, model.predict_proba(shuffled)[:, 1]).auc)
    return np.mean(drops), np.std(drops, ddof=1)


mean, sd = group_importance(forest, Xb_test, yb_test, SIZE)
print(f"six size columns shuffled together: AUC drops by {mean:.3f} (sd {sd:.3f} over 10 shuffles); "
      f"the sum of their separate drops is {perm.set_index('feature').loc[SIZE, 'mean'].sum():.3f}")

# %% [markdown]
# Alone, `worst area` becomes by far the most important column of the refitted forest: its
# drop grows from 0.004 to 0.026. Shuffled together, the six size columns cost 0.169 in AUC,
# eight times the sum of their separate drops (0.020). Permutation importance answers "what
# is lost if *this column alone* is broken?", and with correlated columns the answer is
# "little, the twins cover for it". Before reading an importance ranking, look at the
# correlations, and shuffle or drop correlated groups together.
#
# ### Step 4: SHAP values, global and for one patient
#
# **SHAP values** split each prediction into one contribution per feature: the base value
# (the average prediction) plus the contributions gives the model's output for that mass.
# `bk.explain.explain` chooses the exact method for the model; for a random forest the
# contributions are on the probability scale. The **summary** plot shows every test mass as
# a dot in each feature's row: its position is the feature's contribution, its colour the
# feature's value (red high, blue low).

# %%
expl_bc = bk.explain.explain(forest, Xb_test)
print(expl_bc)
bk.explain.plot_summary(expl_bc, max_features=10)
plt.tight_layout()

# %% [markdown]
# Large nuclei with many concave points (red dots to the right) push towards malignancy. The
# ranking differs from the permutation ranking, and SHAP has the same weakness with twins:
# the forest used the six size columns more or less interchangeably, so each gets a share of
# their joint effect. Summed over the six, size accounts for the largest part:

# %%
importance_bc = expl_bc.importance().set_index("feature")
print(f"share of mean |SHAP| of the six size columns together: {importance_bc.loc[SIZE, 'share'].sum():.0%}; "
      f"largest single column: {importance_bc['share'].max():.0%} ({importance_bc['share'].idxmax()})")

# %% [markdown]
# A **waterfall** explains one mass. We take the test mass on which the forest is least sure
# (predicted probability closest to 0.5): the bars show which measurements pushed it towards
# malignant (orange) or benign (blue), starting from the base value at the bottom.

# %%
unsure = int(np.argmin(np.abs(expl_bc.prediction - 0.5)))
print(f"mass {Xb_test.index[unsure]}: predicted probability {expl_bc.prediction[unsure]:.2f}, "
      f"diagnosis {'malignant' if yb_test.iloc[unsure] else 'benign'}")
bk.explain.plot_waterfall(expl_bc, row=unsure, max_features=8)
plt.tight_layout()

# %% [markdown]
# The size measurements push this mass towards malignant; its concave points (few, for a
# malignant mass) and most of the 22 other features push towards benign, and the forest ends
# exactly on the fence. The mass was malignant. The waterfall describes the *model*, not the
# tumour: it says why the forest gave this mass its probability. A pathologist can check
# whether the reasons make sense, but a contribution is not a cause.

# %% [markdown]
# ## Part 2: a shortcut, exposed by the explanation
#
# ### Step 5: three hospitals pool their data
#
# Three hospitals pooled 7,500 patients to build a risk model for a cardiovascular event
# (the simulated cohort of lesson 02). Each record has the usual risk factors and one
# administrative column, `sample_tube`: which kind of tube the blood sample was drawn into
# (0 or 1). At the second hospital, the team drew blood into tube 1 for patients they already
# suspected of having the event, for an extra test; at the other hospitals the tube depends on
# nothing relevant. So at site 2 the tube gives the answer away. The simulator planted this
# on purpose and records it in `truth.leak`; pretend for now that you do not know.

# %%
data, truth = bk.simulate.cohort(n=7_500, n_sites=3, leaky_site="site_2", random_state=0)
frame = data.frame
print(truth.leak)
frame.groupby("site", observed=True).agg(patients=("event", "size"), event_rate=("event", "mean"))

# %% [markdown]
# The hospital itself is not a predictor (a model should work at any hospital), so the
# features are everything except `event` and `site`. We keep 40 % of the patients, 3,000, as
# a test set, stratified by outcome, and fit XGBoost on the other 4,500.

# %%
X, y, site = frame.drop(columns=["event", "site"]), frame["event"], frame["site"]
X_train, X_test, y_train, y_test, site_train, site_test, risk_train, risk_test = train_test_split(
    X, y, site, truth.risk, test_size=0.4, stratify=y, random_state=0)
model = boosted().fit(X_train, y_train)
p_test = model.predict_proba(X_test)[:, 1]
pd.DataFrame.from_dict({"XGBoost": auc_row(y_test, p_test),
                        "oracle (true risk)": auc_row(y_test, risk_test)}, orient="index")

# %% [markdown]
# The **oracle** predicts each patient's true risk, which the simulator knows: no model that
# predicts risk can beat it on average over many samples. On this sample XGBoost's AUC is the
# higher of the two (0.813 against 0.802). Is that more than chance? Two separate intervals
# that overlap are not a test (lesson 11): both AUCs come from the same 3,000 patients, so
# their errors are correlated. DeLong's paired test compares them on the same patients:

# %%
print("XGBoost minus oracle:", bk.validation.delong_test(y_test, p_test, risk_test))

# %% [markdown]
# The difference is +0.011 with a 95 % CI from -0.003 to +0.026: it includes 0, so on all
# 3,000 test patients the data do not show that XGBoost beats the oracle. A point estimate
# above the oracle's is not proof of anything: the oracle is the best only on average, and
# on one sample a model can come out ahead by chance. As Step 7 shows, a large gain at one
# hospital and losses at the two others nearly cancel out: on real data, where there is no
# oracle, the overall AUC would raise no alarm at all.
#
# ### Step 6: the explanation explorer
#
# The explorer shows the model's SHAP values for the 3,000 test patients: the global
# importance, a summary of every feature's effect, a list of patients sorted by predicted
# risk (search it by patient id), the chosen patient's waterfall, a dependence plot for any
# feature, and a what-if panel: change a value, press the button, and Python reruns the
# model on the changed patient. The summary plots redraw in the browser from a sample of 800
# patients; a patient's explanation and the what-if results come from Python. (Where widgets
# cannot run, a static picture is shown instead.)

# %%
expl = bk.explain.explain(model, X_test)
explorer = bk.widgets.ExplanationExplorer(expl, title="XGBoost on three hospitals, sample tube included")
explorer

# %% [markdown]
# The same numbers are available in Python. The global importance (mean |SHAP|, in
# log-odds) puts the sample tube at the top, above blood pressure and age:

# %%
expl.importance().head(6)

# %% [markdown]
# A tube cannot cause a heart attack. Pick a patient in the explorer and set
# `sample_tube` to the other value in the what-if panel; or, in Python, take the
# highest-risk patient of site 2 who had tube 1 and ask the explorer what the model says
# with tube 0 (`explorer.what_if` reruns the model on the changed row, exactly as the
# panel does):

# %%
site2_tube1 = np.flatnonzero((site_test == "site_2").to_numpy() & (X_test["sample_tube"] == 1).to_numpy())
position = int(site2_tube1[np.argmax(p_test[site2_tube1])])
changed = explorer.what_if(position, sample_tube=0)
print(f"patient {X_test.index[position]}: predicted risk {p_test[position]:.1%} with tube 1, "
      f"{expit(changed.prediction[0]):.1%} with tube 0 (true risk {risk_test[position]:.1%})")

# %% [markdown]
# The tube alone moved this patient's risk by almost 20 points, to a value close to the true
# risk.
#
# ### Step 7: where does the shortcut work?
#
# The dependence plot of `sample_tube` (the explorer draws it for the most important feature;
# choose any other in its menu) shows that tube 1 always pushes the log-odds up, by a third
# of a unit or more, and tube 0 always down, whatever the hospital: the model does not know the hospital,
# so it cannot know that the tube means something only at site 2. The event rate by
# hospital and tube shows where the association comes from: at site 2, 85 % of the patients
# with tube 1 had the event and under 2 % of the others; elsewhere the tube makes little
# difference.

# %%
frame.pivot_table(index="site", columns="sample_tube", values="event", aggfunc="mean", observed=True)

# %% [markdown]
# Validation by hospital measures the consequences. `site_table` computes the AUC with its
# interval at each site, for any set of predicted risks.

# %%
def site_table(risks):
    """AUC with a 95 % DeLong interval at each test site, for each set of predicted risks."""
    rows = {}
    for name, risk in risks.items():
        for s in site_test.cat.categories:
            here = (site_test == s).to_numpy()
            rows[(name, s)] = auc_row(y_test[here], np.asarray(risk)[here])
    return pd.DataFrame.from_dict(rows, orient="index")


site_table({"XGBoost with the tube": p_test, "oracle (true risk)": risk_test})

# %% [markdown]
# Again, the paired test on the same patients, at each site, says whether the model and the
# oracle really differ:

# %%
for s in site_test.cat.categories:
    here = (site_test == s).to_numpy()
    print(f"{s}, XGBoost minus oracle:",
          bk.validation.delong_test(y_test[here], p_test[here], risk_test[here]))

# %% [markdown]
# At site 2 the model's AUC (0.929) is above the oracle's (0.817) by +0.112 (95 % CI +0.088
# to +0.136): far more than chance. A model that beats the oracle by more than chance has
# found information that is not risk: something recorded *because* of the outcome. It reads
# the tube, not the patient. At sites 1 and 3 it is below the oracle, by -0.032 (0.768
# against 0.800) and by -0.080 (0.703 against 0.783), and both intervals exclude 0: there
# the tube is noise, but the model still adds its large effect to every patient who happened
# to get tube 1.
#
# ### Step 8: remove the shortcut and explain again
#
# Drop the column, refit the same model, and compare at each site.

# %%
Xc_train, Xc_test = X_train.drop(columns="sample_tube"), X_test.drop(columns="sample_tube")
clean = boosted().fit(Xc_train, y_train)
p_clean = clean.predict_proba(Xc_test)[:, 1]
site_table({"XGBoost with the tube": p_test, "XGBoost without": p_clean,
            "oracle (true risk)": risk_test})

# %% [markdown]
# Without the tube, the AUC at site 2 falls from 0.929 to 0.798, just below the oracle's
# 0.817: an honest number. At the two other hospitals it rises, from 0.768 to 0.794 and from
# 0.703 to 0.766. DeLong's test on the same patients says whether the gain there is larger
# than chance:

# %%
other = (site_test != "site_2").to_numpy()
print("sites 1 and 3, without vs with the tube:",
      bk.validation.delong_test(y_test[other], p_clean[other], p_test[other]))

# %% [markdown]
# The gain at sites 1 and 3 together is 0.044 (95 % CI 0.028 to 0.059): removing the
# shortcut made the model better wherever it was not cheating. The explanation of the clean
# model (static plots this time) ranks real risk factors at the top.

# %%
clean_expl = bk.explain.explain(clean, Xc_test)
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
bk.explain.plot_importance(expl, max_features=8, ax=axes[0])
axes[0].set_title("with the sample tube")
bk.explain.plot_importance(clean_expl, max_features=8, ax=axes[1])
axes[1].set_title("without it")
fig.tight_layout()

# %% [markdown]
# Three things to retain from this part. The explanation flagged the shortcut because we knew
# that a tube should not matter: explanations need domain knowledge to be read. The model's
# overall test AUC was no warning sign: the leak made the model look better. And only
# validation by site measured the damage; the pooled test AUC mixed the hospitals and hid
# it.

# %% [markdown]
# ## Part 3: reading the model when the truth is known
#
# ### Step 9: impurity importance, a cautionary contrast
#
# Tree models report an importance of their own (`feature_importances_` in scikit-learn):
# how much each feature reduced the impurity of the training data over all splits. It comes
# free with the fit, and it is the number most often printed in papers. It is computed on the
# **training** data, and it favours features with many distinct values, which offer many
# split points to choose from. To see this, add a column of random numbers, `noise_lab`, to
# the clean cohort features and fit a random forest. (`group` is coded 0/1, since a
# scikit-learn forest needs numbers.)

# %%
rng = np.random.default_rng(0)
Xr_train = Xc_train.assign(group=(Xc_train["group"] == "B").astype(int),
                           noise_lab=rng.normal(size=len(Xc_train)).round(2))
Xr_test = Xc_test.assign(group=(Xc_test["group"] == "B").astype(int),
                         noise_lab=rng.normal(size=len(Xc_test)).round(2))
forest_cohort = RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=1).fit(Xr_train, y_train)
impurity = bk.explain.impurity_importance(forest_cohort).set_index("feature")["importance"]
permutation = bk.explain.permutation_importance(forest_cohort, Xr_test, y_test, n_repeats=5,
                                                random_state=0, n_jobs=1).set_index("feature")
comparison = pd.DataFrame({"impurity (training data)": impurity,
                           "impurity rank": impurity.rank(ascending=False).astype(int),
                           "permutation (test AUC drop)": permutation["mean"],
                           "permutation rank": permutation["mean"].rank(ascending=False).astype(int)})
comparison.sort_values("impurity rank")

# %% [markdown]
# Impurity importance ranks the random numbers 7th of 12, level with kidney function (eGFR),
# above total cholesterol, and four to six times above three binary risk factors with real
# effects in the truth: diabetes, sex and smoking. A binary feature can be split only once
# per branch; a column of random numbers can be split again and again to fit the training
# noise of deep trees. On the test set, shuffling `noise_lab` costs nothing (its
# permutation importance is zero or slightly negative), and the binary risk factors matter.
# Impurity importance is shown here only as a warning: prefer permutation importance on
# held-out data, or mean |SHAP|.
#
# ### Step 10: dependence plots
#
# The simulator's truth has a U-shaped effect of BMI, a risk that climbs faster after 65,
# and an interaction: smoking adds less risk in older patients (`truth.terms` lists every
# term). A SHAP **dependence plot** shows a feature's contribution against its value for
# every test patient; a vertical spread at one value means the contribution depends on
# other features, and colouring by a second feature shows which.

# %%
shown = ["age", "age_over_65", "smoker", "bmi_u_shape", "smoker_x_age"]
print(truth.terms.loc[truth.terms.term.isin(shown), ["term", "coefficient", "formula"]].to_string(index=False))
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
bk.explain.plot_dependence(clean_expl, "bmi", color_by=None, ax=axes[0])
bk.explain.plot_dependence(clean_expl, "age", color_by="smoker", ax=axes[1])
fig.tight_layout()

# %% [markdown]
# The boosted model found the right arm of the BMI U (as a staircase, since trees cut values
# into steps) but only a hint of the left one, where few patients lie. Age is flat below
# about 55 and rises steeply after; the truth rises steadily in the log-odds, and part of
# the age effect may have gone to blood pressure, which rises with age. Coloured by smoking,
# the age panel shows little separation: the model learned little of the smoking-by-age
# interaction (Step 12 comes back to this).
#
# ### Step 11: partial dependence and ICE curves
#
# **Partial dependence** sets age to the same value for every patient, averages the
# predicted risk, and repeats along a grid of ages. Each thin grey line is an **ICE curve**
# (individual conditional expectation): one patient's predicted risk as only their age
# changes. The average hides how different the individual curves are.

# %%
curves = bk.explain.partial_dependence(clean, Xc_test, "age", max_rows=500, random_state=0)
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
bk.explain.plot_partial_dependence(curves, ax=axes[0])
bk.explain.plot_partial_dependence(curves, centered=True, ax=axes[1])
axes[1].set_title("ICE curves started at 0 (c-ICE)")
fig.tight_layout()

# %% [markdown]
# On the probability scale the curves fan out: the same ten years add much more risk to a
# patient whose risk was already high. Started at 0 (right), they show whose risk rises most
# with age, from 41 to 75 (the 5th to 95th percentile). Split by smoking, the mean of the
# ICE curves at both ends of the grid:

# %%
ice = curves.individual.groupby("row")["prediction"]
smoking = Xc_test.loc[ice.first().index, "smoker"].map({0: "non-smokers", 1: "smokers"})
youngest, oldest = curves.average["value"].iloc[[0, -1]]
ends = pd.DataFrame({"patients": smoking.value_counts(),
                     f"risk at {youngest:.0f}": ice.first().groupby(smoking).mean(),
                     f"risk at {oldest:.0f}": ice.last().groupby(smoking).mean()})
ends.assign(rise=ends.iloc[:, 2] - ends.iloc[:, 1])

# %% [markdown]
# Smokers start higher (0.097 against 0.078 at 41) and end level with non-smokers (0.234
# against 0.239 at 75), so their predicted risk rises less with age, in line with the truth,
# where smoking adds less in older patients. (On the probability scale, a group that starts
# higher would rise *more* if age acted the same for everybody.)
#
# Partial dependence has a trap of its own: it sets age to 41 for a 75-year-old while keeping
# their blood pressure, which rises with age. With correlated features it averages over
# patients who do not exist.
#
# ### Step 12: interaction values, and what they get wrong
#
# SHAP **interaction values** split each contribution further, into a main effect and one
# term for each pair of features. Ranking the pairs by the mean size of their interaction
# should find the two interactions in the truth: smoking by age and diabetes by blood
# pressure.

# %%
interactions = bk.explain.interaction_values(clean, Xc_test, max_rows=1_000, random_state=0)
pairs = interactions.pairs()
TRUE_PAIRS = [{"age", "smoker"}, {"diabetes", "sbp"}]
pairs["in the truth"] = [{a, b} in TRUE_PAIRS for a, b in zip(pairs.feature_a, pairs.feature_b)]
pairs["rank"] = np.arange(1, len(pairs) + 1)
pd.concat([pairs.head(5), pairs[pairs["in the truth"]]]).drop_duplicates()

# %% [markdown]
# This method does not pass the test. Diabetes by blood pressure is found (2nd), but the top
# pair, blood pressure by HDL cholesterol, does not exist in the truth, and smoking by age
# ranks 23rd of 55. Boosted trees of depth 3 combine features in every tree, so
# interaction values are full of small interactions that merely help the trees approximate
# curves, and 4,500 patients do not pin down a weak real one. Read interaction values as
# hypotheses to check, not as findings.

# %% [markdown]
# ## Part 4: a model you can read, and what it costs
#
# ### Step 13: splines and a logistic regression
#
# A black box needs explanations; an additive model *is* its explanation. The model below
# expands each continuous variable into smooth spline pieces (`SplineTransformer`), codes
# `group` as 0/1 and fits a logistic regression: a GAM-like model whose prediction is a sum
# of one curve per feature. Its penalty `C` is chosen by 3-fold cross-validation on the
# training set only.

# %%
CONTINUOUS = ["age", "sbp", "total_chol", "hdl", "bmi", "egfr", "crp"]
spline_model = make_pipeline(
    ColumnTransformer([("splines", SplineTransformer(n_knots=5, knots="quantile"), CONTINUOUS),
                       ("group", OneHotEncoder(drop="first"), ["group"])], remainder="passthrough"),
    StandardScaler(), LogisticRegression(max_iter=2_000))
search = GridSearchCV(spline_model, {"logisticregression__C": [0.003, 0.01, 0.03, 0.1, 0.3, 1.0]},
                      cv=3, scoring="neg_log_loss").fit(Xc_train, y_train)
spline_model = search.best_estimator_
p_spline = spline_model.predict_proba(Xc_test)[:, 1]
print(f"C = {search.best_params_['logisticregression__C']}")
pd.DataFrame.from_dict({"splines + logistic regression": auc_row(y_test, p_spline),
                        "XGBoost (without the tube)": auc_row(y_test, p_clean),
                        "oracle (true risk)": auc_row(y_test, risk_test)}, orient="index")

# %% [markdown]
# Cross-validation chose a strong penalty (`C` = 0.01; 0.003 was worse). The two models
# reach almost the same AUC, both a little below the oracle, and the readable model is even
# ahead by 0.005. Is the difference real? DeLong's test compares them on the same 3,000
# patients:

# %%
print("XGBoost minus splines:", bk.validation.delong_test(y_test, p_clean, p_spline))

# %% [markdown]
# The interval includes 0: on these data, the readable model costs no measurable accuracy.
# The same comparison on the real breast-cancer data, a scaled logistic regression against the
# forest of Part 1:

# %%
logistic_bc = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2_000)).fit(Xb_train, yb_train)
print("forest minus logistic regression:",
      bk.validation.delong_test(yb_test, forest.predict_proba(Xb_test)[:, 1],
                                logistic_bc.predict_proba(Xb_test)[:, 1]))

# %% [markdown]
# The logistic regression is ahead by 0.011 in AUC, and again the interval includes 0: no
# measurable difference. This is common on tabular clinical data with a few dozen
# variables; gradient boosting tends to pay off with many interacting variables and large
# samples. The honest approach is the one used here: fit both, compare with intervals, and
# choose the readable model unless the black box wins by a margin that matters.
#
# ### Step 14: the spline model's curves against the truth
#
# Because the spline model adds one curve per feature, each curve can be drawn exactly:
# vary one feature for a reference patient and read the change in log-odds. The simulator's
# true log-odds (`truth.predict_risk`) give the curve the model should have found. The
# reference patient is a 60-year-old non-smoking man from group A with median values
# elsewhere.

# %%
reference = Xc_test.median(numeric_only=True).to_frame().T.assign(
    age=60.0, female=0, smoker=0, diabetes=0,
    group=pd.Categorical(["A"], categories=Xc_test["group"].cat.categories))[Xc_test.columns]
fig, axes = plt.subplots(1, 4, figsize=(15, 3.5))
for ax, feature in zip(axes, ["age", "bmi", "egfr", "crp"]):
    grid = np.linspace(*Xc_test[feature].quantile([0.02, 0.98]), 50)
    patients = pd.concat([reference] * len(grid), ignore_index=True).assign(**{feature: grid})
    model_curve = logit(spline_model.predict_proba(patients)[:, 1])
    true_curve = logit(truth.predict_risk(patients))
    model_at_reference = logit(spline_model.predict_proba(reference)[0, 1])
    truth_at_reference = logit(truth.predict_risk(reference)[0])
    ax.plot(grid, model_curve - model_at_reference, label="splines + logistic regression")
    ax.plot(grid, true_curve - truth_at_reference, "k--", label="truth")
    ax.set(xlabel=feature, title=feature)
axes[0].set_ylabel("change in log-odds")
axes[0].legend(fontsize="small")
fig.tight_layout()

# %% [markdown]
# Where most patients lie, the curves have the right shapes: the rise with age, the right
# arm of the BMI U, the logarithmic effect of CRP. The strong penalty flattens them at the
# edges: the young get too much risk, the left arm of the U is missing, and the sharp kink of
# eGFR at 60 becomes a gentle slope that goes on to 90. The age curve is also an average over
# smokers and non-smokers, since an additive model has no smoking-by-age interaction. These
# faults are in plain view, which is the point: a clinician can see them and argue with them,
# where the black box would need its explanations to be trusted first.

# %% [markdown]
# ### Exercise 1: who gains most from stopping smoking, according to the model?
#
# Use the clean model (`clean`, explained in `clean_expl`). Among the smokers of the test
# set, find the patient whose predicted risk falls most when `smoker` is set to 0. (Hint:
# `clean.predict_proba(Xc_test.assign(smoker=0))` does every patient at once; confirm the
# winner with `clean_expl.what_if(position, smoker=0)`, which also explains the new
# prediction.) Compare the model's change with the true change, which the simulator gives:
# `truth.predict_risk` on the patient's row with and without smoking. Is the model's
# what-if a causal effect?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 1
smokers = np.flatnonzero(Xc_test["smoker"].to_numpy() == 1)
drop = p_clean - clean.predict_proba(Xc_test.assign(smoker=0))[:, 1]
best = int(smokers[np.argmax(drop[smokers])])
quit_expl = clean_expl.what_if(best, smoker=0)
row = Xc_test.iloc[[best]]
true_before, true_after = truth.predict_risk(row)[0], truth.predict_risk(row.assign(smoker=0))[0]
print(f"patient {Xc_test.index[best]} (age {row['age'].iloc[0]:.0f}): model {p_clean[best]:.1%} -> "
      f"{expit(quit_expl.prediction[0]):.1%}; "
      f"truth {true_before:.1%} -> {true_after:.1%}")
true_drop = truth.predict_risk(Xc_test.iloc[smokers]) - truth.predict_risk(Xc_test.iloc[smokers].assign(smoker=0))
print(f"smokers: mean predicted drop {drop[smokers].mean():.1%}, mean true drop {true_drop.mean():.1%}")
# The model's largest drop (about 23 points, for a 45-year-old smoker) is twice the true one
# (about 13 points): picking the patient with the largest predicted change also picks the
# model's largest errors. Over all smokers the model's drop is half the true one (3.1 against
# 6.2 points). Even in a simulator where smoking truly causes risk and nothing else differs
# between smokers and non-smokers, a what-if tells how the model's output moves, not how the
# patient's risk would. In real data it is a causal question (lesson 20), since smokers
# differ from non-smokers in many unrecorded ways.

# %% [markdown]
# ### Exercise 2: a twin for blood pressure
#
# Add a second blood-pressure reading to the clean cohort features, `sbp_repeat = sbp +`
# noise with a standard deviation of 5 mmHg (use `np.random.default_rng(1)`), for the
# training and the test patients. Refit `boosted()` with and without it and compare the
# permutation importance of `sbp` (`n_repeats=10, random_state=0`). What happens to it, and
# where did its importance go?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 2
twin_rng = np.random.default_rng(1)
X_twin_train = Xc_train.assign(sbp_repeat=Xc_train["sbp"] + twin_rng.normal(0, 5, len(Xc_train)))
X_twin_test = Xc_test.assign(sbp_repeat=Xc_test["sbp"] + twin_rng.normal(0, 5, len(Xc_test)))
print(f"correlation of the two readings: {X_twin_test['sbp'].corr(X_twin_test['sbp_repeat']):.2f}")
twin_tables = {}
for name, columns in (("without the twin", list(Xc_train.columns)), ("with the twin", list(X_twin_train.columns))):
    fitted = boosted().fit(X_twin_train[columns], y_train)
    table = bk.explain.permutation_importance(fitted, X_twin_test[columns], y_test, n_repeats=10,
                                              random_state=0, n_jobs=1).set_index("feature")
    twin_tables[name] = table.reindex(["sbp", "sbp_repeat", "age"])["mean"]
pd.DataFrame(twin_tables)
# With its twin present, sbp loses half its importance (0.045 to 0.022), and the twin gets
# 0.011: the model uses both readings, and shuffling one leaves the other to carry much of
# the blood-pressure signal. Even added up (0.033), the two look less important than sbp
# alone; age, which has no twin, does not move. A ranking of single columns would wrongly
# suggest that blood pressure matters less than before.

# %% [markdown]
# ### Exercise 3: how strong must a shortcut be to stand out?
#
# The marker of Part 2 copied the outcome for 90 % of site 2's patients (`marker_leak=0.9`).
# Simulate the same cohort (`random_state=0`) with `marker_leak` `0.1`, `0.2`, `0.3` and
# `0.5`, split it exactly as in Step 5 (same `test_size`, `stratify` and `random_state`),
# fit `boosted()` with the tube, and record for each: the rank of `sample_tube` by mean
# |SHAP|, the AUC at site 2 next to the oracle's (with DeLong's paired test), and the AUC at
# sites 1 and 3 together. Would the explanation
# alone have caught a weak leak? What would?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 3
results = []
for leak in [0.1, 0.2, 0.3, 0.5]:
    d, t = bk.simulate.cohort(n=7_500, n_sites=3, leaky_site="site_2", marker_leak=leak, random_state=0)
    f = d.frame
    Xl_train, Xl_test, yl_train, yl_test, s_train, s_test, _, r_test = train_test_split(
        f.drop(columns=["event", "site"]), f["event"], f["site"], t.risk, test_size=0.4,
        stratify=f["event"], random_state=0)
    leaky_model = boosted().fit(Xl_train, yl_train)
    ranking = list(bk.explain.explain(leaky_model, Xl_test).importance()["feature"])
    p = leaky_model.predict_proba(Xl_test)[:, 1]
    at2 = (s_test == "site_2").to_numpy()
    paired = bk.validation.delong_test(yl_test[at2], p[at2], r_test[at2])  # same patients
    results.append({"marker_leak": leak, "rank of sample_tube": ranking.index("sample_tube") + 1,
                    "AUC site 2": paired.auc_a, "oracle site 2": paired.auc_b,
                    "site 2 minus oracle": paired.difference, "low": paired.low, "high": paired.high,
                    "AUC sites 1 and 3": bk.validation.auc_ci(yl_test[~at2], p[~at2]).auc,
                    "oracle sites 1 and 3": bk.validation.auc_ci(yl_test[~at2], r_test[~at2]).auc})
pd.DataFrame(results)
# Up to a leak of 0.3 the tube ranks only 8th to 12th of 12 and the site-2 AUC is not above
# the oracle's (paired DeLong intervals below 0 or around it): neither the explanation nor
# "too good to be true" gives it away, while the AUC at the other sites slips from 0.780 (the
# model without the tube, Step 8) to 0.772. At 0.5 the site-2 AUC is above the oracle's by
# more than chance (+0.023, 95 % CI +0.005 to +0.040), yet the tube still ranks only 7th, and
# on real data there is no oracle to compare with. What catches a weak
# leak is asking of every column whether it could have been recorded *because* of the
# outcome (when and by whom it was recorded), and checking each suspect's association with
# the outcome site by site, as in Step 7.

# %% [markdown]
# ## Take-aways
# - Permutation importance on held-out data measures what a model needs, but correlated
#   columns cover for each other: the six size measurements of the breast masses each looked
#   almost useless, and shuffled together they cost far more. Check correlations, and drop or
#   shuffle correlated groups together.
# - Impurity importance is computed on the training data and favours features with many
#   values: a column of random numbers outranked three real binary risk factors. Use it only
#   as a warning.
# - SHAP values explain a model globally (summary) and for one patient (waterfall); they
#   describe the model, not the biology, and they also split credit between twins. A what-if
#   moves the model's output, not the patient's risk.
# - A shortcut can raise the AUC above what the true risk allows. The explanation ranked the
#   sample tube first; validation by site showed the model too good at one hospital (0.929
#   against an oracle of 0.817, +0.112 by DeLong's paired test) and worse at the others;
#   dropping the tube gave honest numbers at every site and gained 0.044 in AUC where the tube
#   was noise. A weak shortcut hides in the middle of the ranking, and a pooled AUC above the
#   oracle's can be chance: test it, paired.
# - Dependence, partial dependence and ICE plots show shapes; interaction values ranked a
#   pair that does not exist above a real one. Treat them as hypotheses.
# - A spline logistic regression matched gradient boosting within a DeLong interval here, and
#   its curves are its explanation. Measure the trade-off before assuming one.
#
# ## Self-check quiz
# 1. A paper reports that "mean radius" has a permutation importance of almost zero and
#    concludes that tumour size does not matter. What should you check first?
# 2. Why can a column of random numbers get a non-zero impurity importance, and why does its
#    permutation importance on a test set stay near zero?
# 3. A model's test AUC is higher than the AUC of the true risk, and the two 95 % intervals
#    overlap. What does that tell you, and how do you find out more?
# 4. The explorer's what-if panel shows that a patient's risk falls from 30 % to 20 % when
#    `smoker` is set to 0. What may you tell the patient?
#
# <details><summary>Answers</summary>
#
# 1. Whether correlated columns (perimeter, area, the "worst" versions) are in the model: they
#    carry the same information, so shuffling one column costs little. Shuffle the size
#    columns together, or refit with one of them, before concluding anything.
# 2. Impurity importance adds up how much each split reduced impurity on the training data;
#    deep trees split on random numbers to fit noise in the training data, and a continuous
#    column offers many split points. On new patients those splits carry no information,
#    so shuffling the column does not change the AUC.
# 3. On its own, nothing: the true risk has the best AUC only on average, so on one sample a
#    model can come out ahead by chance, and overlapping separate intervals are not a test.
#    Compare the two on the same patients with DeLong's paired test
#    (`bk.validation.delong_test(y, model_risk, true_risk)`). If the model is ahead by more
#    than chance, as at site 2 in Step 7, it uses information that is not risk: something
#    recorded because of the outcome (a leak or shortcut), or an error such as test patients
#    in the training data. Look for it with explanations and validation by site (pooled data
#    can hide it, as in Step 5) before trusting the number.
# 4. Only that the model's output moves by that much. Whether stopping smoking would lower
#    this patient's risk by ten points is a causal question that the model does not answer;
#    in real data smokers differ from non-smokers in many ways the model cannot separate.
#
# </details>

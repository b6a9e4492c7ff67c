# %% [markdown]
# # 01 · The machine-learning workflow: diagnosing breast cancer from biopsy measurements
#
# A fine-needle aspirate takes a few cells from a breast mass; an image of those cells gives
# measurements of their nuclei. Can a model tell a malignant mass from a benign one using
# those measurements? This notebook answers that question with the workflow that every
# later lesson reuses: hold out a test set, start from a baseline, compare models with
# cross-validation, avoid leakage, and evaluate once at the end with the numbers a clinician
# cares about.
#
# ## Learning objectives
# - Split data into a stratified training set and test set, and explain why the test set is used only once.
# - Compare models against a dummy baseline with stratified cross-validation, using scikit-learn pipelines, and report mean ± standard deviation.
# - Recognise data leakage (preprocessing on all data, duplicated patients, feature selection before the split) and measure how much it inflates a score.
# - Compute sensitivity and specificity from a confusion matrix, and explain how the decision threshold trades one for the other.
#
# ## Prerequisites
# - Lesson 00 (loading a dataset and reading its card).
# - Basic pandas: selecting columns, `value_counts`, `mean`.
# - No machine learning yet: this lesson introduces the terms it uses.
#
# ## Estimated time
# 90 minutes: 45 teaching, 45 exercises (3, about 15 minutes each).
# Teaching includes the quiz. Timed for a first reading by a newcomer: the prose at about
# 120 words a minute, a minute per code cell to run it and read its output, and about 15
# minutes per exercise including its solution.
#
# ## Datasets
# - `breast_cancer` (**real**: Breast cancer Wisconsin (diagnostic), 569 breast masses with
#   30 measurements of cell nuclei each; Street, Wolberg and Mangasarian, 1993).
# - Near-copies of its training rows with small random measurement noise, built in this
#   notebook to show a duplicated-patient leak (**simulated** from the real data).
# - In exercise 3, columns of pure random noise (**simulated**).

# %% [markdown]
# ## Setting up
#
# The imports this lesson needs, gathered in one place. Every function that involves chance
# gets a fixed `random_state`, so a rerun prints exactly the same numbers.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import ConfusionMatrixDisplay, accuracy_score, confusion_matrix, recall_score, roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, cross_validate, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import biomedkit as bk

# %% [markdown]
# ## Step 1: look at the data
#
# Load the dataset and print its summary: 569 masses, 30 measurements and the target column
# `malignant`. There are no missing values, which is rare for clinical data.

# %%
data = bk.datasets.load("breast_cancer")
data

# %% [markdown]
# As in lesson 00, read the card before modelling: where the data come from, how to cite
# them, and how the target is coded (here 1 = malignant, the reverse of scikit-learn's own
# copy).

# %%
for field in ("source", "citation", "license", "notes"):
    print(f"{field:>9}: {data.card[field]}")

# %% [markdown]
# Ten properties of the nuclei (radius, texture, perimeter, area, ...) are each summarised
# three ways: the mean over the nuclei in the image, its standard error, and the "worst"
# (mean of the three largest values). A few columns and the target:

# %%
data.frame[["mean radius", "mean texture", "worst area", "worst concave points", "malignant"]].head()

# %% [markdown]
# **Class balance.** How many masses are malignant? This matters twice: a model that always
# answers "benign" is already right for the majority class, and a split must keep the same
# proportion in the training and test sets.

# %%
X, y = data.X, data.y
counts = y.value_counts().rename({0: "benign", 1: "malignant"})
pd.DataFrame({"masses": counts, "fraction": (counts / counts.sum()).round(3)})

# %% [markdown]
# About 63 % of the masses are benign and 37 % malignant. A quick look at one measurement by
# diagnosis shows why we can expect a model to do well: malignant masses tend to have
# larger values of `worst concave points` (a measure of the indentations in the outline
# of the nuclei), although the two groups overlap.

# %%
fig, ax = plt.subplots(figsize=(5, 3))
sns.histplot(x=X["worst concave points"], hue=y.map({0: "benign", 1: "malignant"}).rename("diagnosis"),
             hue_order=["benign", "malignant"], bins=30, element="step", ax=ax)
ax.set(xlabel="worst concave points", ylabel="masses")
fig.tight_layout()

# %% [markdown]
# ## Step 2: hold out a test set, and stratify
#
# Before any modelling, set aside 30 % of the masses as a **test set**. It stays locked away
# until the very end, where it is used once to estimate how the final model would do on new
# patients. Every choice before that (which model, which settings, which threshold) is made
# on the **training set** only: a test set that has influenced a choice no longer measures
# performance on unseen patients.
#
# `stratify=y` makes both sets keep the same proportion of malignant masses as the whole
# dataset. The next cell prints that proportion in each set.

# %%
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0)
print(f"training set: {len(y_train)} masses, {y_train.mean():.3f} malignant")
print(f"test set:     {len(y_test)} masses, {y_test.mean():.3f} malignant")

# %% [markdown]
# **Why stratify?** Without it, chance decides how many malignant masses land in the test
# set. Over 20 unstratified splits, the malignant fraction of the test set varies as below;
# with `stratify=y` it would be the same every time. With rarer outcomes and smaller
# datasets the swing gets larger, and a test set could even end up with almost no cases.

# %%
fractions = [train_test_split(X, y, test_size=0.3, random_state=seed)[3].mean()
             for seed in range(20)]
print(f"malignant fraction in 20 unstratified test sets: "
      f"{min(fractions):.3f} to {max(fractions):.3f} (whole dataset: {y.mean():.3f})")

# %% [markdown]
# ## Step 3: baselines first, then real models
#
# Each model is a scikit-learn **pipeline**: the scaler (which puts every measurement on
# mean 0, standard deviation 1) and the classifier are fitted together, in one object. That
# matters for leakage (step 6): whenever the pipeline is fitted, the scaler learns its means
# and standard deviations from the training rows of that fit only.
#
# - The **dummy classifier** always predicts the most frequent class (benign). Any model
#   worth using must beat it clearly.
# - **Logistic regression**: a weighted sum of the measurements turned into a probability.
# - **Random forest**: many decision trees, each fitted on a random resample, voting together.
# - **Support vector machine (SVM)**: a flexible boundary between the classes.
#
# Scaling changes nothing for the dummy or the forest, but keeping every model in the same
# shape keeps the code uniform.

# %%
models = {
    "dummy (most frequent)": make_pipeline(StandardScaler(), DummyClassifier(strategy="most_frequent")),
    "logistic regression": make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
    "random forest": make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=200, random_state=0)),
    "SVM": make_pipeline(StandardScaler(), SVC(random_state=0)),
}
models["logistic regression"]

# %% [markdown]
# ## Step 4: one validation split is noisy
#
# The simplest way to compare models would be to split the training set once more, fit on
# one part and score on the other (a *validation* set). But how much does that score depend
# on which masses happened to land in the validation set? The next cell repeats the split
# 20 times with different seeds (30 % of the training set, 120 masses, each time) and fits a
# logistic regression each time. The test set is not touched.

# %%
split_accuracy = []
for seed in range(20):
    X_fit, X_val, y_fit, y_val = train_test_split(
        X_train, y_train, test_size=0.3, stratify=y_train, random_state=seed)
    model = clone(models["logistic regression"]).fit(X_fit, y_fit)
    split_accuracy.append(accuracy_score(y_val, model.predict(X_val)))
split_accuracy = np.array(split_accuracy)
print(f"validation accuracy over 20 splits: {split_accuracy.min():.3f} to {split_accuracy.max():.3f} "
      f"(mean {split_accuracy.mean():.3f}, sd {split_accuracy.std():.3f})")

# %% [markdown]
# The same model, the same data: only the luck of the split differs. Each dot below is one
# split. A difference between two models smaller than this spread, seen on a single split,
# tells us nothing.

# %%
fig, ax = plt.subplots(figsize=(5, 1.8))
sns.swarmplot(x=split_accuracy, size=6, ax=ax)
ax.set(xlabel="validation accuracy of logistic regression (one dot per split)")
fig.tight_layout()

# %% [markdown]
# ## Step 5: compare models with cross-validation
#
# **Stratified k-fold cross-validation** uses every training mass for validation exactly
# once: the training set is cut into 5 folds with the same malignant fraction; each model is
# fitted on 4 folds and scored on the fifth, 5 times over. The mean of the 5 scores is more
# stable than one split, and their standard deviation shows how much they vary.
#
# Two scores:
# - **accuracy**, the fraction of masses classified correctly (at the default threshold);
# - **AUC** (area under the ROC curve), the probability that a randomly chosen malignant
#   mass gets a higher score than a randomly chosen benign one: 0.5 is chance, 1 is perfect
#   ranking. It does not depend on a threshold.
#
# The helper below runs the cross-validation and formats mean ± sd; all models share the
# same folds, so they are compared on the same data.

# %%
cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)


def cv_summary(model, X, y, cv=cv, groups=None):
    """Cross-validated AUC and accuracy of a model, as 'mean ± sd' strings."""
    scores = cross_validate(model, X, y, cv=cv, groups=groups, scoring=["roc_auc", "accuracy"])
    return {metric: f"{scores[f'test_{key}'].mean():.3f} ± {scores[f'test_{key}'].std():.3f}"
            for metric, key in (("AUC", "roc_auc"), ("accuracy", "accuracy"))}


comparison = pd.DataFrame({name: cv_summary(model, X_train, y_train)
                           for name, model in models.items()}).T
comparison

# %% [markdown]
# The dummy classifier has an AUC of 0.5 (it gives every mass the same score) and an
# accuracy of 0.628: the fraction of benign masses. Accuracy on its own can therefore look
# respectable for a useless model.
#
# The three real models are far above the baseline, with AUCs above 0.99. Their mean AUCs
# differ by about one standard deviation or less, so cross-validation cannot really separate
# them on ranking. Logistic regression has the highest mean on both scores, with a clearer
# lead in accuracy, and it is the simplest of the three to explain, so it is the model we
# take to the test set in step 7.

# %% [markdown]
# ## Step 6: leakage
#
# **Leakage** is any route by which information from the rows used for scoring reaches the
# fitting of the model. The scores then measure memory, not prediction, and look better than
# the model will do on new patients.
#
# ### A mild leak: scaling before cross-validation
#
# A common mistake is to scale the whole training set first and cross-validate afterwards:
# the means and standard deviations used in each fold then include that fold's validation
# rows. The next cell compares this with the pipeline, on the same folds.

# %%
X_train_scaled = StandardScaler().fit_transform(X_train)  # fitted on every training row: leaky
scaling = pd.DataFrame({
    "scaler inside the pipeline (correct)": cv_summary(models["logistic regression"], X_train, y_train),
    "scaler fitted before CV (leaky)": cv_summary(LogisticRegression(max_iter=1000), X_train_scaled, y_train),
}).T
scaling

# %% [markdown]
# The AUCs agree to three decimals and the accuracies by about one mass out of 398
# (compare the two rows): a mean and a standard deviation estimated from 398 masses instead of about 318
# hardly change, so this particular leak does almost no harm on this dataset. It is shown
# here to be honest about its size, not to scare. The habit of
# putting every preprocessing step inside the pipeline still matters, because steps that
# learn more from the data (imputation, feature selection: see exercise 3) can leak a lot.
#
# ### A serious leak: the same patient on both sides of the split
#
# In this dataset each row is a different mass. Many clinical datasets are not like that:
# a patient can contribute several images, several biopsies or several visits, and those
# rows are near-copies of each other. If the split is done by **row**, copies of the same
# patient sit in both the fitting and the validation folds, and a model can recognise the
# patient instead of the disease.
#
# To see the effect, we **simulate** such a dataset from the training set: every mass
# appears three times, each copy with its measurements changed by a random ±5 % or so
# (multiplicative noise with a standard deviation of 5 %), as if the same aspirate had been
# imaged three times. `patient` records which rows belong together.

# %%
rng = np.random.default_rng(0)
patient = np.repeat(np.arange(len(X_train)), 3)                 # each mass three times
X_dup = X_train.iloc[patient].reset_index(drop=True) * rng.normal(1, 0.05, (len(patient), X.shape[1]))
y_dup = y_train.iloc[patient].reset_index(drop=True)
print(f"{len(y_dup)} rows from {len(np.unique(patient))} masses")

# %% [markdown]
# Now cross-validate twice on these rows: once splitting by row (`StratifiedKFold`, the
# leak), once keeping all rows of a patient in the same fold (`StratifiedGroupKFold` with
# `groups=patient`, the honest way). The table shows both, for logistic regression and the
# random forest, with the error rate (1 − accuracy) alongside.

# %%
group_cv = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=0)
rows = []
for name in ("logistic regression", "random forest"):
    for split_by, splitter, groups in (("row (leaky)", cv, None), ("patient (honest)", group_cv, patient)):
        scores = cross_validate(models[name], X_dup, y_dup, cv=splitter, groups=groups,
                                scoring=["roc_auc", "accuracy"])
        rows.append({"model": name, "split by": split_by,
                     "AUC": scores["test_roc_auc"].mean(),
                     "accuracy": scores["test_accuracy"].mean(),
                     "error rate": 1 - scores["test_accuracy"].mean()})
duplicates = pd.DataFrame(rows).set_index(["model", "split by"]).round(3)
duplicates

# %% [markdown]
# With the split by row, both models look nearly perfect, and their error rates are several
# times smaller than with the split by patient (about four times for the random forest,
# three times for logistic regression). The AUCs move less, only because they were already
# close to 1. The split by patient gives numbers within about 0.015 of those of step 5 on
# the original data, as it should: the copies add no new patients. The leaky numbers would
# not survive contact with new patients, whose copies the model has never seen.
#
# The rule: **split by the unit you want to generalise to** (patient, hospital, time
# period), not by row.

# %% [markdown]
# ## Step 7: the final evaluation, once, on the test set
#
# The choice is made: logistic regression. Fit it on the whole training set and score the
# 171 test masses. From here on nothing is changed in response to what the test set says.
# The model returns, for each mass, a predicted probability of malignancy.

# %%
final_model = clone(models["logistic regression"]).fit(X_train, y_train)
p_test = final_model.predict_proba(X_test)[:, 1]       # probability of "malignant"
y_pred = (p_test >= 0.5).astype(int)                   # the default threshold, 0.5
print(f"test AUC: {roc_auc_score(y_test, p_test):.3f}   test accuracy: {accuracy_score(y_test, y_pred):.3f}")

# %% [markdown]
# The test accuracy is lower than the cross-validated estimate of step 5, but it lies inside
# the range that the 20 validation splits of step 4 produced: one test set of 171 masses is
# itself one noisy draw. This is the estimate we report; we do not go back and tune.
#
# **The confusion matrix** counts the four possible outcomes. Rows are the true diagnosis,
# columns the prediction: true negatives (benign called benign), false positives (benign
# called malignant: a false alarm), false negatives (malignant called benign: a **missed
# cancer**) and true positives.

# %%
fig, ax = plt.subplots(figsize=(3.5, 3))
ConfusionMatrixDisplay.from_predictions(y_test, y_pred, display_labels=["benign", "malignant"],
                                        colorbar=False, ax=ax)
fig.tight_layout()

# %% [markdown]
# Two numbers summarise the matrix for a diagnostic test:
#
# - **sensitivity** = TP / (TP + FN): the fraction of cancers the model finds;
# - **specificity** = TN / (TN + FP): the fraction of benign masses it correctly clears.
#
# Compute them by hand from the counts, then check against scikit-learn: sensitivity is the
# recall of the malignant class (`pos_label=1`), specificity the recall of the benign class
# (`pos_label=0`).

# %%
tn, fp, fn, tp = confusion_matrix(y_test, y_pred).ravel()
sensitivity, specificity = tp / (tp + fn), tn / (tn + fp)
print(f"by hand:      sensitivity {tp}/{tp + fn} = {sensitivity:.3f}   specificity {tn}/{tn + fp} = {specificity:.3f}")
print(f"scikit-learn: sensitivity {recall_score(y_test, y_pred, pos_label=1):.3f}   "
      f"specificity {recall_score(y_test, y_pred, pos_label=0):.3f}")

# %% [markdown]
# ### Choosing the threshold
#
# Calling a mass malignant when its probability is at least 0.5 is only a default. A
# clinician screening for cancer would rather send a few extra benign masses for further
# work-up than miss a cancer, so a lower threshold may suit them better. The table shows
# the trade-off on the test set at three thresholds.

# %%
rows = []
for threshold in (0.2, 0.5, 0.8):
    tn, fp, fn, tp = confusion_matrix(y_test, (p_test >= threshold).astype(int)).ravel()
    rows.append({"threshold": threshold, "sensitivity": tp / (tp + fn), "specificity": tn / (tn + fp),
                 "missed cancers (FN)": fn, "false alarms (FP)": fp})
pd.DataFrame(rows).set_index("threshold").round(3)

# %% [markdown]
# Lowering the threshold from 0.5 to 0.2 finds one more cancer (3 missed instead of 4) at the
# price of 9 more false alarms; raising it to 0.8 removes every false alarm but misses 7
# cancers. Sensitivity and specificity move in opposite directions: no threshold improves
# both.
#
# A warning: this table is for *reporting* the trade-off. Picking the threshold by looking
# at the test set would be another leak. The threshold must be chosen on the training set,
# for example from cross-validated predictions, as exercise 2 does, and then applied once
# to the test set.

# %% [markdown]
# ### Exercise 1: add k-nearest neighbours
#
# A k-nearest-neighbours classifier (`sklearn.neighbors.KNeighborsClassifier`) calls a mass
# malignant if most of its k most similar training masses are malignant. Add it to the
# comparison of step 5, with the scaler inside a pipeline, for k = 5 and k = 15, and use
# `cv_summary` on the training set. Is it better or worse than logistic regression? Why
# does kNN need the scaler even more than logistic regression does?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 1
from sklearn.neighbors import KNeighborsClassifier

knn = {f"kNN, k={k}": make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=k))
       for k in (5, 15)}
pd.DataFrame({name: cv_summary(model, X_train, y_train)
              for name, model in {**knn, "logistic regression": models["logistic regression"]}.items()}).T
# kNN is well above the dummy baseline, but its mean AUC and accuracy are below those of
# logistic regression. kNN measures distances: without scaling, the measurements with the
# largest numbers (area, in the hundreds or thousands) would decide who is a "neighbour"
# and the small ones (smoothness, around 0.1) would be ignored.

# %% [markdown]
# ### Exercise 2: a threshold for at least 98 % sensitivity
#
# A screening service asks for a model that misses at most 2 % of cancers. Choose the
# threshold on the **training set**: get cross-validated probabilities with
# `cross_val_predict(..., method="predict_proba")` (same `cv` as above), and find the
# highest threshold at which the cross-validated sensitivity is at least 0.98. Report the
# cross-validated specificity at that threshold, then apply the final model with that
# threshold to the test set once and report the test sensitivity and specificity. Does the
# test sensitivity reach 98 %?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 2
from sklearn.model_selection import cross_val_predict

p_cv = cross_val_predict(models["logistic regression"], X_train, y_train, cv=cv,
                         method="predict_proba")[:, 1]
candidates = np.unique(p_cv)
sens_cv = np.array([(p_cv[y_train == 1] >= t).mean() for t in candidates])
threshold_98 = candidates[sens_cv >= 0.98].max()
print(f"chosen threshold: {threshold_98:.3f}")
print(f"training CV: sensitivity {(p_cv[y_train == 1] >= threshold_98).mean():.3f}, "
      f"specificity {(p_cv[y_train == 0] < threshold_98).mean():.3f}")
print(f"test set:    sensitivity {(p_test[y_test == 1] >= threshold_98).mean():.3f}, "
      f"specificity {(p_test[y_test == 0] < threshold_98).mean():.3f}")
# The threshold chosen on the training set gives a test sensitivity below 98 %: with only
# 64 cancers in the test set, each missed cancer costs about 1.6 percentage points, and a
# threshold tuned on one sample does not transfer exactly to another. A target like
# "98 % sensitivity" needs a margin, and a confidence interval on the test estimate.

# %% [markdown]
# ### Exercise 3: feature selection before the split inflates the score
#
# Imagine a panel of 1,000 biomarkers that carry **no** information about the diagnosis.
# Simulate it as random noise, one column per biomarker, for the training masses (use
# `np.random.default_rng(0)`), and keep the real labels `y_train`. Then:
#
# 1. *leaky*: pick the 10 columns most associated with the label using **all** training
#    rows (`sklearn.feature_selection.SelectKBest(k=10)`), then cross-validate a logistic
#    regression on those 10 columns;
# 2. *honest*: put `SelectKBest(k=10)` inside the pipeline, so that the selection is redone
#    within each fold, and cross-validate on all 1,000 columns.
#
# Since the columns are pure noise, the true AUC is 0.5. What does each approach report?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 3
from sklearn.feature_selection import SelectKBest

noise = pd.DataFrame(np.random.default_rng(0).normal(size=(len(X_train), 1000)),
                     index=X_train.index).add_prefix("biomarker_")
top10 = SelectKBest(k=10).fit(noise, y_train).get_support()  # chosen with every training row
leaky = cv_summary(make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
                   noise.loc[:, top10], y_train)
honest = cv_summary(make_pipeline(StandardScaler(), SelectKBest(k=10), LogisticRegression(max_iter=1000)),
                    noise, y_train)
pd.DataFrame({"selection before CV (leaky)": leaky, "selection inside the pipeline (honest)": honest}).T
# The leaky version reports an AUC well above 0.5 from columns that contain nothing: the
# 10 columns were chosen because, by chance, they matched the labels of the very rows later
# used for validation. The honest version stays near 0.5, the truth (here a little below,
# within its fold-to-fold spread). The more candidate
# features and the fewer patients, the larger this inflation (a classic trap in omics).

# %% [markdown]
# ## Take-aways
# - Set a stratified test set aside first and use it once, at the end; make every choice
#   (model, settings, threshold) on the training set.
# - Always compare with a dummy baseline: on these data, a model that never says
#   "malignant" is 63 % accurate.
# - One validation split is noisy; stratified k-fold cross-validation gives a steadier mean
#   and shows the spread (report mean ± sd).
# - Put every preprocessing step inside a pipeline. Some leaks are tiny (scaling here),
#   others are large (duplicated patients, feature selection on all rows): split by patient
#   and select features inside each fold.
# - Report sensitivity and specificity, not only accuracy, and pick the threshold for the
#   clinical purpose: screening favours sensitivity.
#
# ## Self-check quiz
# 1. Why should the test set not be used to choose between logistic regression and the
#    random forest?
# 2. A colleague scales all 569 masses, selects the 5 best features on all 569, then splits
#    into training and test sets. Which of these two steps is more likely to inflate the test
#    score, and why?
# 3. At threshold 0.5 the model misses 4 of the 64 cancers in the test set. What is its
#    sensitivity, and which way should the threshold move to miss fewer?
# 4. Each patient in a dataset contributes three images. How should the cross-validation
#    folds be formed?
#
# <details><summary>Answers</summary>
#
# 1. A test set that has influenced a choice is no longer unseen: the chosen model's test
#    score is then biased upwards, and there is nothing left to estimate performance on new
#    patients. Choose with cross-validation on the training set.
# 2. Selecting features on all rows: the selection uses the labels of the test rows, so the
#    chosen features fit those rows by construction (exercise 3). Scaling uses no labels and,
#    on these data, changed the cross-validated accuracy by about one mass in 398.
# 3. $60/64 = 0.9375$. Lower the threshold: more masses are called malignant, so fewer
#    cancers are missed, at the cost of more false alarms (lower specificity).
# 4. By patient: all rows of one patient in the same fold (`StratifiedGroupKFold` or
#    `GroupKFold` with `groups=` the patient id), so that no patient is in both the fitting
#    and the validation rows.
#
# </details>

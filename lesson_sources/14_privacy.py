# %% [markdown]
# # 14 · Privacy: re-identification, membership inference and differential privacy
#
# Health data are shared to be analysed, and models trained on them are shared to be used.
# Both can give away something about the patients. A table without names can still single a
# person out through the combination of ordinary facts about them (age, sex, weight); a
# model can remember the patients it was trained on, so that its answers tell whether a
# given person was in the training data; and every published statistic reveals a little. This
# lesson measures each risk on real data and tries the tools that reduce it: k-anonymity
# and generalisation for tables, differential privacy (the Laplace mechanism) for statistics,
# and DP-SGD with Opacus for models, each with its price. It ends with what each technique,
# secure aggregation of lesson 09 included, does and does not protect.
#
# ## Learning objectives
# - Measure re-identification risk with quasi-identifiers, equivalence classes and k-anonymity, and generalise a table (age bands, coarsened values, suppression) to reach a chosen k, stating what it cost.
# - Run a loss-threshold membership inference attack on an over-fitted and a regularised model, and report the attack's AUC with a confidence interval.
# - Release counts and means with the Laplace mechanism, choose clipping bounds, and explain the privacy budget epsilon and how it adds up over queries.
# - Train a small network with DP-SGD in Opacus, read the accountant's epsilon, and measure what privacy costs in AUC and what it buys against membership inference.
# - Say what removing names, k-anonymity, differential privacy, federated learning and secure aggregation each protect, and what they do not.
#
# ## Prerequisites
# - Lesson 01 (train/test splits, the AUC) and lesson 11 (AUC intervals, DeLong's test).
# - Lesson 09 (federated learning and secure aggregation), for the recap in Part 5.
#
# ## Estimated time
# 100 minutes: 55 teaching, 45 exercises (3, about 15 minutes each).
# Teaching includes the quiz. Timed for a first reading by a newcomer: the prose at about
# 120 words a minute, a minute per code cell to run it and read its output, and about 15
# minutes per exercise including its solution.
#
# ## Datasets
# - `nhefs` (**real**: 1,629 adults of the NHANES I Epidemiologic Follow-up Study; their
#   age, sex, race and weight serve as quasi-identifiers, death during follow-up as the
#   sensitive fact) in Parts 1 and 3 and exercises 1 and 2.
# - `actg175` (**real**: 2,139 adults with HIV in a randomised trial of antiretroviral
#   regimens; whether the trial's composite event happened) in Parts 2 and 4 and exercise 3.
#
# No data in this lesson are simulated: every attack runs on real patients' records, which
# their studies released for teaching and research.

# %% [markdown]
# ## Setting up
#
# Every function that involves chance gets a fixed seed, and PyTorch is asked for
# deterministic algorithms, so a rerun prints the same numbers. The networks of Part 4 are
# tiny: one CPU thread runs them faster than two, which would spend their time handing work
# to each other.

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import biomedkit as bk

torch.manual_seed(0)
torch.use_deterministic_algorithms(True)
torch.set_num_threads(1)
pd.set_option("display.float_format", "{:.3f}".format)

# %% [markdown]
# ## Part 1: re-identification in a table without names
#
# ### Step 1: quasi-identifiers single people out
#
# The NHEFS table has no names, addresses or dates of birth. But an outsider may know a few
# ordinary facts about someone who took part: their age at the 1971 examination, their sex,
# their race, perhaps their weight. Such columns are **quasi-identifiers**. Rows that share
# all their quasi-identifiers form an **equivalence class**; the table is **k-anonymous**
# when every class has at least *k* rows, so that anyone who knows a person's
# quasi-identifiers finds at least *k* candidate rows (Sweeney 2002).
#
# `bk.privacy.k_anonymity` computes each row's class size. The table below adds one
# quasi-identifier at a time and shows the number of classes, *k*, the share of rows that
# are unique (class size 1) and the share in classes smaller than 5.

# %%
nhefs = bk.datasets.load("nhefs").frame
steps = {"age, sex": ["age", "sex"],
         "+ race": ["age", "sex", "race"],
         "+ years of school": ["age", "sex", "race", "school"],
         "+ weight (as recorded)": ["age", "sex", "race", "wt71"]}
risk_rows = {}
for name, qis in steps.items():
    r = bk.privacy.k_anonymity(nhefs, qis)
    risk_rows[name] = {"classes": r.n_classes, "k": r.k, "unique": round(r.share_unique, 3),
                       "in classes < 5": round(r.share_below(5), 3)}
pd.DataFrame(risk_rows).T.astype({"classes": int, "k": int})

# %% [markdown]
# Age and sex alone already leave some participants with fewer than five look-alikes. Each
# added column splits the classes further, and the recorded weight makes nearly every
# participant unique: whoever knows a participant's age, sex, race and weight finds their
# row, and with it whether they died, how much they smoked and everything else recorded.
# Sweeney found the same in the 1990 US census: date of birth, sex and five-digit ZIP code
# single out about 87 % of Americans. **Removing names is not anonymisation.**
#
# The smallest classes are the people at risk. `to_frame()` lists the classes, smallest
# first:

# %%
risk = bk.privacy.k_anonymity(nhefs, ["age", "sex", "race", "wt71"])
print(risk)
risk.to_frame().head()

# %% [markdown]
# ### Step 2: generalise until every class has at least five rows
#
# **Generalisation** makes quasi-identifiers coarser: ages become 10-year bands and weights
# are rounded to the nearest 10 kg. Each helper returns a new table (the original is left
# as it was) and says what it changed.

# %%
QIS = ["age", "sex", "race", "wt71"]
banded = bk.privacy.age_bands(nhefs, "age", width=10)
print(banded)
coarse = bk.privacy.coarsen(banded.frame, "wt71", step=10)
print(coarse)
print(bk.privacy.k_anonymity(coarse.frame, QIS))

# %% [markdown]
# Far fewer rows are unique now, but some classes are still smaller than five: the unusual
# people (very heavy, or old and of a rare race in this cohort) stay unusual after
# generalisation. The last resort is **suppression**: remove the rows of the small classes.

# %%
suppressed = bk.privacy.suppress_small_classes(coarse.frame, QIS, k=5)
print(suppressed)
released = suppressed.frame
print(bk.privacy.k_anonymity(released, QIS))

# %% [markdown]
# ### Step 3: the price of k-anonymity
#
# The released table is 5-anonymous on these four columns. It paid twice: every age and
# weight lost detail, and some participants were removed. Who were they?

# %%
removed = ~nhefs.index.isin(released.index)
pd.DataFrame({"removed": nhefs[removed][["age", "wt71", "race", "death"]].mean(),
              "kept": nhefs[~removed][["age", "wt71", "race", "death"]].mean()})

# %% [markdown]
# The removed participants are not a random sample: compare the two columns of the table
# above (`race` is the share of participants of other races than white). Suppression removes
# the unusual, and so it can bias an analysis of the released table and under-represent
# minorities (lesson 13). A report on k-anonymised data should say how many rows were
# suppressed and who they were.
#
# k-anonymity has two deeper limits. It depends on guessing which columns an attacker
# knows: a column left out (the number of cigarettes a day, say) may single people out
# again. And a class of five people who all died tells an attacker that their target died
# without finding the row (exercise 1). Both limits motivate a guarantee that does not
# depend on what the attacker knows: differential privacy (Part 3).

# %% [markdown]
# ## Part 2: membership inference — does a model remember its training patients?
#
# ### Step 1: members and non-members
#
# A model trained on patients of a clinic is published. Knowing that someone was in the
# training data can itself be sensitive (the clinic treats HIV). In a **membership
# inference** attack, the attacker holds a person's record, asks the model for its
# prediction and guesses whether the person was in the training set. The simplest attack
# uses the model's **loss** on the record (Yeom et al. 2018): a model that has memorised its
# training patients is more confident and more often right on them, so a small loss
# suggests a member.
#
# We split the ACTG 175 trial in half: the **members** train the models, the
# **non-members** (the same population, never seen by the models) are the test set.
# `bk.privacy.membership_inference` computes every row's loss and the attack's AUC over
# members and non-members, with a DeLong interval: 0.5 means the model's answers reveal
# membership no better than a coin.

# %%
actg = bk.datasets.load("actg175").frame
FEATURES = ["age", "wtkg", "hemo", "homo", "drugs", "karnof", "oprior", "z30", "preanti", "race",
            "gender", "str2", "symptom", "cd40", "cd80", "arms"]
X, y = actg[FEATURES].to_numpy(float), actg["cens"].to_numpy()
members, nonmembers = train_test_split(np.arange(len(y)), test_size=0.5, stratify=y, random_state=0)
print(f"{len(members)} members, {len(nonmembers)} non-members, event rate {y.mean():.3f}")


def attack(model):
    """Test AUC and the loss attack of a fitted model, as one row of a table."""
    p_in = model.predict_proba(X[members])[:, 1]
    p_out = model.predict_proba(X[nonmembers])[:, 1]
    test = bk.validation.auc_ci(y[nonmembers], p_out)
    mia = bk.privacy.membership_inference(y[members], p_in, y[nonmembers], p_out)
    row = {"test AUC": test.auc, "test low": test.low, "test high": test.high,
           "attack AUC": mia.auc.auc, "attack low": mia.auc.low, "attack high": mia.auc.high,
           "advantage": mia.advantage}
    return row, mia


# %% [markdown]
# ### Step 2: an over-fitted model and two regularised ones
#
# A random forest with the default settings grows every tree until each leaf holds one or
# a few training patients: it fits its training data almost perfectly. The same forest
# with at least 50 patients per leaf cannot, and neither can a logistic regression.

# %%
models = {
    "random forest, leaves of 1 (default)": RandomForestClassifier(n_estimators=200, random_state=0),
    "random forest, leaves of >= 50": RandomForestClassifier(n_estimators=200, min_samples_leaf=50,
                                                             random_state=0),
    "logistic regression": make_pipeline(StandardScaler(), LogisticRegression()),
}
rows, attacks = {}, {}
for name, model in models.items():
    rows[name], attacks[name] = attack(model.fit(X[members], y[members]))
pd.DataFrame(rows).T

# %% [markdown]
# Read the table row by row. The default forest's attack AUC is far above 0.5: its answers
# give membership away, although nothing but its predictions was used. The two regularised
# models' attack AUCs are close to 0.5 (the forest with large leaves still leaks a little:
# look at where its interval lies). The over-fitted forest is not even the better model for
# new patients: its test AUC is no higher than the others'.
#
# Is the difference between the attacks more than chance? Both attacks score the same
# rows, so DeLong's paired test (lesson 11) compares their AUCs:

# %%
over, logistic = attacks["random forest, leaves of 1 (default)"], attacks["logistic regression"]
print(bk.validation.delong_test(over.is_member, over.score, logistic.score))

# %% [markdown]
# The losses show why. The forest's loss on its members is nearly zero, far below its loss
# on non-members; the logistic regression's two distributions overlap almost completely.

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.5), sharey=True)
bins = np.linspace(0, 3, 40)
for ax, (name, result) in zip(axes, [("random forest, leaves of 1", over), ("logistic regression", logistic)]):
    ax.hist(np.clip(result.loss_members, 0, 3), bins=bins, alpha=0.6, density=True, label="members")
    ax.hist(np.clip(result.loss_nonmembers, 0, 3), bins=bins, alpha=0.6, density=True, label="non-members")
    ax.set_title(f"{name}: attack AUC {result.auc.auc:.2f}")
    ax.set_xlabel("cross-entropy loss of the record")
axes[0].set_ylabel("density")
axes[0].legend()
plt.tight_layout()

# %% [markdown]
# Regularisation lowered the leak here, but it guarantees nothing: another attack (shadow
# models, or attacks calibrated per record such as LiRA) may do better than this one, and
# an AUC near 0.5 on average can hide a few patients who are exposed. A guarantee needs
# differential privacy.

# %% [markdown]
# ## Part 3: differential privacy for statistics — the Laplace mechanism
#
# ### Step 1: the differencing attack
#
# Aggregates seem safe, but two exact counts can reveal one person. Ask how many NHEFS
# participants died, then how many died among everyone except participant X (here, the
# first participant in the table who died): the difference is X's outcome.

# %%
x = nhefs.index[nhefs["death"] == 1][0]
deaths = int(nhefs["death"].sum())
deaths_without_x = int(nhefs["death"].drop(index=x).sum())
print(f"deaths: {deaths}; deaths without X: {deaths_without_x}; difference: {deaths - deaths_without_x}, "
      "so X died")

# %% [markdown]
# A mechanism is **epsilon-differentially private** when adding or removing any one person
# changes the probability of every possible output by a factor of at most e^epsilon
# (Dwork et al. 2006). Then no output can tell much about any one person, whatever the
# attacker knows. For a count, one person changes the answer by at most 1 (the
# **sensitivity**), and adding noise from a Laplace distribution of scale 1 / epsilon makes
# it epsilon-differentially private. `bk.privacy.laplace_count` releases a count so:

# %%
for epsilon in (0.1, 1.0, 10.0):
    a = bk.privacy.laplace_count(deaths, epsilon=epsilon, random_state=1)
    b = bk.privacy.laplace_count(deaths_without_x, epsilon=epsilon, random_state=2)
    print(f"epsilon {epsilon:>4}: deaths {a:8.1f}, without X {b:8.1f}, difference {a - b:6.1f}")

# %% [markdown]
# With a small epsilon the difference is mostly noise. How often would an attacker who
# guesses "X died" when the difference exceeds 0.5 be right? We repeat the two releases
# 20,000 times for a participant who died and for one who did not. The two releases
# together spend 2 epsilon (budgets add up over queries), and a (2 epsilon)-private release
# lets no attacker, however clever, be right more often than e^(2 epsilon) / (1 + e^(2 epsilon))
# of the time when both answers are equally likely beforehand.

# %%
guess_rows = {}
for epsilon in (0.1, 0.5, 1.0, 2.0):
    right = []
    for x_died in (1, 0):
        a = bk.privacy.laplace_count(deaths_without_x + x_died, epsilon=epsilon, random_state=10 + x_died,
                                     size=20_000)
        b = bk.privacy.laplace_count(deaths_without_x, epsilon=epsilon, random_state=20 + x_died, size=20_000)
        right.append(np.mean((a - b > 0.5) == bool(x_died)))
    guess_rows[epsilon] = {"attacker right": np.mean(right),
                           "bound for any attacker": np.exp(2 * epsilon) / (1 + np.exp(2 * epsilon))}
pd.DataFrame(guess_rows).T.rename_axis("epsilon per query")

# %% [markdown]
# The attacker's success stays below the bound at every epsilon, and near a coin toss for
# small epsilon. The bound holds for every attack, including ones nobody has thought of yet;
# the measured success is that of this one attack.
#
# ### Step 2: a mean needs bounds
#
# One person can move a mean by an unlimited amount (think of a weight typed in grams), so
# the values are first **clipped** to bounds chosen from knowledge of the measurement, not
# from the data (the largest weight in the data is itself private). With bounds (lower,
# upper) and *n* values, changing one person's value moves the clipped mean by at most
# (upper - lower) / *n* (the number of participants is treated as public), and the noise has
# scale (upper - lower) / (*n* epsilon). We release the mean weight in 1971
# 20,000 times for each choice, to see the bias and the spread of the releases:

# %%
weight = nhefs["wt71"].to_numpy()
print(f"true mean weight {weight.mean():.2f} kg, range {weight.min():.1f} to {weight.max():.1f} kg")
mean_rows = []
for bounds in [(60, 80), (40, 150), (0, 500)]:
    for epsilon in (0.1, 1.0):
        draws = bk.privacy.laplace_mean(weight, bounds=bounds, epsilon=epsilon, random_state=5, size=20_000)
        mean_rows.append({"bounds": f"{bounds[0]}-{bounds[1]} kg", "epsilon": epsilon,
                          "bias": draws.mean() - weight.mean(), "spread (sd)": draws.std(),
                          "typical error (rmse)": np.sqrt(np.mean((draws - weight.mean()) ** 2))})
pd.DataFrame(mean_rows)

# %% [markdown]
# Bounds that are too narrow (60-80 kg) clip many participants and bias the mean whatever
# epsilon is; bounds that are far too wide (0-500 kg) add needless noise. Sensible bounds
# (40-150 kg) keep the typical error under a kilogram even at epsilon = 0.1. The clipping is part of the mechanism, not
# a cleaning step: it is what makes the sensitivity finite.

# %% [markdown]
# ## Part 4: differential privacy for models — DP-SGD with Opacus
#
# ### Step 1: DP-SGD by hand
#
# **DP-SGD** (Abadi et al. 2016) trains a network with two changes to each step: every
# patient's gradient is clipped to a norm of at most `max_grad_norm`, so that no patient can
# move the model much, and Gaussian noise proportional to that norm is added to the sum of
# the batch. Batches are Poisson samples (each patient joins each batch with a fixed
# probability). A **privacy accountant** adds up what all the steps spend and reports the
# (epsilon, delta) guarantee of the whole run; delta is the small probability with which the
# guarantee may fail, kept well below 1 / *n*.
#
# **Opacus**, PyTorch's library for this, does all of it. `make_private_with_epsilon` wraps
# the model, the optimiser and the data loader, and chooses the noise so that the planned
# epochs spend the budget. Here is one run on the members of Part 2, with epsilon = 1. (Opacus
# warns that it uses PyTorch's ordinary random generator rather than a cryptographic one:
# fine for teaching, not for a release, where `secure_mode=True` is needed.)

# %%
from opacus import PrivacyEngine
from torch.utils.data import DataLoader, TensorDataset

scaler = StandardScaler().fit(X[members])
X_in = torch.tensor(scaler.transform(X[members]), dtype=torch.float32)
y_in = torch.tensor(y[members], dtype=torch.float32)
net = torch.nn.Sequential(torch.nn.Linear(X_in.shape[1], 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))
loader = DataLoader(TensorDataset(X_in, y_in), batch_size=64, generator=torch.Generator().manual_seed(0))
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Secure RNG turned off")        # see above
    warnings.filterwarnings("ignore", message="Optimal order is the largest alpha")  # the noise search's probes
    warnings.filterwarnings("ignore", message="Full backward hook is firing")  # harmless: the data need no gradient
    engine = PrivacyEngine(accountant="rdp")
    net, optimizer, loader = engine.make_private_with_epsilon(
        module=net, optimizer=torch.optim.Adam(net.parameters(), lr=1e-2), data_loader=loader,
        target_epsilon=1.0, target_delta=1e-5, epochs=20, max_grad_norm=1.0,
        noise_generator=torch.Generator().manual_seed(1))
    for epoch in range(20):
        for xb, yb in loader:
            optimizer.zero_grad()
            torch.nn.functional.binary_cross_entropy_with_logits(net(xb).squeeze(1), yb).backward()
            optimizer.step()
print(f"noise multiplier {optimizer.noise_multiplier:.2f}; the accountant's epsilon at delta = 1e-5: "
      f"{engine.get_epsilon(1e-5):.3f}")
with torch.no_grad():
    hand_risk = torch.sigmoid(net(torch.tensor(scaler.transform(X[nonmembers]), dtype=torch.float32))).squeeze(1)
print(bk.validation.auc_ci(y[nonmembers], hand_risk.numpy()))

# %% [markdown]
# ### Step 2: one model per privacy budget
#
# `bk.privacy.DPMLPClassifier` wraps the same Opacus calls in a scikit-learn classifier, so
# that we can fit one model per budget and compare them with the tools of the earlier
# lessons. `epsilon=None` trains the same network with the same optimiser, batches and
# epochs without clipping or noise: the difference between the two is what privacy costs.
# For each budget the table gives the accountant's epsilon, the noise multiplier, the test
# AUC and the membership attack of Part 2.

# %%
def dp_network(epsilon):
    return make_pipeline(StandardScaler(), bk.privacy.DPMLPClassifier(
        hidden_layer_sizes=(32,), epsilon=epsilon, delta=1e-5, max_grad_norm=1.0, epochs=20,
        batch_size=64, learning_rate=1e-2, random_state=0))


dp_rows, dp_attacks, dp_risks = {}, {}, {}
for epsilon in (0.5, 1.0, 2.0, 8.0, None):
    name = "no privacy" if epsilon is None else f"epsilon {epsilon:g}"
    fitted = dp_network(epsilon).fit(X[members], y[members])
    row, dp_attacks[name] = attack(fitted)
    dp_risks[name] = fitted.predict_proba(X[nonmembers])[:, 1]
    dp_rows[name] = {"accountant epsilon": fitted[-1].epsilon_, "noise multiplier": fitted[-1].noise_multiplier_,
                     **row}
dp_table = pd.DataFrame(dp_rows).T
dp_table

# %% [markdown]
# The curve of utility against privacy, with the logistic regression of Part 2 (no privacy)
# as the strong baseline:

# %%
private = dp_table.iloc[:-1]
fig, ax = plt.subplots(figsize=(6, 4))
ax.errorbar(private["accountant epsilon"], private["test AUC"],
            yerr=[private["test AUC"] - private["test low"], private["test high"] - private["test AUC"]],
            marker="o", capsize=3, label="DP-SGD network (95 % CI)")
ax.axhline(dp_table.loc["no privacy", "test AUC"], color="grey", ls="--", label="same network, no privacy")
ax.axhline(rows["logistic regression"]["test AUC"], color="black", ls=":", label="logistic regression, no privacy")
ax.set_xscale("log")
ax.set_xticks([0.5, 1, 2, 8], ["0.5", "1", "2", "8"])
ax.minorticks_off()
ax.set_xlabel("epsilon reported by the accountant (delta = 1e-5)")
ax.set_ylabel("test AUC")
ax.set_title("ACTG 175: what privacy costs")
ax.legend(loc="lower right")
plt.tight_layout()

# %% [markdown]
# The test AUC rises with epsilon: less noise, more signal (compare the rows of the table).
# The intervals are wide, so three questions deserve a paired test on the same test
# patients: does the strictest budget cost AUC compared with the same network without
# privacy, does the private network at epsilon = 8 reach the logistic regression, and does
# the network without privacy?

# %%
logistic_risk = models["logistic regression"].predict_proba(X[nonmembers])[:, 1]
print("epsilon 0.5 vs no privacy:", bk.validation.delong_test(y[nonmembers], dp_risks["epsilon 0.5"],
                                                               dp_risks["no privacy"]))
print("epsilon 8 vs logistic:    ", bk.validation.delong_test(y[nonmembers], dp_risks["epsilon 8"],
                                                               logistic_risk))
print("no privacy vs logistic:   ", bk.validation.delong_test(y[nonmembers], dp_risks["no privacy"],
                                                               logistic_risk))

# %% [markdown]
# Read each line's interval of the difference: an interval that lies entirely below 0 means
# the first model is worse on these patients. On a thousand training patients, privacy has a
# price in AUC at the strict budgets, and the network, private or not, does not beat the
# plain logistic regression: a strong simple baseline belongs beside every private model.

# %% [markdown]
# ### Step 3: membership inference on the private networks
#
# The table of Step 2 also holds the attack on each network. The network without privacy
# leaks measurably (its attack interval lies above 0.5); the private ones do not. The paired
# test on the same rows:

# %%
plain, strict = dp_attacks["no privacy"], dp_attacks["epsilon 1"]
print(bk.validation.delong_test(plain.is_member, plain.score, strict.score))

# %% [markdown]
# What the guarantee promises: under (epsilon, delta)-differential privacy, no attack's
# advantage (its true-positive rate minus its false-positive rate) can exceed
# ((e^epsilon - 1) (1 - delta)) / (e^epsilon + 1) + delta (Kairouz, Oh and Viswanath 2015).
# The bound for each budget beside the advantage this attack reached:

# %%
bound = pd.DataFrame({
    "accountant epsilon": private["accountant epsilon"],
    "largest advantage any attack can have": (np.expm1(private["accountant epsilon"]) * (1 - 1e-5)
                                              / (np.exp(private["accountant epsilon"]) + 1) + 1e-5),
    "advantage of the loss attack": private["advantage"]})
bound

# %% [markdown]
# At epsilon = 8 the guarantee says almost nothing (an advantage up to nearly 1 is allowed),
# yet the loss attack gains little. The guarantee is a worst case, over every attack and
# every data set; a measured attack is one attack on one data set, and audits of DP-SGD
# usually find real attacks far below the bound. At epsilon = 0.5 or 1 the guarantee itself
# is strong. A published model trained on
# patients should carry its epsilon and delta, as a trial carries its confidence level.

# %% [markdown]
# ## Part 5: what each technique protects
#
# | technique | protects against | does not protect against | costs |
# |---|---|---|---|
# | removing names | casual recognition | linkage on quasi-identifiers (Part 1) | nothing |
# | k-anonymity, generalisation, suppression | finding a person's row from the chosen quasi-identifiers | other columns the attacker knows; attribute disclosure in homogeneous classes (exercise 1); membership | detail, and suppressed (unusual) people |
# | federated learning (lesson 09) | moving patient rows out of the hospital | what the updates and the final model reveal (membership inference, Part 2) | engineering; accuracy when sites differ |
# | secure aggregation (lesson 09) | the server seeing any one hospital's update | what the sum reveals (two hospitals can subtract), the final model, collusion | computation and messages |
# | Laplace mechanism | any inference about one person from the released statistics, whatever the attacker knows, up to epsilon | a budget spent many times over (exercise 2); the bounds leaking if taken from the data | noise; bias from clipping |
# | DP-SGD (Opacus) | any inference about one training patient from the model, up to (epsilon, delta) | information about groups (a model may still learn that smokers die sooner, as it should) | accuracy, especially on small data; tuning |
#
# The techniques combine: federated training with secure aggregation and DP-SGD at every
# hospital keeps the rows at home, hides each hospital's update from the server, and bounds
# what the final model reveals about any patient.

# %% [markdown]
# ### Exercise 1: k-anonymous, and still disclosing
#
# In the 5-anonymous table `released` of Part 1, find the equivalence classes on `QIS` in
# which every participant has the same value of `death`. How many classes and participants
# are they? What does an attacker learn about someone they know to be in such a class?
# (Hint: `released.groupby(QIS, observed=True)["death"].agg(["size", "nunique"])`.)

# %%
# Your code here

# %% tags=["solution"]
# Solution to exercise 1
classes = released.groupby(QIS, observed=True)["death"].agg(["size", "nunique", "mean"])
homogeneous = classes[classes["nunique"] == 1]
print(f"{len(homogeneous)} of {len(classes)} classes, {homogeneous['size'].sum()} of {len(released)} participants")
print(homogeneous.groupby("mean")["size"].agg(["count", "sum"]).rename(index={0.0: "all alive", 1.0: "all died"}))
# Anyone who knows a participant's age band, sex, race and rounded weight, and that they
# took part, learns whether they died without finding their row. l-diversity (each class
# must hold several values of the sensitive column) was proposed against this.

# %% [markdown]
# ### Exercise 2: a budget spent many times
#
# Suppose a query system answers the NHEFS death count with `laplace_count` at epsilon = 0.1,
# fresh noise every time, and does not stop anyone asking again. Ask it 1, 10, 100 and 1,000
# times and average the answers. How far is each average from the true count, and what is
# the total epsilon spent? What should the system do?

# %%
# Your code here

# %% tags=["solution"]
# Solution to exercise 2
answers = bk.privacy.laplace_count(deaths, epsilon=0.1, random_state=6, size=1000)
for n_queries in (1, 10, 100, 1000):
    average = answers[:n_queries].mean()
    print(f"{n_queries:>5} queries: average {average:8.2f} (error {average - deaths:+6.2f}; "
          f"typical error {np.sqrt(2) / 0.1 / np.sqrt(n_queries):5.2f}), total epsilon {0.1 * n_queries:g}")
# The typical error (the standard deviation of the average, sqrt(2) / epsilon / sqrt(n))
# shrinks with the number of queries: the noise of independent answers averages out, one
# lucky answer aside, while the budgets add up (1,000 queries at 0.1 spend 100, no privacy at all). A query
# system must keep a total budget per data set and refuse (or repeat the same noisy answer)
# once it is spent.

# %% [markdown]
# ### Exercise 3: how much over-fitting leaks
#
# Refit the random forest of Part 2 with `min_samples_leaf` in 1, 3, 10, 30 and 100 (200
# trees, `random_state=0`), and put the test AUC and the attack AUC of each in a table (use
# `attack`). Which setting would you publish?

# %%
# Your code here

# %% tags=["solution"]
# Solution to exercise 3
leaf_rows = {}
for leaf in (1, 3, 10, 30, 100):
    forest = RandomForestClassifier(n_estimators=200, min_samples_leaf=leaf, random_state=0)
    leaf_rows[leaf] = attack(forest.fit(X[members], y[members]))[0]
print(pd.DataFrame(leaf_rows).T[["test AUC", "test low", "test high", "attack AUC", "attack low", "attack high"]])
# The attack AUC falls steadily as the leaves grow, and the test AUC does not get worse
# (each lies inside the default forest's interval or above it): larger leaves leak much less
# at no visible cost in discrimination. Publish a forest with large leaves (or the logistic
# regression) rather than the default.

# %% [markdown]
# ## Take-aways
# - A table without names is not anonymous: a few ordinary columns single most people out.
#   Measure it (class sizes, k, share unique) before releasing anything.
# - Generalisation and suppression reach k-anonymity at a price in detail and in the people
#   removed, who are the unusual ones; k-anonymity still allows attribute disclosure and
#   depends on guessing what the attacker knows.
# - A trained model can give away who was in its training data. The loss-threshold attack
#   measures it, as an AUC with an interval; over-fitted models leak most, and a low attack
#   AUC is evidence against this attack, not a guarantee.
# - Differential privacy bounds what any attacker can learn about any one person, through a
#   budget epsilon that adds up over every release: Laplace noise of scale sensitivity /
#   epsilon for statistics (with clipping bounds chosen without looking at the data), DP-SGD
#   for models.
# - Privacy costs utility, most on small data: report the accountant's epsilon and delta,
#   the model's AUC with its interval against a non-private baseline, and what each
#   protection does not cover.
#
# ## Self-check quiz
# 1. A hospital releases a table of patients with names removed but full date of birth,
#    sex and postcode. Why is this not anonymous?
# 2. A model's membership inference AUC is 0.51 (95 % CI 0.48 to 0.54). What can you
#    conclude, and what not?
# 3. You release a count with `laplace_count(epsilon=0.5)` and later the same count again
#    with fresh noise at epsilon = 0.5. What is the total budget spent, and why?
# 4. Why must the clipping bounds of `laplace_mean` not be taken from the data's minimum and
#    maximum?
# 5. A federation uses secure aggregation. Does that make the final model differentially
#    private?
#
# <details><summary>Answers</summary>
#
# 1. Date of birth, sex and postcode are quasi-identifiers: together they single out most
#    people (about 87 % of the US population in Sweeney's study), and they can be linked to
#    other tables, such as a voter list, that carry names.
# 2. That this attack, on average over these records, does no better than chance against
#    this model. It does not show that no attack succeeds, nor that no individual patient
#    is exposed; only differential privacy gives a guarantee against every attack.
# 3. epsilon = 1: the privacy losses of separate releases add up (sequential composition).
#    Averaging the two answers halves the noise variance, as an attacker would.
# 4. The minimum and maximum are themselves values of particular people: bounds computed
#    from them leak those values, and they change when one person is added, so the
#    sensitivity would no longer be bounded by (upper - lower) / n.
# 5. No. Secure aggregation hides each hospital's update from the server, but the final
#    model is computed exactly from the patients' data and can leak membership. DP-SGD (or
#    noise added to the updates) is needed for a guarantee about the model.
#
# </details>

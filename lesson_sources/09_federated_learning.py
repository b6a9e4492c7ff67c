# %% [markdown]
# # 09 · Federated learning: one model from several hospitals that cannot share their data
#
# A small hospital rarely has enough patients to fit a reliable model, and privacy law,
# patients' consent and plain caution often forbid sending records to a central server.
# **Federated learning** turns the question around: instead of bringing the data to the
# model, the model travels to the data. Each hospital improves the current model on its own
# patients and sends back only the model; a server averages the models and sends the
# average out again. This lesson simulates five hospitals in one notebook and compares a
# model fitted at each hospital alone (local), the model we would fit if we could pool all
# patients (pooled, the benchmark that is not allowed), and **federated averaging**
# (FedAvg). It shows what happens when the hospitals' patients differ, how **secure
# aggregation** hides each hospital's update even from the server, and how to validate a
# model across sites by leaving one site out.
#
# Everything here runs in one Python process, with NumPy arrays standing for hospitals. A
# real federation needs a framework that handles the network, failures, authentication and
# the cryptography (for example Flower); the ideas are the same.
#
# ## Learning objectives
# - Fit local, pooled and federated (FedAvg) logistic regressions for several hospitals, compare them hospital by hospital, and explain why small hospitals gain the most.
# - Show that one full-batch FedAvg round with one local step is exactly one gradient step on the pooled data, and measure how more local steps trade communication rounds for drift when hospitals differ (non-IID data).
# - Explain additive secret sharing and demonstrate that the server learns the sum of the hospitals' updates and nothing else, and list what secure aggregation does not protect.
# - Validate a multi-site model by leaving one site out, and summarise the sites with a random-effects mean and a prediction interval.
#
# ## Prerequisites
# - Lesson 01 (pipelines, the AUC) and lesson 02 (the simulated cohort).
# - Gradient descent in one sentence: repeatedly move the coefficients a small step against
#   the slope (gradient) of the loss.
# - Lessons 07 and 08 for step 7 (calibration-in-the-large and slope, DeLong intervals,
#   leave-one-site-out validation, random-effects pooling); lesson 10 treats them in depth.
#
# ## Estimated time
# 110 minutes: 50 teaching, 60 exercises (4, about 15 minutes each).
# Teaching includes the quiz. Timed for a first reading by a newcomer: the prose at about
# 120 words a minute, a minute per code cell to run it and read its output, and about 15
# minutes per exercise including its solution.
#
# ## Datasets
# - `cohort` (**simulated**: a cardiovascular-style cohort from five hospitals whose case mix
#   differs; the outcome model is the same everywhere and known). Simulated, because
#   the lesson needs several hospitals of chosen sizes and differences.
# - `lung` (**real**: NCCTG advanced lung cancer, 228 patients from 18 institutions), in
#   exercise 4, for leave-one-site-out validation on real sites.

# %% [markdown]
# ## Setting up
#
# The imports this lesson needs. Every function that involves chance gets a fixed seed, so
# a rerun prints the same numbers. The data are small: one thread per computation is faster
# than several threads competing for the 2 cores of a Binder session, hence the last line.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

import biomedkit as bk

pd.set_option("display.float_format", "{:.3f}".format)  # tables show 3 decimals
limits = threadpool_limits(1)

# %% [markdown]
# ## Step 1: five hospitals
#
# `bk.simulate.cohort(n_sites=5, site_shift=1.5)` draws patients at five sites whose case
# mix differs: each site shifts the mean age and blood pressure and has its own share of
# smokers and of group B (`truth.site_effects`). The true outcome model is the same at
# every site, so the hospitals differ in *who* their patients are, not in how risk works.

# %%
data, truth = bk.simulate.cohort(n=20_000, n_sites=5, site_shift=1.5, random_state=11)
truth.site_effects

# %% [markdown]
# Real federations join hospitals of very different sizes. We give the five hospitals
# 2,000, 1,000, 500, 250 and 120 patients to learn from, and keep 800 other patients of each
# hospital as its own test set. We use the clinical measurements, with CRP on the log scale
# (it is strongly skewed).

# %%
FEATURES = ["age", "female", "smoker", "sbp", "total_chol", "hdl", "bmi", "diabetes", "egfr", "log_crp"]
frame = data.frame.assign(log_crp=np.log(data.frame["crp"]), true_risk=truth.risk)  # the truth, for step 7
SIZES = {"site_1": 2_000, "site_2": 1_000, "site_3": 500, "site_4": 250, "site_5": 120}
train, test = {}, {}
for site, n in SIZES.items():
    patients = frame[frame["site"] == site].sample(frac=1, random_state=1)  # shuffled
    train[site], test[site] = patients.iloc[:n], patients.iloc[n:n + 800]
pd.DataFrame({site: {"training patients": len(d), "events": d["event"].sum(), "event rate": d["event"].mean(),
                     "mean age": d["age"].mean(), "mean sbp": d["sbp"].mean(), "smokers": d["smoker"].mean()}
              for site, d in train.items()}).T

# %% [markdown]
# Site 2 has the oldest patients with the highest blood pressure and about three times the
# event rate of the others; site 5 has 120 patients and only about a dozen events, for ten
# predictors.
#
# ## Step 2: a common scale, from sums only
#
# Gradient descent, the engine of federated averaging, needs features on comparable scales.
# Standardising needs the overall mean and standard deviation of each feature, and these
# need only three sums from each hospital: the number of patients, the sum of each feature
# and the sum of its squares. No patient's values leave the hospital. (Step 6 hides even
# these sums from the server.)

# %%
def sums(d):
    """What one hospital sends: its count, and per feature the sum and the sum of squares."""
    x = d[FEATURES].to_numpy(float)
    return np.concatenate([[len(x)], x.sum(axis=0), (x ** 2).sum(axis=0)])


total = sum(sums(d) for d in train.values())
n_all, k = total[0], len(FEATURES)
mean = total[1:k + 1] / n_all
sd = np.sqrt(total[k + 1:] / n_all - mean ** 2)


def standardise(d):
    return (d[FEATURES].to_numpy(float) - mean) / sd


X_sites = [standardise(d) for d in train.values()]
y_sites = [d["event"].to_numpy() for d in train.values()]
pd.DataFrame({"mean": mean, "sd": sd}, index=FEATURES).T

# %% [markdown]
# ## Step 3: local models and the pooled model
#
# First the two extremes. **Local**: each hospital fits a logistic regression on its own
# patients. **Pooled**: one logistic regression on all 3,870 training patients, which is
# what the hospitals are not allowed to do. The models are unpenalised (`C=np.inf`), so that
# all the approaches in this lesson fit exactly the same kind of model, and fitted to a
# tight tolerance, so that the pooled model is a precise benchmark. Each model is tested on
# every hospital's own 800 test patients.

# %%
def unpenalised():
    return LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-10)


X_tests = {site: standardise(d) for site, d in test.items()}
y_tests = {site: d["event"].to_numpy() for site, d in test.items()}
local = {site: unpenalised().fit(X, y) for site, X, y in zip(SIZES, X_sites, y_sites)}
pooled = unpenalised().fit(np.vstack(X_sites), np.concatenate(y_sites))


def scores(risk_of):
    """Test AUC and log-loss at each hospital; `risk_of(site, X)` gives predicted risks."""
    return pd.DataFrame({site: {"AUC": roc_auc_score(y_tests[site], risk_of(site, X_tests[site])),
                                "log-loss": log_loss(y_tests[site], risk_of(site, X_tests[site]))}
                         for site in SIZES}).T


results = pd.concat({
    "local": scores(lambda site, X: local[site].predict_proba(X)[:, 1]),
    "pooled": scores(lambda site, X: pooled.predict_proba(X)[:, 1]),
}, axis=1)
results

# %% [markdown]
# The pooled model is better at every hospital, by a little at the largest (site 1) and by
# a lot at the smallest (site 5), whose own model ranks patients barely better than a coin
# and gives badly overconfident risks (its log-loss is far higher). Ten coefficients from a
# dozen events is overfitting. Small hospitals have the most to gain from a joint model.

# %% [markdown]
# ## Step 4: federated averaging
#
# FedAvg (McMahan et al. 2017) repeats **rounds**:
#
# 1. the server sends the current coefficients to every hospital;
# 2. each hospital takes a few steps of gradient descent on its own patients (`local_steps`);
# 3. each hospital sends back its new coefficients;
# 4. the server averages them, weighting each hospital by its number of patients.
#
# `bk.multisite.fedavg` simulates this for a logistic regression. It takes one array per
# hospital and returns the final coefficients and their history, round by round.
#
# With full batches and a single local step, a round is *exactly* one gradient step on the
# pooled data: the average of the hospitals' gradients, weighted by their sizes, is the
# gradient of the pooled loss. The next cell checks this against a gradient step computed on
# the pooled data directly.

# %%
one_round = bk.multisite.fedavg(X_sites, y_sites, rounds=1, local_steps=1, learning_rate=1.0)
X_pool, y_pool = np.vstack(X_sites), np.concatenate(y_sites)
residual = expit(np.zeros(len(y_pool))) - y_pool               # start from all zeros
pooled_step = -1.0 * X_pool.T @ residual / len(y_pool)
print("largest difference from a pooled gradient step:", np.abs(one_round.coef_ - pooled_step).max())

# %% [markdown]
# The difference is at the level of rounding errors. So with one local step, FedAvg is
# gradient descent on the pooled data and converges to the pooled model, only slowly: each
# round costs a trip to every hospital and back. More local steps per round do more work
# per trip. We run 200 rounds with 1, 5 and 25 local steps and follow the log-loss on all
# training patients (the hospitals can report their own losses; the server adds them up).

# %%
pooled_loss = log_loss(y_pool, pooled.predict_proba(X_pool)[:, 1])
runs = {steps: bk.multisite.fedavg(X_sites, y_sites, rounds=200, local_steps=steps, learning_rate=1.0)
        for steps in (1, 5, 25)}
fig, ax = plt.subplots(figsize=(7, 3.8))
for steps, run in runs.items():
    ax.plot(run.history["round"], run.history["log_loss"] - pooled_loss,
            label=f"{steps} local step{'s' if steps > 1 else ''}")
ax.set(yscale="log", xlabel="round", ylabel="log-loss above the pooled fit",
       title="federated averaging, five hospitals")
ax.legend()
fig.tight_layout()

# %% [markdown]
# With 5 or 25 local steps the loss falls much faster at first, and within 10 to 20 rounds
# it is close to the pooled fit; then it stops improving, and the curves stay flat at a
# small gap. One local step is slower at first, overtakes the others after 30 to 50
# rounds, and keeps falling towards the pooled fit. Why the many-step runs stop short is
# the subject of step 5. First, how good is the federated model at each hospital?

# %%
federated = runs[5]
results = pd.concat([results, pd.concat({"FedAvg (5 local steps)": scores(
    lambda site, X: expit(X @ federated.coef_ + federated.intercept_))}, axis=1)], axis=1)
results

# %% [markdown]
# The federated model does as well as the pooled one at every hospital, to the second or
# third decimal, without any patient leaving a hospital: the small hospitals get the
# benefit of the large ones' data.

# %% [markdown]
# ## Step 5: when hospitals differ (non-IID data)
#
# With several local steps, each hospital moves towards *its own* best coefficients before
# the average is taken. If the hospitals' patients were alike (statisticians say
# independent and identically distributed, **IID**), their own best coefficients would be
# nearly the same, and averaging them would land near the pooled optimum. When they differ,
# the hospitals pull in different directions and the average settles at a point that is
# not the pooled optimum: **client drift**.
#
# To see it, we keep the same 3,870 training patients (so the pooled optimum stays the
# same) and only change how they are divided among five sites: at random (IID), by their
# real hospital, and by age (the youngest fifth at one site, the oldest at another, an
# extreme case). For each division, FedAvg runs 300 rounds with 1, 10 and 50 local steps.
# We report how far the final loss is above the pooled optimum, and the difference of the
# intercept: a negative value means the model predicts risks that are too low overall.

# %%
divisions = {
    "at random (IID)": np.random.default_rng(0).integers(0, 5, len(y_pool)),
    "by hospital": np.repeat(np.arange(5), list(SIZES.values())),
    "by age": pd.qcut(pd.concat(train.values())["age"], 5, labels=False).to_numpy(),
}
drift = {}
for division, site_of in divisions.items():
    Xs = [X_pool[site_of == s] for s in range(5)]
    ys = [y_pool[site_of == s] for s in range(5)]
    for steps in (1, 10, 50):
        run = bk.multisite.fedavg(Xs, ys, rounds=300, local_steps=steps, learning_rate=1.0)
        drift[division, steps] = {"loss above pooled": run.history["log_loss"].iloc[-1] - pooled_loss,
                                  "intercept difference": run.intercept_ - pooled.intercept_[0],
                                  "largest coefficient difference": np.abs(run.coef_ - pooled.coef_[0]).max()}
drift = pd.DataFrame(drift).T.rename_axis(["division", "local steps"])
drift.style.format("{:.2g}")

# %% [markdown]
# With one local step, the division makes no difference: FedAvg is then pooled gradient
# descent, whoever holds which patients, and after 300 rounds it has reached the pooled fit.
# With 10 or 50 local steps, the random division stays close to the pooled fit, while the
# division by hospital and the division by age leave a gap in the loss 30 to 170 times
# larger, and an intercept 0.07 to 0.2 below the pooled one: the federated model
# under-predicts risk overall. The gaps look small in log-loss, but an intercept 0.2 too
# low makes every patient's odds of the event about 18 % too low.
#
# The practical lessons: with hospitals that differ, take few local steps (more rounds), or
# reduce the learning rate as the rounds go on, or use a variant designed for this (FedProx
# and SCAFFOLD are two); and always check the federated model's calibration at every site.

# %% [markdown]
# ## Step 6: secure aggregation
#
# In plain FedAvg the server sees every hospital's coefficients, and coefficients fitted
# on few patients can reveal something about them. **Secure aggregation** lets the server
# learn the *sum* of the updates and nothing else. One simple way is **additive secret
# sharing**. A hospital turns its update into integers (fixed point: multiply by 2^32 and
# round) and splits it into random-looking pieces, one per hospital, that add up to it
# modulo 2^64 (the arithmetic of a clock with 2^64 hours). Every piece but the last is drawn
# uniformly at random, and the last is whatever makes the sum come out right. Any piece,
# alone, is a uniformly random number whatever the update was. All the pieces together give
# it back:

# %%
shares = bk.multisite.secret_shares([2.5], n_shares=3, random_state=0)
print("the three shares:", shares[:, 0])
print("as fractions of 2**64:", (shares[:, 0] / 2.0 ** 64).round(3))
print("all shares together:", bk.multisite.reconstruct(shares))

# %% [markdown]
# For a sum, each hospital sends its *j*-th share to hospital *j*; every hospital adds the
# shares it received and sends only that total to the server; the server adds the totals.
# Every message the server receives is a sum of random shares, so it is itself uniformly
# random, and yet the messages add up to the sum of the updates. `bk.multisite.secure_sum`
# simulates this. Here three hospitals send the three sums of step 2 (counts, sums, sums of
# squares):

# %%
three = [sums(train[site]) for site in ("site_3", "site_4", "site_5")]
secure = bk.multisite.secure_sum(three, random_state=0)
print("plain sum of the counts and of the first two feature sums:", np.sum(three, axis=0)[:3])
print("secure sum, the same values:                              ", secure.total[:3].round(6))
print("what the server received for them, as fractions of 2**64:")
print((secure.messages[:, :3] / 2.0 ** 64).round(3))

# %% [markdown]
# A concrete way to see that the server learns nothing but the total: change the updates
# so that the hospitals' values are completely different but add up to the same total, and
# keep the hospitals' random draws the same. The server receives *exactly the same
# messages*, so nothing it sees can tell the two situations apart.

# %%
updates = np.array([[120.0, 3.5], [250.0, -1.0], [500.0, 8.25]])
disguised = np.array([[1.0, 100.0], [769.0, -90.0], [100.0, 0.75]])         # same column sums
print("same totals:", updates.sum(axis=0), disguised.sum(axis=0))
print("identical server view:", (bk.multisite.secure_sum(updates, random_state=3).messages
                                 == bk.multisite.secure_sum(disguised, random_state=3).messages).all())

# %% [markdown]
# In FedAvg with `secure=True`, each hospital sends its size and its size-weighted
# coefficients through `secure_sum`, and the server divides one sum by the other. The
# result is the same model, up to the fixed-point precision:

# %%
secure_run = bk.multisite.fedavg(X_sites, y_sites, rounds=200, local_steps=5, learning_rate=1.0, secure=True)
print("largest difference from plain FedAvg:", np.abs(secure_run.coef_ - federated.coef_).max())

# %% [markdown]
# What secure aggregation does **not** protect, so that nobody oversells it:
#
# - the *total* itself: with two hospitals, each can subtract its own update from the total
#   and read the other's;
# - the final model, which is shared with everyone and can leak information about the
#   patients it was fitted on (membership inference, lesson 14); differential privacy adds
#   noise to limit that;
# - collusion: a server that works together with all but one hospital learns that
#   hospital's update;
# - hospitals dropping out mid-round, which breaks this simple scheme. Production protocols
#   (Bonawitz et al. 2017, Flower's SecAgg+) use pairwise masks agreed by key exchange and
#   survive drop-outs.

# %% [markdown]
# ## Step 7: leave one site out
#
# A model meant for hospitals beyond the federation should be validated at a hospital it
# has not seen. **Leave-one-site-out** validation fits the model on all hospitals but one,
# tests it on the one left out, and repeats for each hospital.
# `bk.multisite.leave_one_site_out` does this for any scikit-learn model (here the pooled
# logistic regression, with its scaler refitted each time) and reports, per held-out
# hospital, the AUC with its DeLong interval, calibration-in-the-large (`citl`, 0 is ideal)
# and the calibration slope (1 is ideal), with a last row that pools the hospitals by
# random-effects meta-analysis.

# %%
development = pd.concat(train.values())
loso = bk.multisite.leave_one_site_out(make_pipeline(StandardScaler(), unpenalised()),
                                       development[FEATURES], development["event"], development["site"])
loso[["n", "events", "auc", "auc_low", "auc_high", "citl", "citl_low", "citl_high", "slope"]]

# %% [markdown]
# The AUCs are similar at every hospital, within their intervals. Calibration is not:
# calibration-in-the-large is above 0 at sites 1 and 2 (the model from the other hospitals
# under-predicts there) and below 0 at site 4, and for these three the interval excludes 0.
# Yet the true outcome model is the same at every hospital. How much of this is chance?
# The simulation lets us check: the true risks are calibrated by construction, so their
# calibration-in-the-large at each hospital differs from 0 by chance alone.

# %%
true_calibration = bk.validation.external_validation(development["event"], development["true_risk"],
                                                     development["site"]).drop(index="all validation")
pd.DataFrame({"citl, model from the other hospitals": loso["citl"].drop(index="pooled (random effects)"),
              "citl, true risks": true_calibration["citl"]})

# %% [markdown]
# At site 4 the true risks are as far off as the model: that hospital simply had fewer
# events than its patients' risks implied (20 where about 28 were expected), bad luck that
# no model can foresee. At sites 1 and 2 the true risks are close to 0 or below it, while
# the model's values are 0.3 and 0.2 above: that part is the model's error. A straight line
# on the logit scale only approximates the true, partly non-linear risk (lesson 02), and
# the best approximation depends on the case mix it was fitted on. Site 2's older patients,
# for example, are in the age range where the true risk rises faster than the line learned
# mostly from younger patients. The smallest site, with 13 events, has intervals too wide
# to say anything.
#
# `bk.multisite.pool_sites` adds what the random-effects pooling of lesson 08 estimates on
# the way:
#
# - `tau2` (**tau²**): the variance of the true values between hospitals, beyond what the
#   sampling noise of each hospital explains; 0 means the hospitals agree within chance;
# - `i2` (**I²**): the share of the observed spread between hospitals that is due to real
#   differences rather than chance (0 to 1);
# - the **prediction interval**: where the measure of a *new* hospital is expected to fall.
#   The confidence interval (`low`, `high`) is for the *average* over hospitals; the
#   prediction interval adds the between-hospital variance tau², so it is wider whenever
#   tau² > 0.

# %%
SUMMARY = ["pooled", "low", "high", "prediction_low", "prediction_high", "tau2", "i2"]
bk.multisite.pool_sites(loso).loc[["auc", "citl", "slope"], SUMMARY]

# %% [markdown]
# For the AUC the hospitals agree within chance (`tau2` of 0), and a new hospital's AUC is
# expected between about 0.75 and 0.81. For calibration-in-the-large they disagree (`i2`
# about two thirds), and a new hospital's value could lie anywhere from about -0.5 to 0.8:
# the model's overall risk level may need checking and recalibrating at each new hospital.

# %% [markdown]
# The same validation works for the federated model: for each hospital left out, the other
# four run FedAvg (with the standardisation from their own sums), and the held-out
# hospital scores the result. The AUCs agree with those of the pooled model above.

# %%
federated_loso = {}
for left_out in SIZES:
    others = [site for site in SIZES if site != left_out]
    stats = sum(sums(train[site]) for site in others)
    m = stats[1:k + 1] / stats[0]
    s = np.sqrt(stats[k + 1:] / stats[0] - m ** 2)
    run = bk.multisite.fedavg([(train[site][FEATURES].to_numpy(float) - m) / s for site in others],
                              [train[site]["event"].to_numpy() for site in others],
                              rounds=300, local_steps=1, learning_rate=1.0)
    held = train[left_out]
    risk = expit((held[FEATURES].to_numpy(float) - m) / s @ run.coef_ + run.intercept_)
    federated_loso[left_out] = roc_auc_score(held["event"], risk)
pd.DataFrame({"pooled model": loso["auc"].drop(index="pooled (random effects)"),
              "federated model": pd.Series(federated_loso)})

# %% [markdown]
# ### Exercise 1: weight hospitals equally?
#
# By default the server weights each hospital by its number of patients, which makes
# FedAvg minimise the pooled loss. Run `bk.multisite.fedavg` on `X_sites`, `y_sites` with
# `weighting="equal"` (every hospital counts the same), 300 rounds, one local step and a
# learning rate of 1. Compare its test AUC and log-loss at each hospital with the pooled
# model (`scores(...)`). Which hospitals gain and which lose, and why?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 1
equal = bk.multisite.fedavg(X_sites, y_sites, rounds=300, local_steps=1, learning_rate=1.0, weighting="equal")
print(pd.concat({"pooled": scores(lambda site, X: pooled.predict_proba(X)[:, 1]),
                 "equal weights": scores(lambda site, X: expit(X @ equal.coef_ + equal.intercept_))}, axis=1))
# Equal weights minimise the *average of the hospitals' mean losses*: each of site 5's 120
# patients then counts as much as about 17 of site 1's. No hospital gains much: sites 3
# and 4 gain in the third decimal, while sites 1, 2 and even site 5 lose a little. The small
# hospitals have few events, so giving them more weight adds their noise rather than
# fitting them better. Equal weighting is a choice between hospitals, not a free
# improvement.

# %% [markdown]
# ### Exercise 2: a budget of 20 rounds
#
# Each round costs a round trip to every hospital (in practice often hours, with people in
# the loop). With only 20 rounds, which number of local steps (1, 5, 20 or 100) gives the
# lowest training log-loss, with the real division by hospital? Compare with the pooled loss
# `pooled_loss`, and look at the intercept difference as in step 5.

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 2
budget = {}
for steps in (1, 5, 20, 100):
    run = bk.multisite.fedavg(X_sites, y_sites, rounds=20, local_steps=steps, learning_rate=1.0)
    budget[steps] = {"loss above pooled": run.history["log_loss"].iloc[-1] - pooled_loss,
                     "intercept difference": run.intercept_ - pooled.intercept_[0]}
print(pd.DataFrame(budget).T)
# With 20 rounds, one local step is far from converged (its intercept is still 0.4 off);
# 5 local steps come closest. With 20 and 100 local steps each hospital runs towards its own
# optimum every round, and the average carries the drift of step 5 (an intercept 0.13 and
# 0.25 too low). The best choice depends on how different the hospitals are: with a small
# budget, a moderate number of local steps wins.

# %% [markdown]
# ### Exercise 3: a secure count
#
# The federation wants the overall event rate and the mean age of all training patients,
# without any hospital revealing its own. Each hospital holds three numbers: its number of
# patients, its number of events and the sum of its patients' ages. Compute the two
# statistics with `bk.multisite.secure_sum` and check them against the pooled data
# (`development`). Then think: if the federation had only two hospitals, what could each
# learn about the other?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 3
held = [[len(d), d["event"].sum(), d["age"].sum()] for d in train.values()]
count, events, age_sum = bk.multisite.secure_sum(held, random_state=0).total
print(f"secure: event rate {events / count:.4f}, mean age {age_sum / count:.3f}")
print(f"pooled: event rate {development['event'].mean():.4f}, mean age {development['age'].mean():.3f}")
# With two hospitals, each subtracts its own numbers from the totals and reads the other's
# exactly: secure aggregation hides individual contributions only among enough parties, and
# says nothing about what the result itself reveals.

# %% [markdown]
# ### Exercise 4: leave one institution out, on real data
#
# The real `lung` data (met in lesson 05) come from 18 institutions. Define the
# outcome "death within 365 days" and leave out patients censored before day 365. Keep the
# five institutions with the most remaining patients as sites, and run
# `bk.multisite.leave_one_site_out` with
# `make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression())`
# on the predictors `["age", "sex", "ph.ecog", "ph.karno", "pat.karno", "wt.loss"]`. Read
# the intervals, then the prediction interval of the AUC from `pool_sites`. What can you
# conclude about how the model transports between institutions?

# %%
# Your code here


# %% tags=["solution"]
# Solution to exercise 4
lung = bk.datasets.load("lung").frame
lung = lung[~((lung["time"] < 365) & (lung["status"] == 0))].copy()
lung["death_1y"] = ((lung["time"] < 365) & (lung["status"] == 1)).astype(int)
largest = lung["inst"].value_counts().index[:5]
five = lung[lung["inst"].isin(largest)]
lung_model = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression())
lung_loso = bk.multisite.leave_one_site_out(
    lung_model, five[["age", "sex", "ph.ecog", "ph.karno", "pat.karno", "wt.loss"]], five["death_1y"],
    "institution " + five["inst"].astype(int).astype(str))
print(lung_loso[["n", "events", "auc", "auc_low", "auc_high", "citl", "citl_low", "citl_high"]])
print(bk.multisite.pool_sites(lung_loso).loc["auc", SUMMARY])
# With 15 to 30 patients per institution, every interval is wide: an institution's AUC
# could be anything from worse than chance to good. The data cannot say whether the model
# transports; the honest conclusion is "too few patients per site to tell", and pooling the
# sites by random effects is the most that can be said.

# %% [markdown]
# ## Take-aways
# - A model fitted at a small hospital alone overfits; a joint model helps the small
#   hospitals most. Federated averaging gets that benefit without moving patient data.
# - With full batches and one local step, a FedAvg round is a gradient step on the pooled
#   data, so FedAvg converges to the pooled model; more local steps save rounds.
# - When hospitals differ (non-IID), many local steps make the average drift away from the
#   pooled optimum, here towards risks that are too low. Check calibration at every site.
# - Secure aggregation by secret sharing lets the server learn only the sum of the
#   updates. It does not protect what the sum or the final model reveal, and needs enough
#   honest parties.
# - Leave-one-site-out validation, summarised with a random-effects mean and a prediction
#   interval, tells how the model may do at a new hospital; small sites give wide
#   intervals.
# - Real deployments use a framework such as Flower; this simulation shows the ideas.
#
# ## Self-check quiz
# 1. Why does a round of full-batch FedAvg with one local step equal a gradient step on the
#    pooled data, when hospitals are weighted by their sizes?
# 2. Three hospitals run FedAvg with 50 local steps per round. Hospital A treats mostly
#    young patients, B mostly old ones. What can go wrong, and what would you try?
# 3. In secure aggregation by additive secret sharing, what does the server see from each
#    hospital, and why does that reveal nothing about the hospital's update?
# 4. A federation of two hospitals uses secure aggregation to compute the number of
#    patients with a rare disease. Is each hospital's count private?
# 5. What does the prediction interval of a leave-one-site-out meta-analysis add to the
#    confidence interval of the pooled AUC?
#
# <details><summary>Answers</summary>
#
# 1. The pooled mean loss is the size-weighted average of the hospitals' mean losses, so
#    its gradient is the size-weighted average of their gradients. Each hospital's step is
#    the current coefficients minus the learning rate times its gradient, and averaging
#    those steps with the same weights gives exactly the pooled step.
# 2. Client drift: between averages, each hospital moves towards its own best coefficients,
#    and the average settles away from the pooled optimum, possibly miscalibrated at both
#    hospitals. Take fewer local steps (more rounds), a smaller learning rate, or a method
#    such as FedProx or SCAFFOLD, and check calibration per site.
# 3. One number per coordinate: the sum of the shares it received from all hospitals.
#    Every share but one is uniformly random and unknown to the server, so the message is
#    uniformly random whatever the update; only the sum of all messages means something,
#    and it is the total.
# 4. No: each hospital can subtract its own count from the total and learn the other's.
#    Secure aggregation protects individual contributions only when there are enough
#    parties, and never protects what the total itself reveals.
# 5. Where the AUC of a new hospital is expected to fall. It includes the real differences
#    between hospitals (the between-site variance), not only the uncertainty of the mean.
#
# </details>

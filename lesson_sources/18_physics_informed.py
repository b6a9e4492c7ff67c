# %% [markdown]
# # 18 · Physics-informed learning: growth laws, drug levels and the honest baseline
#
# Some biomedical measurements follow a law we already know. A tumour grows fast while it is
# small and slows as it outgrows its blood supply; a drug taken by mouth is absorbed, then
# eliminated. Such laws are written as ordinary differential equations (ODEs) with a handful
# of parameters: a growth rate, a carrying capacity, an elimination rate. With six
# measurements of one patient, a flexible model cannot learn a curve, but a law with three
# parameters can be fitted. A **physics-informed neural network** (PINN) mixes the two: a
# small network draws the curve, and its loss punishes both the distance to the measurements
# and any departure from the ODE, whose parameters it learns along the way. This lesson
# builds one and holds it to the standards of the series: it is compared with a plain network
# and with the classical fit of the ODE by least squares, on simulated patients whose true
# parameters and curves we know, inside and beyond the measured time window. It ends with the
# case that matters most in practice: the law is wrong.
#
# ## Learning objectives
# - Write a tumour-growth law and a one-compartment drug model as ODEs, and check a closed-form solution against a numerical solver.
# - Train a physics-informed network whose loss adds the ODE residual, with the derivative from automatic differentiation, to the data misfit, and compare the parameters it recovers with the truth.
# - Compare a physics-informed network, a plain network and a least-squares fit of the ODE on extrapolation beyond the last measurement, with paired intervals across patients.
# - Explain what a wrong growth law does to the parameters and the predictions, and when the classical fit is the better tool.
#
# ## Prerequisites
# - Lesson 02 (a neural network trained with Adam) and lesson 11 (intervals, paired comparisons).
# - A derivative as a rate of change; no more calculus than that.
#
# ## Estimated time
# 85 minutes: 40 teaching, 45 exercises (3, about 15 minutes each).
# Teaching includes the quiz. Timed for a first reading by a newcomer: the prose at about
# 120 words a minute, a minute per code cell to run it and read its output, and about 15
# minutes per exercise including its solution.
#
# ## Datasets
# - `tumour_growth` (**simulated**: tumour volumes of 10 patients, measured six times over
#   30 days with 5 % error; each tumour follows the Gompertz law with its own parameters, and
#   the true curve is known up to day 60) in Parts 2 to 6 and exercises 1 and 2.
# - `pharmacokinetics` (**simulated**: drug concentrations of 8 patients, eight samples each
#   in the 24 hours after one oral dose, one-compartment model; each patient's absorption
#   rate, elimination rate and volume are known) in Part 7 and exercise 3.
#
# No real data here: no longitudinal tumour or drug-level data ship offline with the packages
# this series uses. Everything below is about data whose law we chose, which is what lets us
# check the answers; with real patients the law itself is a hypothesis.

# %% [markdown]
# ## Setting up
#
# Every function that involves chance gets a seed, and PyTorch is asked for deterministic
# algorithms, so a rerun on the same computer prints the same numbers. The networks are tiny
# and run on the CPU. **To use a GPU**, set `DEVICE = "cuda"` (NVIDIA) or `"mps"` (Apple):
# the networks take `device=DEVICE` and return numpy arrays wherever the work ran (the last
# digits may then differ). The first line asks PyTorch's threads to sleep while they wait,
# which matters on a busy 2-core machine; it must run before PyTorch is imported. (The
# networks train on one thread: for networks this small, a second thread costs more in
# coordination than it saves.)
#
# Two helpers do the bookkeeping. `relative_error` gives, per patient, the mean absolute
# error of a predicted curve as a share of the true value. `paired` compares two methods on
# the same patients: the mean of the per-patient differences with its 95 % t interval, and the
# p-value of the paired t-test.

# %%
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from scipy import stats
from scipy.integrate import solve_ivp

import biomedkit as bk
from biomedkit.simulate.dynamics import gompertz_curve, logistic_curve

DEVICE = "cpu"
torch.manual_seed(0)
torch.use_deterministic_algorithms(True)
pd.set_option("display.float_format", "{:.3f}".format)


def relative_error(predicted, true):
    """Per patient (row): mean of |predicted - true| / true."""
    return (np.abs(np.asarray(predicted) - true) / true).mean(axis=1)


def paired(a, b, level=0.95):
    """Mean of a - b over patients, its t interval and the paired t-test's p-value."""
    d = np.asarray(a, float) - np.asarray(b, float)
    half = stats.t.ppf((1 + level) / 2, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    return {"mean difference": d.mean(), "low": d.mean() - half, "high": d.mean() + half,
            "p-value": stats.ttest_rel(a, b).pvalue}


# %% [markdown]
# ## Part 1: two laws of tumour growth
#
# Let $N(t)$ be the volume of a tumour at time $t$ (days). Two classical laws (reviewed by
# Benzekry et al., 2014):
#
# - **logistic**: $dN/dt = r N (1 - N/K)$. Near-exponential growth at rate $r$ while the
#   tumour is small, then a plateau at the **carrying capacity** $K$; the growth is fastest
#   at $K/2$.
# - **Gompertz**: $dN/dt = r N \log(K/N)$. The relative growth rate falls steadily as the
#   tumour grows; the growth is fastest at $K/e$, earlier and lower, and the approach to $K$
#   is slower.
#
# Both have closed-form solutions, which `bk.simulate.dynamics` provides
# (`logistic_curve`, `gompertz_curve`). A closed form is a claim; the cell checks it against
# scipy's numerical ODE solver, which knows nothing but the right-hand side.

# %%
n0, r, K = 50.0, 0.07, 1500.0
days = np.linspace(0, 60, 121)
numerical = solve_ivp(lambda t, n: r * n * np.log(K / n), (0, 60), [n0], t_eval=days,
                      rtol=1e-10, atol=1e-10).y[0]
closed = gompertz_curve(days, N0=n0, r=r, K=K)
print(f"Gompertz: largest relative difference from the numerical solution {np.max(np.abs(closed / numerical - 1)):.1e}")

fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(days, closed, label="Gompertz, r = 0.07 per day")
ax.plot(days, logistic_curve(days, N0=n0, r=0.15, K=K), label="logistic, r = 0.15 per day")
ax.axhline(K, color="grey", lw=0.8, ls=":")
ax.set_xlabel("days")
ax.set_ylabel("tumour volume (mm³)")
ax.set_title("Two growth laws with the same start and plateau")
ax.legend()
plt.show()

# %% [markdown]
# The growth rates are not comparable between the laws ($r$ means something different in
# each), which is why the plot uses two values: both curves start at 50 mm³ and level off at
# 1,500 mm³, with different shapes on the way.
#
# ## Part 2: ten patients, six measurements each
#
# `bk.simulate.tumour_growth` draws patients whose tumours follow the Gompertz law, each with
# its own initial volume $N_0$, rate $r$ and capacity $K$ (log-normal around typical values).
# Each tumour is measured at day 0 and about every six days up to day 30, with a 5 % error
# (proportional: larger tumours, larger errors). The truth keeps every patient's parameters
# and the noise-free curve up to day 60. Our task, as in a clinic: from the first month,
# estimate each patient's parameters and predict the second month.

# %%
data, truth = bk.simulate.tumour_growth(n_patients=10, model="gompertz", noise_level=0.05, follow_up=30,
                                        horizon=60, random_state=0)
frame = data.frame
print(truth)
print(frame.head(6))
truth.parameters

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
for pid, rows in frame.groupby("patient"):
    curve = truth.curve[truth.curve.patient == pid]
    line, = ax.plot(curve.time, curve.value, lw=1, alpha=0.7)
    ax.plot(rows.time, rows.measurement, "o", color=line.get_color(), ms=4)
ax.axvspan(30, 60, color="grey", alpha=0.12, label="not measured: to be predicted")
ax.set_xlabel("days")
ax.set_ylabel("tumour volume (mm³)")
ax.set_title("Measurements (dots) and true curves")
ax.legend(loc="upper left")
plt.show()

# %% [markdown]
# Most tumours are still growing at day 30. Where a curve has not yet bent, its plateau $K$
# can hardly be read from the first month: keep that in mind for what follows.
#
# ## Part 3: the honest baseline, least squares on the law
#
# The classical approach fits the law itself: for each patient, find the three parameters
# whose curve comes closest to the six measurements (least squares, with
# `scipy.optimize.least_squares` on the closed form). `bk.deep.fit_ode` does this and adds a
# 95 % interval for each parameter from the curvature of the fit. Those intervals assume the
# law is right and are rough with six points, but they say something a single number cannot:
# how much the data pin a parameter down.

# %%
start = time.process_time()
ls = bk.deep.fit_ode(frame.time, frame.measurement, model="gompertz", patient=frame.patient)
ls_seconds = time.process_time() - start
K_table = ls.to_frame().query("parameter == 'K'").set_index("patient")[["estimate", "low", "high"]]
K_table.insert(0, "true K", truth.parameters.K)
K_table["high / low"] = K_table["high"] / K_table["low"]
K_table["holds the truth"] = (K_table["low"] <= K_table["true K"]) & (K_table["true K"] <= K_table["high"])
print(f"intervals that hold the true K: {K_table['holds the truth'].sum()} of {len(K_table)}")
K_table

# %% [markdown]
# For some patients the interval for $K$ is narrow; for others its upper end is several times
# its lower end. Where a curve has not bent by day 30, the first month says little about the
# plateau, and the least-squares fit says so. Count how many intervals hold the true $K$:
# with six points, intervals from the curvature of the fit are approximate, and they assume
# the law is right, so expect most but not necessarily all of them to.
#
# ## Part 4: a plain network, and a physics-informed one
#
# ### Step 1: what automatic differentiation gives
#
# A PINN needs the derivative $du/dt$ of the network's output with respect to its input, at
# any time we choose. PyTorch's automatic differentiation gives it exactly (`create_graph=True`
# keeps it differentiable, so it can sit inside a loss that is itself differentiated). The
# check below compares it with a finite difference on a small untrained network.

# %%
net = torch.nn.Sequential(torch.nn.Linear(1, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
t = torch.linspace(-1, 1, 5).reshape(-1, 1).requires_grad_(True)
u = net(t)
du_dt = torch.autograd.grad(u.sum(), t, create_graph=True)[0]
step = 1e-3
finite = (net(t.detach() + step) - net(t.detach() - step)) / (2 * step)
print("autograd:         ", du_dt.detach().ravel().numpy().round(4))
print("finite difference:", finite.detach().ravel().numpy().round(4))

# %% [markdown]
# ### Step 2: the two networks
#
# `bk.deep.PhysicsInformedODE` gives each patient a network $u(t)$, two hidden layers of 32
# tanh units, and trains it with Adam (3,000 steps, all patients side by side) on
#
# $$\text{loss} = \underbrace{\text{mean}_i \big(u(t_i) - y_i\big)^2}_{\text{data misfit}}
#   + w \cdot \underbrace{\text{mean}_j \big(du/dt - r\,u \log(K/u)\big)^2\big|_{t = c_j}}_{\text{ODE residual}}$$
#
# with both terms on a common scale (each patient's volumes divided by its largest
# measurement, time mapped to $[-1, 1]$). The residual is evaluated at 100 **collocation
# times** $c_j$ spread over days 0 to 60, including the month without data: that is where the
# physics does its work. $r$ and $K$ are trained with the weights, and $N_0$ is read off as
# $u(0)$. The first fifth of the steps fit the data alone: a network that starts on both
# terms at once tends to satisfy the ODE with a curve that ignores the data. The weight is
# `physics_weight=0.1`; exercise 2 varies it.
#
# The **plain network** is the same network, with the same data, steps and seed, and
# `physics_weight=0`: the comparison isolates the physics. Both start from the same
# parameter guesses as the least-squares fit.

# %%
settings = dict(steps=3000, horizon=60, device=DEVICE, random_state=0)
start = time.process_time()
pinn = bk.deep.PhysicsInformedODE("gompertz", **settings).fit(frame.time, frame.measurement,
                                                              patient=frame.patient)
pinn_seconds = time.process_time() - start
plain = bk.deep.PhysicsInformedODE("gompertz", physics_weight=0, **settings).fit(frame.time, frame.measurement,
                                                                                 patient=frame.patient)
print(f"CPU seconds: least squares {ls_seconds:.2f}, physics-informed network {pinn_seconds:.1f}")

fig, ax = plt.subplots(figsize=(6, 4))
ax.semilogy(pinn.history_.data, label="PINN: data misfit")
ax.semilogy(pinn.history_.physics.replace(0, np.nan), label="PINN: ODE residual")
ax.semilogy(plain.history_.data, label="plain network: data misfit", color="grey")
ax.axvline(600, color="k", lw=0.8, ls=":")
ax.set_xlabel("Adam step (the physics joins at the dotted line)")
ax.set_ylabel("loss, summed over patients")
ax.set_title("Training")
ax.legend()
plt.show()

# %% [markdown]
# When the physics joins, the residual is large (the curve drawn from the data alone does not
# obey the law, least of all after day 30) and falls by orders of magnitude. The data misfit
# jumps with it, then settles above the plain network's: the PINN gives up some closeness to
# the noisy points in exchange for a curve that obeys the law. The plain network fits the
# points ever more closely, noise included.

# %% [markdown]
# ## Part 5: parameters and predictions, against the truth
#
# ### Step 1: the curves
#
# Each panel is one patient: the six measurements, the true curve, and the three fits.

# %%
grid = np.linspace(0, 60, 121)
later = grid >= 30
true_curves = np.vstack([truth.value(grid, pid) for pid in range(10)])
fits = {"plain network": plain.predict(grid), "PINN": pinn.predict(grid), "least squares": ls.predict(grid)}
styles = {"plain network": dict(color="tab:purple"), "PINN": dict(color="tab:blue"),
          "least squares": dict(color="tab:orange", ls="--")}
fig, axes = plt.subplots(2, 5, figsize=(15, 6), sharex=True)
for pid, ax in enumerate(axes.ravel()):
    rows = frame[frame.patient == pid]
    ax.plot(grid, true_curves[pid], color="k", lw=2, alpha=0.3, label="truth")
    for name, curves in fits.items():
        ax.plot(grid, curves[pid], lw=1.2, label=name, **styles[name])
    ax.plot(rows.time, rows.measurement, "ko", ms=3)
    ax.axvspan(30, 60, color="grey", alpha=0.1)
    ax.set_title(f"patient {pid}")
axes[0, 0].legend(fontsize=8)
for ax in axes[1]:
    ax.set_xlabel("days")
for ax in axes[:, 0]:
    ax.set_ylabel("mm³")
plt.tight_layout()
plt.show()

# %% [markdown]
# Inside the first month all three follow the points. After day 30 the plain network has
# nothing to go on: its curve does whatever its tanh units do once they leave the data. It
# may level off, fall or keep rising, and it is sometimes right by luck. The PINN and least
# squares extrapolate along a Gompertz curve, and nearly always along the same one.
#
# ### Step 2: extrapolation error, paired by patient
#
# For each patient, the mean relative error of each method's curve against the true curve
# from day 30 to day 60, then the paired comparisons:

# %%
errors = pd.DataFrame({name: relative_error(curves[:, later], true_curves[:, later])
                       for name, curves in fits.items()})
errors.index.name = "patient"
print(errors.T.round(3))
print("\nmean:", errors.mean().round(3).to_dict())
pd.DataFrame({"PINN - plain network": paired(errors["PINN"], errors["plain network"]),
              "PINN - least squares": paired(errors["PINN"], errors["least squares"])}).T

# %% [markdown]
# Read the two rows by their intervals. The physics-informed network against the plain one,
# the same network on the same data: the physics lowers the mean error of the second month,
# but the plain network's error varies so much between patients (right by luck for some,
# far off for others) that with ten patients the interval reaches, or nearly reaches, 0.
# The PINN against least squares: the two are close, because with the right law the PINN
# draws nearly the least-squares curve. Their difference is small next to the differences
# between patients, and least squares reached its answer in a small fraction of the PINN's
# computing time (printed above), with intervals on top.
#
# ### Step 3: the parameters
#
# The error of each estimated parameter, as $|\log(\text{estimate} / \text{truth})|$ (0 is
# exact; `0.1` is about 10 % off), per patient:

# %%
def log_errors(estimates):
    return np.abs(np.log(estimates[["N0", "r", "K"]] / truth.parameters[["N0", "r", "K"]]))


recovery = pd.concat({"PINN": log_errors(pinn.parameters_), "least squares": log_errors(ls.parameters)}, axis=1)
print(recovery.round(3))
print("\nmedian over patients:\n", recovery.median().unstack().round(3))
print("rank correlation of the two methods' K errors over patients:",
      round(stats.spearmanr(recovery["PINN"]["K"], recovery["least squares"]["K"]).statistic, 2))
pd.DataFrame({f"{p}: PINN - least squares": paired(recovery["PINN"][p], recovery["least squares"][p])
              for p in ("r", "K")}).T

# %% [markdown]
# Both methods recover $N_0$ and $r$ better than $K$, and the patients that are hard for one
# are hard for the other (the rank correlation): no method can read a plateau from a curve
# that has not yet bent. The PINN's errors are a little smaller on average, and for one
# parameter the paired interval may exclude 0. Is the network, then, better than the
# classical fit? The next step tests the obvious alternative explanation.
#
# ### Step 4: is the PINN better than least squares, or just not finished?
#
# Both methods start from the same guess (for $K$, one and a half times the largest
# measurement) and move towards the parameters that fit the data. Least squares runs until it
# gets there. The PINN stops after 3,000 steps of Adam, wherever it is, and its physics is a
# soft penalty. If the PINN's parameters still lie between the starting guess and the
# least-squares answer, stopping early acts as a pull towards the guess, and with noisy data
# such a pull can help a little, as a prior would. The test: train the same PINN longer and see
# whether it moves to least squares, and whether its edge survives.

# %%
longer = bk.deep.PhysicsInformedODE("gompertz", **{**settings, "steps": 8000}).fit(frame.time, frame.measurement,
                                                                                    patient=frame.patient)
rows = {}
for name, model in (("PINN, 3,000 steps", pinn), ("PINN, 8,000 steps", longer)):
    estimates = model.parameters_[["r", "K"]]
    rows[name] = {"r: distance from least squares": np.abs(np.log(estimates.r / ls.parameters.r)).mean(),
                  "K: distance from least squares": np.abs(np.log(estimates.K / ls.parameters.K)).mean(),
                  "r: error": log_errors(model.parameters_)["r"].mean(),
                  "K: error": log_errors(model.parameters_)["K"].mean(),
                  "error after day 30": relative_error(model.predict(grid)[:, later], true_curves[:, later]).mean()}
rows["least squares"] = {"r: error": recovery["least squares"]["r"].mean(), "K: error": recovery["least squares"]["K"].mean(),
                         "error after day 30": errors["least squares"].mean()}
pd.DataFrame(rows).T

# %% [markdown]
# The distances are mean $|\log|$ ratios between the PINN's and the least-squares estimates;
# the errors are mean $|\log|$ ratios to the truth. Trained longer, the PINN moves towards the
# least-squares estimates, and its errors move towards theirs: its edge was a side effect of
# stopping early, not information that least squares missed. A pull towards a prior value can
# be worth having with six noisy points, but then it belongs in the fit, stated and tuned (a
# penalised or Bayesian fit, or a population model that borrows strength across patients, as
# pharmacometricians do with nonlinear mixed-effects models), not left to a step count.

# %% [markdown]
# ## Part 6: when the law is wrong
#
# Suppose we believed the tumours grow logistically. We fit a logistic PINN, and a logistic
# least-squares fit, to the same Gompertz tumours. Three questions: do the wrong fits still
# fit the data? What happens to $K$? And to the second month?

# %%
wrong = bk.deep.PhysicsInformedODE("logistic", **settings).fit(frame.time, frame.measurement, patient=frame.patient)
ls_wrong = bk.deep.fit_ode(frame.time, frame.measurement, model="logistic", patient=frame.patient)
print("residual standard deviation over the six points (mm³), median over patients:")
print(f"  Gompertz fit {ls.residual_sd.median():.1f}; logistic fit {ls_wrong.residual_sd.median():.1f}")

wrong_errors = relative_error(wrong.predict(grid)[:, later], true_curves[:, later])
log_K = pd.DataFrame({"Gompertz PINN": np.log(pinn.parameters_.K / truth.parameters.K),
                      "logistic PINN": np.log(wrong.parameters_.K / truth.parameters.K),
                      "logistic least squares": np.log(ls_wrong.parameters.K / truth.parameters.K)})
print("\nlog(estimated K / true K), mean over patients:", log_K.mean().round(3).to_dict())
pd.DataFrame({"log K: logistic PINN - Gompertz PINN": paired(log_K["logistic PINN"], log_K["Gompertz PINN"]),
              "error after day 30: logistic - Gompertz PINN": paired(wrong_errors, errors["PINN"])}).T

# %%
fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), sharey=True)
for ax, pid in zip(axes, (0, 4, 8)):
    rows = frame[frame.patient == pid]
    ax.plot(grid, true_curves[pid], color="k", lw=2, alpha=0.3, label="truth (Gompertz)")
    ax.plot(grid, pinn.predict(grid, patient=pid), color="tab:blue", label="Gompertz PINN")
    ax.plot(grid, wrong.predict(grid, patient=pid), color="tab:red", label="logistic PINN")
    ax.plot(rows.time, rows.measurement, "ko", ms=3)
    ax.axvspan(30, 60, color="grey", alpha=0.1)
    ax.set_title(f"patient {pid}")
    ax.set_xlabel("days")
axes[0].set_ylabel("mm³")
axes[0].legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# The wrong law fits the six points nearly as well as the right one: the data of the first
# month can hardly tell the two laws apart. But the choice has consequences. A logistic curve that
# matches the early growth must level off sooner, so it places the plateau lower: the
# logistic estimates of $K$ fall below the Gompertz ones for most patients, with the paired
# interval above. The PINN inherits the error of its law, as least squares does (compare their
# mean log ratios printed above): nothing in its loss can tell it that the law is wrong. What
# the extrapolation loses is in the second row of the table; with ten patients, read its
# interval before its mean.
#
# This is the honest limit of physics-informed learning. The physics is a strong prior, and a
# prior helps exactly as much as it is true. Nothing in the training loss warns when it is
# not; only data from the time we want to predict (here, the second month) can.

# %% [markdown]
# ## Part 7: drug levels after an oral dose
#
# The same tools work for pharmacokinetics. After an oral dose $D$ at time 0, the amount
# $A$ in the gut is absorbed at rate $k_a$, and the concentration $C$ in a volume $V$ is
# eliminated at rate $k_e$:
#
# $$dA/dt = -k_a A,\quad dC/dt = k_a A / V - k_e C,\quad A(0) = D,\ C(0) = 0,$$
#
# solved by the Bateman function $C(t) = \frac{D k_a}{V (k_a - k_e)} (e^{-k_e t} - e^{-k_a t})$.
# For the PINN, $A = D e^{-k_a t}$ is exact, the network draws $C$, and the loss adds
# $C(0) = 0$; time enters the network on a logarithmic scale, because the curve changes most
# in the first hour. We simulate 8 patients with eight samples each over 24 hours (10 %
# error) and compare the estimates of both methods with the truth. (With oral data alone,
# $k_a$ and $k_e$ can swap roles, "flip-flop" kinetics; both fits start from $k_a > k_e$.)

# %%
drug, drug_truth = bk.simulate.pharmacokinetics(n_patients=8, route="oral", dose=100.0, n_times=8,
                                                noise_level=0.1, random_state=0)
d = drug.frame
drug_ls = bk.deep.fit_ode(d.time, d.measurement, model="pk_oral", patient=d.patient, dose=d.dose)
drug_pinn = bk.deep.PhysicsInformedODE("pk_oral", steps=3000, horizon=24, device=DEVICE, random_state=0)
drug_pinn.fit(d.time, d.measurement, patient=d.patient, dose=d.dose)
drug_recovery = pd.concat({"PINN": np.abs(np.log(drug_pinn.parameters_ / drug_truth.parameters)),
                           "least squares": np.abs(np.log(drug_ls.parameters / drug_truth.parameters))}, axis=1)
print("|log(estimate / truth)|, median over patients:\n", drug_recovery.median().unstack().round(3))

hours = np.linspace(0, 24, 241)
fig, ax = plt.subplots(figsize=(6, 4))
for pid, colour in ((0, "tab:blue"), (1, "tab:green")):
    rows = d[d.patient == pid]
    ax.plot(hours, drug_truth.value(hours, pid), color=colour, lw=2, alpha=0.3)
    ax.plot(hours, drug_pinn.predict(hours, patient=pid), color=colour, label=f"patient {pid}: PINN")
    ax.plot(hours, drug_ls.predict(hours, patient=pid), color=colour, ls="--", label=f"patient {pid}: least squares")
    ax.plot(rows.time, rows.measurement, "o", color=colour, ms=4)
ax.set_xlabel("hours after the dose")
ax.set_ylabel("concentration (mg/L)")
ax.set_title("Two patients: samples, truth (thick) and fits")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# The story repeats: with the right model, the PINN and least squares land on similar
# estimates, and $k_a$ (set by the first few samples) is the hardest to pin down for both.
# The PINN had to be helped twice
# (the gut solved exactly, a logarithmic time axis) to train at all; the closed form needed
# no help.
#
# **When is a PINN worth it, then?** When there is no closed form and no cheap solver (partial
# differential equations on awkward geometries, such as blood flow or drug diffusion in
# tissue), when part of the law is unknown and a network should learn that part, or when the
# same network must serve many conditions at once. For an ODE with a few parameters and a
# closed form or a fast solver, the classical fit is the baseline to beat, and here it is not
# beaten.

# %% [markdown]
# ### Exercise 1: fewer measurements
#
# Simulate the same ten patients but measured only four times in 30 days
# (`n_times=4`, otherwise as in Part 2, `random_state=0`). Fit least squares and a Gompertz
# PINN (3,000 steps, horizon 60), and compare their errors after day 30 with those of Part 5
# (`errors`). Which method suffers more from the missing points, and what do the
# least-squares intervals for $K$ say?

# %%
# Your code here

# %% tags=["solution"]
# Solution to exercise 1
sparse, sparse_truth = bk.simulate.tumour_growth(n_patients=10, model="gompertz", n_times=4, noise_level=0.05,
                                                 follow_up=30, horizon=60, random_state=0)
s = sparse.frame
sparse_ls = bk.deep.fit_ode(s.time, s.measurement, model="gompertz", patient=s.patient)
sparse_pinn = bk.deep.PhysicsInformedODE("gompertz", **settings).fit(s.time, s.measurement, patient=s.patient)
sparse_true = np.vstack([sparse_truth.value(grid, pid) for pid in range(10)])[:, later]
sparse_errors = pd.DataFrame({"least squares": relative_error(sparse_ls.predict(grid)[:, later], sparse_true),
                              "PINN": relative_error(sparse_pinn.predict(grid)[:, later], sparse_true)})
print(pd.DataFrame({"six points": errors[["least squares", "PINN"]].mean(),
                    "four points": sparse_errors.mean()}).round(3))
k_rows = sparse_ls.to_frame().query("parameter == 'K'")
print("least-squares K interval, high / low:", (k_rows.high / k_rows.low).round(1).tolist())
print(paired(sparse_errors["PINN"], sparse_errors["least squares"]))
# With four points for three parameters, least squares has one point to spare: most of its K
# intervals become enormous, and both methods extrapolate worse. The PINN's error grew less here
# (the paired interval says how sure that is): with so little data, its pull towards the
# starting guess (Part 5, step 4) matters more.
# That is an unstated prior; a stated one (a penalised fit, or a population model that pools
# the patients) is the principled way to use it.

# %% [markdown]
# ### Exercise 2: the weight of the physics
#
# Refit the Gompertz PINN of Part 4 with `physics_weight=0.01` and `physics_weight=1.0`
# (3,000 steps each). For each weight, report the final data misfit and ODE residual
# (`history_.iloc[-1]`), the median $|\log(\hat K / K)|$ over patients, and the mean
# extrapolation error after day 30. What goes wrong at each end?

# %%
# Your code here

# %% tags=["solution"]
# Solution to exercise 2
rows = {}
for weight, model in ((0.01, None), (0.1, pinn), (1.0, None)):
    if model is None:
        model = bk.deep.PhysicsInformedODE("gompertz", physics_weight=weight, **settings)
        model.fit(frame.time, frame.measurement, patient=frame.patient)
    rows[weight] = {**model.history_.iloc[-1].to_dict(),
                    "K: distance from least squares": np.abs(np.log(model.parameters_.K / ls.parameters.K)).mean(),
                    "median |log K error|": log_errors(model.parameters_)["K"].median(),
                    "error after day 30": relative_error(model.predict(grid)[:, later], true_curves[:, later]).mean()}
print(pd.DataFrame(rows).T.rename_axis("physics_weight").round(4))
# A small weight leaves a visible ODE residual: the curve bends away from the law where that
# helps the noisy points, and the parameters no longer describe the curve exactly. A large
# weight enforces the law but makes the loss harder to minimise: in the same number of steps
# the data misfit stays higher and the parameters stay nearer their starting guess, which is
# the pull of Part 5, step 4, not a better use of the data (look at the distance from least
# squares).

# %% [markdown]
# ### Exercise 3: an intravenous dose
#
# Simulate 8 patients given 100 mg as an intravenous bolus, sampled as in Part 7
# (`route="iv"`, `n_times=8`, `noise_level=0.1`, `random_state=0`). Fit least squares and a
# PINN (`"pk_iv"`, 3,000 steps, horizon 24). Compare each patient's estimated half-life,
# $\log 2 / k_e$, with the true one, and the median error of $k_e$ with Part 7's oral dose.
# Do the two methods agree? Can eight patients per design tell you which design estimates
# elimination better, and how would you find out?

# %%
# Your code here

# %% tags=["solution"]
# Solution to exercise 3
iv, iv_truth = bk.simulate.pharmacokinetics(n_patients=8, route="iv", dose=100.0, n_times=8, noise_level=0.1,
                                            random_state=0)
v = iv.frame
iv_ls = bk.deep.fit_ode(v.time, v.measurement, model="pk_iv", patient=v.patient, dose=v.dose)
iv_pinn = bk.deep.PhysicsInformedODE("pk_iv", steps=3000, horizon=24, device=DEVICE, random_state=0)
iv_pinn.fit(v.time, v.measurement, patient=v.patient, dose=v.dose)
half_life = pd.DataFrame({"truth": np.log(2) / iv_truth.parameters.ke,
                          "least squares": np.log(2) / iv_ls.parameters.ke,
                          "PINN": np.log(2) / iv_pinn.parameters_.ke})
print(half_life.round(2))
ke_errors = pd.DataFrame({"IV bolus": [np.abs(np.log(iv_ls.parameters.ke / iv_truth.parameters.ke)).median(),
                                       np.abs(np.log(iv_pinn.parameters_.ke / iv_truth.parameters.ke)).median()],
                          "oral (Part 7)": [drug_recovery["least squares"]["ke"].median(),
                                            drug_recovery["PINN"]["ke"].median()]},
                         index=["least squares", "PINN"])
print("median |log(ke estimate / truth)|:\n", ke_errors.round(3))
# The two methods agree closely again. The comparison of designs is another matter: the IV
# model has one parameter fewer, but both designs learn ke from the falling part of the curve,
# sampled at the same times, and a median over eight patients moves by chance as much as by
# design. With a simulator the question has a clean answer: draw many cohorts of each design
# and compare the distributions of the errors (a simulation study, the way sampling schedules
# are planned in practice).

# %% [markdown]
# ## Take-aways
# - A mechanistic law turns six measurements into a curve with a few interpretable
#   parameters. Check a closed form against a numerical solver before trusting it.
# - A physics-informed network adds the ODE residual, with derivatives from automatic
#   differentiation at chosen collocation times, to the data misfit. The residual beyond the
#   data is what lets it extrapolate where a plain network cannot.
# - With the right law, a PINN ends up near the least-squares fit of the law, at far greater
#   cost and without intervals. For an ODE with a closed form or a fast solver, least squares
#   is the baseline to beat.
# - Parameters the data cannot pin down (a plateau not yet reached) stay uncertain whatever the
#   method; least squares says so with a wide interval, a PINN does not say it at all.
# - A wrong law fits the data it was given and misleads beyond them. Physics is a prior that
#   helps exactly as much as it is true; only data from where we predict can test it.
#
# ## Self-check quiz
# 1. What does the ODE residual at a collocation time after the last measurement add to the
#    loss, and why can a plain network not have it?
# 2. A PINN and a least-squares fit of the same ODE give nearly the same parameters. Which
#    would you report, and why?
# 3. A logistic fit and a Gompertz fit describe the first month of a tumour equally well.
#    Which quantity do they disagree on, in which direction, and how would you find out which
#    law is right?
# 4. Why did the drug model's PINN need a logarithmic time axis, and what does that say about
#    the effort a PINN needs compared with a closed-form fit?
#
# <details><summary>Answers</summary>
#
# 1. It asks the network's curve to obey the law where there are no data, so the law, with
#    parameters learned from the measured part, shapes the prediction there. A plain network
#    is trained on the measurements only, and its behaviour beyond them is whatever its units
#    do when they saturate.
# 2. The least-squares fit: it reaches the optimum of the same problem directly, in a fraction
#    of the time, and it comes with intervals that show which parameters the data pin down.
#    The PINN's agreement is a useful check, not a reason to prefer it.
# 3. The carrying capacity and thus the second month: a logistic curve matching the early growth
#    levels off sooner, so its $K$ is lower. Only later measurements (or independent knowledge
#    of the biology) can decide; the fit to the first month cannot.
# 4. The concentration rises within the first hour and falls over a day; on a linear time axis
#    a small tanh network cannot follow the first hour, and training fails. Each model needs
#    such choices of scale, weights and start for a PINN to work, while the closed form only
#    needs a starting guess.
#
# </details>

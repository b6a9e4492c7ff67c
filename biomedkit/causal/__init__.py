"""Causal inference from observational data: effects, and the checks that go with them.

Estimators of the average treatment effect E[Y^1] - E[Y^0] of a 0/1 treatment on a numeric
outcome, each returning an :class:`EffectResult` (estimate, interval, method, n):

- :func:`difference_in_means`: the naive comparison, the baseline;
- :func:`ipw`: inverse-probability weighting (stabilised weights, robust or bootstrap interval);
- :func:`standardization`: the parametric g-formula (an outcome model, averaged over everyone);
- :func:`aipw`: augmented IPW, doubly robust;
- :func:`effect_difference`: two bootstrapped estimates compared with a paired interval.

Checks: :func:`propensity_score`, :func:`ip_weights`, :func:`effective_sample_size`,
:func:`overlap` (positivity) and :func:`balance` (standardised mean differences), with
:func:`plot_overlap` and :func:`love_plot`.

Confounders are used as given: build squared terms and dummy columns before calling. All
estimators assume no unmeasured confounding, which no computation can check; the simulator
``bk.simulate.observational_study`` has a known effect to practise on.

Examples
--------
>>> import biomedkit as bk
>>> data, truth = bk.simulate.observational_study(n=2000, random_state=0)   # doctest: +SKIP
>>> bk.causal.ipw(data, treatment="treated", outcome="outcome",
...               confounders=truth.confounders)                           # doctest: +SKIP
"""

from biomedkit.causal.diagnostics import (
    BalanceResult,
    OverlapResult,
    balance,
    effective_sample_size,
    ip_weights,
    overlap,
    propensity_score,
)
from biomedkit.causal.estimators import (
    EffectDifferenceResult,
    EffectResult,
    aipw,
    difference_in_means,
    effect_difference,
    ipw,
    standardization,
)
from biomedkit.causal.plots import love_plot, plot_overlap

__all__ = [
    "BalanceResult", "EffectDifferenceResult", "EffectResult", "OverlapResult", "aipw", "balance",
    "difference_in_means", "effect_difference", "effective_sample_size", "ip_weights", "ipw",
    "love_plot", "overlap", "plot_overlap", "propensity_score", "standardization",
]

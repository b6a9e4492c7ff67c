"""Several sites, one model: leave-one-site-out validation, federated averaging of a
logistic regression, and secure aggregation by additive secret sharing.

The federated part is a small in-notebook simulation for teaching: every "hospital" is
a NumPy array in the same process. Real deployments use a framework that handles the
network, failures, authentication and the cryptography (for example Flower), and a
vetted secure-aggregation protocol.

Examples
--------
>>> import biomedkit as bk
>>> table = bk.multisite.leave_one_site_out(model, X, y, sites)          # doctest: +SKIP
>>> fit = bk.multisite.fedavg(X_by_site, y_by_site, rounds=50)           # doctest: +SKIP
>>> bk.multisite.secure_sum([update_a, update_b, update_c]).total        # doctest: +SKIP
"""

from biomedkit.multisite.federated import FedAvgResult, FederatedLogisticRegression, fedavg
from biomedkit.multisite.loso import POOLED, leave_one_site_out, pool_sites
from biomedkit.multisite.secure import SecureSumResult, reconstruct, secret_shares, secure_sum

__all__ = ["POOLED", "FedAvgResult", "FederatedLogisticRegression", "SecureSumResult", "fedavg",
           "leave_one_site_out", "pool_sites", "reconstruct", "secret_shares", "secure_sum"]


def __getattr__(name: str):
    # The result class's old name, kept for one release with a warning.
    if name == "SecureSum":
        from biomedkit._deprecation import warn_deprecated

        warn_deprecated(f"{__name__}.SecureSum", f"{__name__}.SecureSumResult")
        return SecureSumResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

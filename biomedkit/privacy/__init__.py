"""Privacy: re-identification risk, membership inference and differential privacy.

Three questions, one module each:

- *Could a row be singled out?* :func:`k_anonymity` counts, for every row, how many rows
  share its quasi-identifiers (age, sex, postcode...); :func:`age_bands`, :func:`coarsen` and
  :func:`suppress_small_classes` generalise a table and say what they changed.
- *Does a trained model give away who was in its training data?*
  :func:`membership_inference` runs the loss-threshold attack and reports its AUC with a
  DeLong interval.
- *How can a statistic or a model be released with a guarantee?* The Laplace mechanism
  (:func:`laplace_count`, :func:`laplace_mean`, :func:`laplace_mechanism`) and DP-SGD with
  Opacus (:class:`DPMLPClassifier`, in the ``models`` extra).

``import biomedkit.privacy`` loads numpy and pandas only: scikit-learn loads on the first use
of :class:`DPMLPClassifier`, torch and Opacus when one is fitted.

Examples
--------
>>> import biomedkit as bk
>>> risk = bk.privacy.k_anonymity(frame, ["age", "sex", "race"])        # doctest: +SKIP
>>> print(risk)                                                          # doctest: +SKIP
>>> bk.privacy.laplace_count(42, epsilon=1.0, random_state=0)           # doctest: +SKIP
"""

from biomedkit.privacy.anonymity import (
    GeneralisationResult,
    KAnonymityResult,
    age_bands,
    coarsen,
    k_anonymity,
    suppress_small_classes,
)
from biomedkit.privacy.attacks import MembershipInferenceResult, membership_inference
from biomedkit.privacy.mechanisms import laplace_count, laplace_mean, laplace_mechanism

__all__ = [
    "DPMLPClassifier", "GeneralisationResult", "KAnonymityResult", "MembershipInferenceResult",
    "age_bands", "coarsen", "k_anonymity", "laplace_count", "laplace_mean", "laplace_mechanism",
    "membership_inference", "suppress_small_classes",
]


def __getattr__(name):
    # The DP-SGD classifier is a scikit-learn estimator: load scikit-learn only when it is used.
    if name == "DPMLPClassifier":
        from biomedkit.privacy.dpsgd import DPMLPClassifier

        return DPMLPClassifier
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

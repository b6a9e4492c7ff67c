"""Preprocessing as scikit-learn transformers: batch correction (ComBat).

Examples
--------
>>> import biomedkit as bk
>>> data, truth = bk.simulate.expression(n_batches=3, random_state=0)     # doctest: +SKIP
>>> combat = bk.preprocessing.ComBat(batch="batch", covariates=["outcome"])  # doctest: +SKIP
>>> corrected = combat.set_output(transform="pandas").fit_transform(data.frame)  # doctest: +SKIP
"""

from biomedkit.preprocessing.combat import ComBat

__all__ = ["ComBat"]

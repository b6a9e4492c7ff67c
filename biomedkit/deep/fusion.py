"""Multi-modal fusion in PyTorch: early, late and attention fusion, and modality ablation.

One classifier, three ways to combine modalities (groups of columns of one table):

- **early** fusion concatenates every modality's columns into one input of one network;
- **late** fusion trains one network per modality, each a classifier on its own, and then
  combines their logits by a weighted average (a softmax of learned weights, with a scale and
  a bias) fitted on held-out patients: stacking;
- **attention** fusion encodes each modality into an embedding, scores each embedding, and
  pools the embeddings with the softmax of the scores (attention weights, one set per patient)
  before a small head predicts the outcome (the attention pooling of Ilse et al. 2018, over
  modalities instead of instances).

A modality is **missing** for a patient when all its columns are NaN. Early fusion then fills
the training means (mean imputation), late fusion averages the models that are available, and
attention fusion masks the missing modality out of the softmax. ``modality_dropout`` hides
each modality of each training patient with that probability, so that the network meets
missing modalities while it learns.

References
----------
Baltrusaitis T, Ahuja C, Morency L-P. Multimodal machine learning: a survey and taxonomy.
IEEE TPAMI 41(2):423-443 (2019).
Ilse M, Tomczak JM, Welling M. Attention-based deep multiple instance learning. ICML 2018.
Neverova N, Wolf C, Taylor G, Nebout F. ModDrop: adaptive multi-modal gesture recognition.
IEEE TPAMI 38(8):1692-1706 (2016).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from sklearn.base import BaseEstimator, ClassifierMixin
from torch import nn

from biomedkit._checks import check_binary, check_float, check_int, check_level, check_training_options
from biomedkit._progress import progress

FUSIONS = ("early", "late", "attention")


def check_modalities(modalities, *, minimum: int = 1) -> dict:
    """Return ``modalities`` as {name: list of columns}, or say what is wrong with it."""
    if not isinstance(modalities, dict):
        raise TypeError("modalities must be a dict {name: list of columns}, e.g. "
                        f"data.modalities from bk.simulate.multimodal; got {type(modalities).__name__}")
    if len(modalities) < minimum:
        raise ValueError(f"modalities must name at least {minimum} modalities; got {len(modalities)}")
    out, seen = {}, {}
    for name, columns in modalities.items():
        if not isinstance(name, str):
            raise TypeError(f"modality names must be strings; got {name!r}")
        if isinstance(columns, (str, int, np.integer)) or not hasattr(columns, "__iter__"):
            raise TypeError(f"modalities[{name!r}] must be a list of columns; got {columns!r}")
        columns = list(columns)
        if not columns:
            raise ValueError(f"modalities[{name!r}] is empty; every modality needs at least one column")
        for column in columns:
            if column in seen:
                raise ValueError(f"column {column!r} is in modalities {seen[column]!r} and {name!r}; "
                                 "each column belongs to one modality")
            seen[column] = name
        out[name] = columns
    return out


def _blocks(X, modalities: dict) -> tuple[list[np.ndarray], np.ndarray]:
    """Each modality's columns as a float array, and the (n, n_modalities) mask of recorded ones."""
    if isinstance(X, pd.DataFrame):
        absent = [c for cols in modalities.values() for c in cols if c not in X.columns]
        if absent:
            raise ValueError(f"X lacks the columns {absent[:5]} that modalities names")
        raw = [X[cols] for cols in modalities.values()]
        for name, block in zip(modalities, raw):
            bad = [c for c in block.columns if block[c].dtype.kind not in "biuf"]
            if bad:
                raise TypeError(f"the columns {bad[:5]} of modality {name!r} are not numeric; "
                                "encode them as numbers first")
        blocks = [block.to_numpy(np.float64) for block in raw]
    else:
        array = np.asarray(X)
        if array.ndim != 2 or array.dtype.kind not in "biuf":
            raise ValueError(f"X must be a DataFrame or a 2-d numeric array; got shape {array.shape}, "
                             f"dtype {array.dtype}")
        blocks = []
        for name, cols in modalities.items():
            if not all(isinstance(c, (int, np.integer)) and 0 <= c < array.shape[1] for c in cols):
                raise ValueError(f"X is an array, so modalities[{name!r}] must hold column positions "
                                 f"0 to {array.shape[1] - 1}; got {cols[:5]}")
            blocks.append(array[:, cols].astype(np.float64))
    if len(blocks[0]) == 0:
        raise ValueError("X has no rows")
    masks = []
    for name, block in zip(modalities, blocks):
        if np.isinf(block).any():
            raise ValueError(f"modality {name!r} holds infinite values; replace them first")
        absent = np.isnan(block)
        partial = absent.any(axis=1) & ~absent.all(axis=1)
        if partial.any():
            raise ValueError(f"modality {name!r} has {int(partial.sum())} rows with some but not all columns "
                             "missing; a modality is missing when all its columns are NaN. Impute the "
                             "scattered values within the modality first.")
        masks.append(~absent.all(axis=1))
    mask = np.column_stack(masks)
    if not mask.any(axis=1).all():
        raise ValueError(f"{int((~mask.any(axis=1)).sum())} rows have no modality at all; drop them")
    return blocks, mask


def _mlp(n_in: int, hidden: int, n_out: int) -> nn.Module:
    if hidden == 0:
        return nn.Linear(n_in, n_out)
    return nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, n_out))


def _masked_softmax(scores: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    return torch.softmax(scores.masked_fill(~mask, -math.inf), dim=1)


class FusionNet(nn.Module):
    """The network of :class:`FusionClassifier`: ``forward(xs, mask)`` takes one standardised
    tensor per modality (zeros where missing) and the (batch, n_modalities) mask of recorded
    modalities, and returns ``(logit, parts)``: parts are the per-modality logits (late), the
    attention weights (attention) or None (early)."""

    def __init__(self, dims: list[int], fusion: str, hidden: int):
        super().__init__()
        self.fusion = fusion
        if fusion == "early":
            self.network = _mlp(sum(dims), hidden, 1)
        elif fusion == "late":
            self.encoders = nn.ModuleList(_mlp(d, hidden, 1) for d in dims)
            self.weight = nn.Parameter(torch.zeros(len(dims)))  # softmax(0) = equal weights
            self.scale = nn.Parameter(torch.ones(1))
            self.bias = nn.Parameter(torch.zeros(1))
        else:
            self.encoders = nn.ModuleList(nn.Sequential(nn.Linear(d, hidden), nn.ReLU()) for d in dims)
            self.score = nn.Sequential(nn.Linear(hidden, hidden), nn.Tanh(), nn.Linear(hidden, 1))
            self.head = _mlp(hidden, hidden, 1)

    def forward(self, xs: list[torch.Tensor], mask: torch.Tensor):
        if self.fusion == "early":
            return self.network(torch.cat(xs, dim=1)).squeeze(1), None
        if self.fusion == "late":
            logits = torch.cat([encoder(x) for encoder, x in zip(self.encoders, xs)], dim=1)
            weights = _masked_softmax(self.weight.expand_as(logits), mask)
            return self.bias + self.scale * (weights * logits).sum(dim=1), logits
        embeddings = torch.stack([encoder(x) for encoder, x in zip(self.encoders, xs)], dim=1)
        weights = _masked_softmax(self.score(embeddings).squeeze(2), mask)
        pooled = (weights.unsqueeze(2) * embeddings).sum(dim=1)
        return self.head(pooled).squeeze(1), weights


class FusionClassifier(ClassifierMixin, BaseEstimator):
    """A binary classifier that fuses several modalities: early, late or attention fusion.

    ``X`` is one table (a DataFrame) whose columns are grouped into modalities; a modality is
    missing for a patient when all its columns are NaN. Each column is standardised with the
    training mean and standard deviation (over the patients who have the modality), so a
    missing modality enters as its training mean (zero). Trained with AdamW on the
    cross-entropy; a progress bar shows the epochs.

    Parameters
    ----------
    modalities : dict
        Modality name -> list of columns of ``X`` (names for a DataFrame, positions for an
        array), e.g. ``data.modalities`` from :func:`biomedkit.simulate.multimodal`.
    fusion : {"early", "late", "attention"}, default="attention"
        How modalities are combined (see the module's docstring).
        **early**: one network on all columns; a missing modality is mean-imputed.
        **late**: one network per modality, each trained on its own to predict ``y``; the
        prediction is ``bias + scale * sum_m w_m * logit_m``, ``w`` a softmax of learned weights
        over the modalities that are present, fitted after the networks on the held-out
        patients (on the training patients without early stopping).
        **attention**: per-modality encoders give embeddings; a shared scorer turns each into
        a score, whose softmax over the present modalities (the attention weights) pools the
        embeddings into one vector for the prediction head.
    hidden : int, default=32
        Units of each hidden layer and size of the embeddings. 0 (early and late fusion only)
        removes the hidden layer: early fusion is then a logistic regression on all columns,
        and late fusion combines one logistic regression per modality.
    epochs : int, default=100
        The most passes over the training data (early stopping usually ends sooner).
    batch_size : int, default=128
    learning_rate : float, default=1e-3
    weight_decay : float, default=1e-2
        AdamW's decoupled weight decay.
    validation_fraction : float or None, default=0.2
        Early stopping: hold out this share of the training patients (stratified by ``y``),
        stop when their loss has not improved for ``patience`` epochs, and keep the weights of
        the best epoch. None trains on every patient for ``epochs`` epochs.
    patience : int, default=5
        Epochs without improvement of the held-out loss before stopping.
    modality_dropout : float, default=0.0
        In [0, 1): the probability of hiding each modality of each training patient in each
        batch (never all of a patient's modalities), so the network learns to predict without
        it (as ModDrop, Neverova et al. 2016). In late fusion the modality models never see the
        other modalities; there the combiner is fitted on five copies of the held-out patients
        with modalities hidden so.
    device : str, default="cpu"
        "cpu", "cuda" or "mps"; results come back as numpy arrays.
    random_state : int or None, default=None
        Seeds the weights, the batches and the modality dropout.

    Attributes
    ----------
    classes_ : ndarray
        The two class labels.
    module_ : torch.nn.Module
        The trained network, in eval mode.
    loss_curve_ : list of float
        Mean training loss of each epoch.
    validation_scores_ : list of float or None
        The held-out cross-entropy of each epoch (lower is better), or None without early
        stopping.
    n_epochs_ : int
        Epochs run.
    n_features_in_ : int
        Number of columns the modalities name.

    Examples
    --------
    >>> import biomedkit as bk
    >>> data, truth = bk.simulate.multimodal(n=600, random_state=0)
    >>> model = bk.deep.FusionClassifier(data.modalities, fusion="attention", epochs=5,
    ...                                  random_state=0).fit(data.X, data.y)
    >>> model.attention_weights(data.X.head(2)).shape
    (2, 3)
    """

    def __init__(self, modalities, *, fusion: str = "attention", hidden: int = 32, epochs: int = 100,
                 batch_size: int = 128, learning_rate: float = 1e-3, weight_decay: float = 1e-2,
                 validation_fraction: float | None = 0.2, patience: int = 5, modality_dropout: float = 0.0,
                 device: str = "cpu", random_state: int | None = None):
        self.modalities = modalities
        self.fusion = fusion
        self.hidden = hidden
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.modality_dropout = modality_dropout
        self.device = device
        self.random_state = random_state

    def _check_params(self) -> dict:
        modalities = check_modalities(self.modalities)
        if not isinstance(self.fusion, str):
            raise TypeError(f"fusion must be one of {list(FUSIONS)} (a string); got {type(self.fusion).__name__}")
        if self.fusion not in FUSIONS:
            raise ValueError(f"fusion must be one of {list(FUSIONS)}; got {self.fusion!r}")
        check_int(self.hidden, "hidden", 1 if self.fusion == "attention" else 0)
        check_training_options(epochs=self.epochs, batch_size=self.batch_size, learning_rate=self.learning_rate,
                               weight_decay=self.weight_decay, random_state=self.random_state, device=self.device)
        if self.validation_fraction is not None:
            check_float(self.validation_fraction, "validation_fraction", 0, 1, open_low=True, open_high=True)
        check_int(self.patience, "patience", 1)
        check_float(self.modality_dropout, "modality_dropout", 0, 1, open_high=True)
        return modalities

    def fit(self, X, y) -> FusionClassifier:
        """Train a new network on ``X`` (a table holding every modality's columns) and 0/1-like ``y``.

        Returns
        -------
        self
        """
        modalities = self._check_params()
        blocks, mask = _blocks(X, modalities)
        labels = np.asarray(y)
        if labels.ndim != 1 or len(labels) != len(mask):
            raise ValueError(f"y must be one-dimensional with one label per row of X ({len(mask)}); "
                             f"got shape {labels.shape}")
        if labels.dtype.kind == "f" and np.isnan(labels).any():
            raise ValueError("y contains NaN; every training patient needs a label")
        self.classes_, codes = np.unique(labels, return_inverse=True)
        if len(self.classes_) != 2:
            raise ValueError(f"y must hold exactly two classes (a binary outcome); got {self.classes_[:5].tolist()}")
        empty = [m for m, seen in zip(modalities, mask.T) if not seen.any()]
        if empty:
            raise ValueError(f"no training patient has the modalities {empty}; they cannot be learned")
        self.modalities_ = modalities
        self.n_features_in_ = sum(len(c) for c in modalities.values())
        # standardise with the patients who have each modality (a constant column: scale 1)
        self.means_ = [b[m].mean(axis=0) for b, m in zip(blocks, mask.T)]
        self.scales_ = [np.where(sd > 0, sd, 1.0) for sd in (b[m].std(axis=0) for b, m in zip(blocks, mask.T))]
        seed = (int(np.random.default_rng().integers(2**31 - 1)) if self.random_state is None
                else int(self.random_state))
        with torch.random.fork_rng(devices=[]):  # seed the weights without touching the caller's RNG
            torch.manual_seed(seed)
            self.module_ = FusionNet([b.shape[1] for b in blocks], self.fusion, int(self.hidden))
        self.module_.to(self.device)
        generator = torch.Generator().manual_seed(seed + 1)
        xs, mask_t = self._tensors(blocks, mask)
        y_t = torch.tensor(codes, dtype=torch.float32, device=self.device)
        train, held_out = self._split(codes, seed)
        self._train(xs, mask_t, y_t, train, held_out, generator)
        return self

    def _split(self, codes: np.ndarray, seed: int):
        """Indices of the training and the held-out patients (None: no early stopping)."""
        n = len(codes)
        n_val = 0 if self.validation_fraction is None else math.ceil(self.validation_fraction * n)
        if n_val == 0 or np.bincount(codes).min() < 2 or not 2 <= n_val <= n - 2:
            return torch.arange(n), None  # too few patients to hold any out: train on all
        from sklearn.model_selection import train_test_split

        train, held_out = train_test_split(np.arange(n), test_size=n_val, stratify=codes, random_state=seed)
        return torch.from_numpy(np.sort(train)), torch.from_numpy(np.sort(held_out))

    def _tensors(self, blocks, mask):
        xs = [torch.tensor(np.nan_to_num((b - mu) / sd, nan=0.0), dtype=torch.float32, device=self.device)
              for b, mu, sd in zip(blocks, self.means_, self.scales_)]
        return xs, torch.tensor(mask, device=self.device)

    def _train(self, xs, mask, y, train, held_out, generator) -> None:
        """Mini-batch AdamW; with ``held_out``, keep the epoch whose held-out loss is lowest.
        Late fusion then fits its combiner on the held-out patients (stacking)."""
        module = self.module_
        optimizer = torch.optim.AdamW(module.parameters(), lr=self.learning_rate, weight_decay=self.weight_decay)
        self.loss_curve_, self.validation_scores_ = [], None if held_out is None else []
        best, best_state, waited = math.inf, None, 0
        # leaving the loop early (early stopping) closes the bar: its generator is closed
        for epoch in progress(range(self.epochs), desc=f"FusionClassifier ({self.fusion})"):
            module.train()
            total = 0.0
            for idx in train[torch.randperm(len(train), generator=generator)].split(self.batch_size):
                idx = idx.to(self.device)
                batch_mask = self._dropout(mask[idx], generator)
                # a hidden modality enters as zeros: its training mean, as at prediction time
                loss = self._loss([x[idx] * batch_mask[:, j:j + 1] for j, x in enumerate(xs)], batch_mask, y[idx])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += loss.item() * len(idx)
            self.loss_curve_.append(total / len(train))
            self.n_epochs_ = epoch + 1
            if held_out is None:
                continue
            module.eval()
            idx = held_out.to(self.device)
            with torch.no_grad():
                val_loss = self._loss([x[idx] for x in xs], mask[idx], y[idx]).item()
            self.validation_scores_.append(val_loss)
            if val_loss < best:
                best, best_state, waited = val_loss, copy.deepcopy(module.state_dict()), 0
            else:
                waited += 1
                if waited >= self.patience:
                    break
        if best_state is not None:
            module.load_state_dict(best_state)
        module.eval()
        if self.fusion == "late":
            idx = (train if held_out is None else held_out).to(self.device)
            self._fit_combiner([x[idx] for x in xs], mask[idx], y[idx], generator)

    def _loss(self, xs, mask, y):
        """The fused cross-entropy; for late fusion the sum of the modality models' own ones."""
        logit, parts = self.module_(xs, mask)
        if self.fusion != "late":
            return F.binary_cross_entropy_with_logits(logit, y)
        return sum(F.binary_cross_entropy_with_logits(parts[mask[:, j], j], y[mask[:, j]])
                   for j in range(len(xs)) if mask[:, j].any())

    def _fit_combiner(self, xs, mask, y, generator) -> None:
        """Fit late fusion's weights, scale and bias on the modality models' logits (L-BFGS).
        With modality dropout, on five copies of the patients with modalities hidden at random."""
        with torch.no_grad():
            _, logits = self.module_(xs, mask)
        if self.modality_dropout > 0:
            masks = torch.cat([self._dropout(mask, generator) for _ in range(5)])
            logits, y = logits.repeat(5, 1), y.repeat(5)
        else:
            masks = mask
        net = self.module_
        optimizer = torch.optim.LBFGS([net.weight, net.scale, net.bias], max_iter=200,
                                      line_search_fn="strong_wolfe")

        def closure():
            optimizer.zero_grad()
            weights = _masked_softmax(net.weight.expand_as(logits), masks)
            combined = net.bias + net.scale * (weights * logits).sum(dim=1)
            loss = F.binary_cross_entropy_with_logits(combined, y)
            loss.backward()
            return loss

        optimizer.step(closure)
        net.zero_grad(set_to_none=True)

    def _dropout(self, mask, generator):
        """Hide each recorded modality with probability ``modality_dropout``, never all of a row's."""
        if self.modality_dropout == 0:
            return mask
        hide = torch.rand(mask.shape, generator=generator).to(mask.device) < self.modality_dropout
        kept = mask & ~hide
        return torch.where(kept.any(dim=1, keepdim=True), kept, mask)

    def _forward(self, X):
        if not hasattr(self, "module_"):
            raise ValueError("this FusionClassifier is not fitted yet: call fit(X, y) first")
        blocks, mask = _blocks(X, self.modalities_)
        with torch.no_grad():
            logit, parts = self.module_(*self._tensors(blocks, mask))
        parts = None if parts is None else parts.cpu().numpy().astype(np.float64)
        return logit.cpu().numpy().astype(np.float64), parts, mask

    def decision_function(self, X) -> np.ndarray:
        """The fused logit of the second class, one per row."""
        return self._forward(X)[0]

    def predict_proba(self, X) -> np.ndarray:
        """Probability of each class in ``classes_``, shape (n, 2)."""
        from scipy.special import expit

        p = expit(self.decision_function(X))
        return np.column_stack([1 - p, p])

    def predict(self, X) -> np.ndarray:
        """The more probable class of each row."""
        return self.classes_[(self.decision_function(X) > 0).astype(int)]

    def _frame(self, X, values) -> pd.DataFrame:
        index = X.index if isinstance(X, pd.DataFrame) else None
        return pd.DataFrame(values, columns=list(self.modalities_), index=index)

    def attention_weights(self, X) -> pd.DataFrame:
        """Attention fusion only: each row's weights over the modalities (0 where missing; rows sum to 1)."""
        if self.fusion != "attention":
            raise ValueError(f"attention_weights needs fusion='attention'; this model uses {self.fusion!r}")
        return self._frame(X, self._forward(X)[1])

    def modality_proba(self, X) -> pd.DataFrame:
        """Late fusion only: each modality model's probability of the second class (NaN where missing)."""
        from scipy.special import expit

        if self.fusion != "late":
            raise ValueError(f"modality_proba needs fusion='late'; this model uses {self.fusion!r}")
        _, logits, mask = self._forward(X)
        return self._frame(X, np.where(mask, expit(logits), np.nan))

    @property
    def late_weights_(self) -> pd.Series:
        """Late fusion only: the combiner's weight of each modality when all are present."""
        if self.fusion != "late" or not hasattr(self, "module_"):
            raise AttributeError("late_weights_ exists on a fitted model with fusion='late'")
        with torch.no_grad():
            w = torch.softmax(self.module_.weight, dim=0).cpu().numpy().astype(np.float64)
        return pd.Series(w, index=list(self.modalities_), name="weight")


@dataclass(frozen=True, repr=False)
class ModalityAblationResult:
    """The test AUC of a model refitted without each modality, against the model with all.

    Attributes
    ----------
    full : AUCResult
        The model on every modality.
    table : DataFrame
        One row per modality left out: ``auc_without`` with its interval (``low``, ``high``),
        ``loss`` = AUC(all) - AUC(without), its paired DeLong interval (``loss_low``,
        ``loss_high``) and ``p_value``.
    scores : dict
        Test-set scores: ``"all"`` and ``"without <modality>"`` -> array.
    """

    full: object
    table: pd.DataFrame
    scores: dict

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def __repr__(self) -> str:
        f = self.full
        lines = [f"modality ablation: AUC with all modalities {f.auc:.3f} "
                 f"({f.level:.0%} CI {f.low:.3f} to {f.high:.3f})"]
        for name, row in self.table.iterrows():
            lines.append(f"  without {name}: AUC {row.auc_without:.3f}, loss {row.loss:+.3f} "
                         f"({row.loss_low:+.3f} to {row.loss_high:+.3f}), p = {row.p_value:.3g}")
        return "\n".join(lines)


def modality_ablation(estimator, modalities, X_train, y_train, X_test, y_test, *,
                      level: float = 0.95) -> ModalityAblationResult:
    """Refit ``estimator`` without each modality in turn and measure the loss of test AUC.

    The leave-one-modality-out importance: what the model loses when a modality is not
    available *at training and at test time*, with a paired DeLong interval of the loss (the
    same test patients score both models). A modality that others can stand in for (correlated
    information) loses little even if it carries much signal.

    Parameters
    ----------
    estimator : scikit-learn classifier
        Cloned and refitted for each subset. An estimator with a ``modalities`` parameter
        (:class:`FusionClassifier`) gets the remaining modalities and the whole table; any
        other gets only the remaining modalities' columns.
    modalities : dict
        Modality name -> list of column names of ``X_train`` (at least two modalities).
    X_train, X_test : DataFrame
    y_train, y_test : array-like of 0/1
    level : float, default=0.95
        Level of the intervals.

    Returns
    -------
    ModalityAblationResult
        ``full`` (the AUC with every modality), ``table`` (one row per modality left out),
        ``scores`` and ``to_frame()``.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> data, truth = bk.simulate.multimodal(n=1000, random_state=0)
    >>> X, y = data.X, data.y
    >>> lr = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    >>> result = bk.deep.modality_ablation(lr, data.modalities, X[:600], y[:600], X[600:], y[600:])
    >>> result.to_frame()                                                 # doctest: +SKIP
    """
    from sklearn.base import clone

    from biomedkit.validation import auc_ci, delong_test

    modalities = check_modalities(modalities, minimum=2)
    for name, X in (("X_train", X_train), ("X_test", X_test)):
        if not isinstance(X, pd.DataFrame):
            raise TypeError(f"{name} must be a pandas DataFrame whose columns the modalities name; "
                            f"got {type(X).__name__}")
        absent = [c for cols in modalities.values() for c in cols if c not in X.columns]
        if absent:
            raise ValueError(f"{name} lacks the columns {absent[:5]} that modalities names")
    y_tr = np.asarray(y_train)
    if y_tr.ndim != 1 or len(y_tr) != len(X_train):
        raise ValueError(f"y_train must hold one label per row of X_train ({len(X_train)}); got shape {y_tr.shape}")
    y_te = check_binary(y_test, "y_test")
    if len(y_te) != len(X_test):
        raise ValueError(f"y_test must hold one label per row of X_test ({len(X_test)}); got {len(y_te)}")
    level = check_level(level)
    if not hasattr(estimator, "fit") or not hasattr(estimator, "predict_proba"):
        raise TypeError("estimator must be a scikit-learn classifier with fit and predict_proba; "
                        f"got {type(estimator).__name__}")

    def score(subset: dict) -> np.ndarray:
        model = clone(estimator)
        columns = [c for cols in subset.values() for c in cols]
        if "modalities" in model.get_params(deep=False):
            model.set_params(modalities=subset)
            model.fit(X_train, y_tr)
            proba = model.predict_proba(X_test)
        else:
            model.fit(X_train[columns], y_tr)
            proba = model.predict_proba(X_test[columns])
        classes = list(model.classes_)
        if 1 not in classes:
            raise ValueError(f"the model's classes are {classes}; y_train must code the event as 1")
        return proba[:, classes.index(1)]

    scores = {"all": score(modalities)}
    rows = []
    for name in modalities:
        without = f"without {name}"
        scores[without] = score({m: c for m, c in modalities.items() if m != name})
        auc = auc_ci(y_te, scores[without], level=level)
        test = delong_test(y_te, scores["all"], scores[without], level=level)
        rows.append({"modality": name, "auc_without": auc.auc, "low": auc.low, "high": auc.high,
                     "loss": test.difference, "loss_low": test.low, "loss_high": test.high,
                     "p_value": test.p_value})
    table = pd.DataFrame(rows).set_index("modality")
    return ModalityAblationResult(auc_ci(y_te, scores["all"], level=level), table, scores)

"""A foundation model in miniature: masked-token pre-training of a small transformer on DNA.

- :func:`encode_sequences`: strings over ACGT to integer tokens (one token per base).
- :func:`kmer_counts`, :class:`KmerCounts`: the bag-of-words baseline (counts of every
  k-letter word), as a function and as a scikit-learn transformer.
- :class:`SequenceTransformer`: a small transformer encoder with ``pretrain`` (masked-token
  modelling on unlabelled sequences), ``fit`` (a classifier from scratch), ``fine_tune``
  (a classifier from the pre-trained weights), ``predict_masked`` and ``attention_maps``.
- :func:`label_efficiency`: AUC against the number of labels for several methods, over
  repeated draws of the labelled sequences, with paired comparisons.

PyTorch is imported only when a network is built.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin

from biomedkit._checks import check_float, check_int, check_level, check_random_state, check_training_options
from biomedkit._estimators import tuned_copy
from biomedkit._progress import progress
from biomedkit._stats import wilson_interval

ALPHABET = "ACGT"
MASK = 4  # the token that hides a base during masked-token modelling
_LOOKUP = np.full(256, -1, np.int64)
for _code, _base in enumerate(ALPHABET):
    _LOOKUP[ord(_base)] = _LOOKUP[ord(_base.lower())] = _code


def encode_sequences(sequences) -> np.ndarray:
    """Turn DNA strings into integer tokens: A=0, C=1, G=2, T=3 (lower case accepted).

    One base is one token, the simplest tokenization; real DNA models also use k-mers or
    learned sub-words.

    Parameters
    ----------
    sequences : sequence of str
        Strings of equal length over ACGT (a list, an array or a pandas Series).

    Returns
    -------
    ndarray of int64, shape (n, length)

    Examples
    --------
    >>> encode_sequences(["ACGT", "ttga"])
    array([[0, 1, 2, 3],
           [3, 3, 2, 0]])
    """
    if isinstance(sequences, str):
        raise TypeError("sequences must be a list (or array, Series) of strings, not one string; "
                        "wrap it: [sequence]")
    items = list(sequences.tolist() if hasattr(sequences, "tolist") else sequences)
    if not items:
        raise ValueError("sequences is empty; pass at least one sequence")
    bad_type = next((s for s in items if not isinstance(s, str)), None)
    if bad_type is not None:
        raise TypeError(f"sequences must hold strings over ACGT; got a {type(bad_type).__name__}")
    lengths = {len(s) for s in items}
    if len(lengths) > 1:
        raise ValueError(f"sequences must all have the same length; got lengths {sorted(lengths)[:5]}. "
                         "Trim or pad them first")
    if lengths == {0}:
        raise ValueError("sequences are empty strings; pass sequences of at least one base")
    raw = np.frombuffer("".join(items).encode("latin-1", errors="replace"), np.uint8)
    codes = _LOOKUP[raw]
    if (codes < 0).any():
        where = int(np.argmax(codes < 0))
        raise ValueError(f"sequences must hold only A, C, G and T; sequence {where // len(items[0])} "
                         f"has {items[where // len(items[0])][where % len(items[0])]!r}")
    return codes.reshape(len(items), -1)


def _check_k(k) -> tuple[int, ...]:
    ks = (k,) if isinstance(k, numbers.Integral) and not isinstance(k, bool) else k
    if not isinstance(ks, (tuple, list)) or not ks:
        raise TypeError(f"k must be an int or a tuple of ints, e.g. 4 or (3, 4); got {k!r}")
    out = tuple(check_int(value, "k", 1) for value in ks)
    if max(out) > 8:
        raise ValueError(f"k must be at most 8 (4**8 = 65,536 columns already); got {max(out)}")
    return out


def kmer_counts(sequences, k=4) -> pd.DataFrame:
    """Count every k-letter word (k-mer) in each sequence, overlapping words included.

    The classic representation of a sequence for a linear model: it keeps which short words
    occur and how often, and loses where they occur.

    Parameters
    ----------
    sequences : sequence of str
        Strings of equal length over ACGT.
    k : int or tuple of int, default=4
        Word length; a tuple concatenates the counts of several lengths.

    Returns
    -------
    pandas.DataFrame
        One row per sequence, one column per word (``4**k`` columns per length, named by the
        word, in alphabetical order).

    Examples
    --------
    >>> kmer_counts(["ACGTA"], k=2).loc[0, ["AC", "CG", "GT", "TA", "AA"]].tolist()
    [1, 1, 1, 1, 0]
    """
    ks = _check_k(k)
    codes = encode_sequences(sequences)
    blocks = []
    for size in ks:
        if size > codes.shape[1]:
            raise ValueError(f"k={size} is longer than the sequences ({codes.shape[1]} bases)")
        windows = np.lib.stride_tricks.sliding_window_view(codes, size, axis=1)
        index = windows @ (4 ** np.arange(size - 1, -1, -1))  # each word as a base-4 number
        counts = np.zeros((len(codes), 4**size), np.int64)
        np.add.at(counts, (np.repeat(np.arange(len(codes)), index.shape[1]), index.ravel()), 1)
        names = ["".join(w) for w in np.array(np.meshgrid(*[list(ALPHABET)] * size, indexing="ij"))
                 .reshape(size, -1).T]
        blocks.append(pd.DataFrame(counts, columns=names))
    return pd.concat(blocks, axis=1)


class KmerCounts(TransformerMixin, BaseEstimator):
    """:func:`kmer_counts` as a scikit-learn transformer, for pipelines.

    Parameters
    ----------
    k : int or tuple of int, default=4

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> baseline = make_pipeline(KmerCounts(k=4), LogisticRegression(max_iter=1000))
    """

    def __init__(self, k=4):
        self.k = k

    def fit(self, X, y=None) -> KmerCounts:
        _check_k(self.k)
        self.n_features_out_ = sum(4**size for size in _check_k(self.k))
        return self

    def transform(self, X) -> np.ndarray:
        """The counts as a float array (n, number of words)."""
        if not hasattr(self, "n_features_out_"):
            raise ValueError("this KmerCounts is not fitted yet: call fit first")
        return kmer_counts(X, self.k).to_numpy(float)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.array([w for size in _check_k(self.k)
                         for w in kmer_counts(["A" * size], size).columns], dtype=object)


def _positions(length: int, d_model: int):
    """Fixed sinusoidal position encodings (Vaswani et al. 2017), shape (length, d_model)."""
    import torch

    position = torch.arange(length, dtype=torch.float32)[:, None]
    frequency = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32) * (-math.log(1e4) / d_model))
    out = torch.zeros(length, d_model)
    out[:, 0::2] = torch.sin(position * frequency)
    out[:, 1::2] = torch.cos(position * frequency)[:, : d_model // 2]
    return out


def _build_network(d_model, n_heads, n_layers, dim_feedforward, dropout, n_classes, kernel_size):
    """Token embedding, a convolution over neighbouring bases, a transformer encoder
    (pre-norm), and two heads: one that predicts a hidden base at each position, one that
    classifies the pooled sequence."""
    from torch import nn

    layer = nn.TransformerEncoderLayer(d_model, n_heads, dim_feedforward, dropout, batch_first=True,
                                       norm_first=True)
    return nn.ModuleDict({
        "embed": nn.Embedding(len(ALPHABET) + 1, d_model),  # four bases and the mask token
        "conv": nn.Conv1d(d_model, d_model, kernel_size, padding=kernel_size // 2),
        "encoder": nn.TransformerEncoder(layer, n_layers, enable_nested_tensor=False),
        "norm": nn.LayerNorm(d_model),
        "mlm_head": nn.Linear(d_model, len(ALPHABET)),
        "head": nn.Linear(2 * d_model, n_classes),  # mean and max over positions
    })


class SequenceTransformer(ClassifierMixin, BaseEstimator):
    """A small transformer encoder for DNA, pre-trained by masked-token modelling.

    Each base is a token, embedded in ``d_model`` numbers; a convolution over
    ``kernel_size`` neighbouring bases is added (each position sees a short word around
    it, as in the convolutional front ends of many DNA models), then a fixed sinusoidal
    encoding of the position. ``n_layers`` transformer layers (PyTorch's
    ``nn.TransformerEncoderLayer``: multi-head self-attention, in which every position
    looks at every other, then a small feed-forward network, each with a residual
    connection and layer normalisation first) turn these into one vector per position.
    Without the convolution, such a small network takes far longer to learn that
    neighbouring bases belong together.

    Three ways to train:

    - :meth:`pretrain` on **unlabelled** sequences: 15 % of the bases are hidden and the
      network learns to predict them from the rest (BERT's masked-language-model task).
    - :meth:`fit` on labelled sequences, **from scratch**: random weights, then a
      classifier on the mean and maximum of the position vectors.
    - :meth:`fine_tune`: start from the pre-trained weights, add a new classification
      head, and train everything on the labelled sequences.

    Parameters
    ----------
    d_model : int, default=32
        Size of each position's vector (divisible by ``n_heads``).
    n_heads : int, default=2
        Attention heads per layer.
    n_layers : int, default=2
    dim_feedforward : int, default=64
        Width of each layer's feed-forward network.
    dropout : float, default=0.0
        Dropout inside the layers (0 keeps these small runs fast and deterministic).
    kernel_size : int, default=9
        Width of the convolution over neighbouring bases (odd; 1 mixes nothing).
    steps : int, default=150
        Optimiser steps (mini-batches) of :meth:`fit` and :meth:`fine_tune`. A number of
        steps rather than epochs, so that 25 or 400 labelled sequences get the same
        amount of training.
    batch_size : int, default=32
    learning_rate : float, default=1e-3
        Step size of AdamW.
    weight_decay : float, default=0.01
    device : str, default="cpu"
        "cpu", "cuda" or "mps"; results come back as numpy arrays.
    random_state : int or None, default=None
        Seeds the weights, the batches and the masks (``torch.manual_seed`` inside).

    Attributes
    ----------
    module_ : torch.nn.ModuleDict
        ``embed``, ``encoder``, ``norm``, ``mlm_head`` (masked-token predictions) and
        ``head`` (classifier).
    length_ : int
        The sequence length the network was trained on.
    classes_ : ndarray
        After ``fit`` or ``fine_tune``: the class labels.
    loss_curve_ : list of float
        Training cross-entropy of each step of the last ``fit`` or ``fine_tune``.
    pretrain_loss_curve_ : list of float
        After ``pretrain``: the masked-token cross-entropy of each step.
    base_token_ : int
        After ``pretrain``: the most frequent base of the pre-training sequences (code).
    pretrained_ : bool
        Whether the weights started from masked-token pre-training.

    Examples
    --------
    >>> import biomedkit as bk
    >>> data, truth = bk.simulate.sequences(n=300, random_state=0)
    >>> seqs = data.frame.sequence
    >>> model = bk.deep.SequenceTransformer(random_state=0).pretrain(seqs, steps=50)
    >>> tuned = model.fine_tune(seqs[:100], data.y[:100], steps=20)
    >>> tuned.predict_proba(seqs[100:102]).shape
    (2, 2)
    """

    def __init__(self, *, d_model: int = 32, n_heads: int = 2, n_layers: int = 2, dim_feedforward: int = 64,
                 dropout: float = 0.0, kernel_size: int = 9, steps: int = 150, batch_size: int = 32,
                 learning_rate: float = 1e-3, weight_decay: float = 0.01, device: str = "cpu",
                 random_state: int | None = None):
        self.d_model = d_model
        self.n_heads = n_heads
        self.n_layers = n_layers
        self.dim_feedforward = dim_feedforward
        self.dropout = dropout
        self.kernel_size = kernel_size
        self.steps = steps
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.device = device
        self.random_state = random_state

    # --- checks -------------------------------------------------------------------------
    def _check_params(self) -> None:
        d_model = check_int(self.d_model, "d_model", 2)
        n_heads = check_int(self.n_heads, "n_heads", 1)
        if d_model % n_heads or d_model % 2:
            raise ValueError(f"d_model must be even and divisible by n_heads; got d_model={d_model}, "
                             f"n_heads={n_heads}")
        check_int(self.n_layers, "n_layers", 1)
        check_int(self.dim_feedforward, "dim_feedforward", 1)
        check_float(self.dropout, "dropout", 0, 1, open_high=True)
        if check_int(self.kernel_size, "kernel_size", 1) % 2 == 0:
            raise ValueError(f"kernel_size must be odd (the window is centred on each base); got {self.kernel_size}")
        check_training_options(steps=self.steps, batch_size=self.batch_size, learning_rate=self.learning_rate,
                               weight_decay=self.weight_decay, random_state=self.random_state, device=self.device)

    def _check_fitted(self, what: str = "classes_") -> None:
        if not hasattr(self, "module_"):
            raise ValueError("this SequenceTransformer is not trained yet: call pretrain(sequences) "
                             "or fit(sequences, y) first")
        if what == "classes_" and not hasattr(self, "classes_"):
            raise ValueError("this SequenceTransformer is pre-trained but has no classifier yet: "
                             "call fine_tune(sequences, y) and use the model it returns")
        if what == "pretrained" and not getattr(self, "pretrained_", False):
            raise ValueError("this SequenceTransformer was not pre-trained, so its masked-token head "
                             "never learned: call pretrain(sequences) first")

    def _tokens(self, sequences, name: str = "sequences") -> np.ndarray:
        codes = encode_sequences(sequences)
        if hasattr(self, "length_") and codes.shape[1] != self.length_:
            raise ValueError(f"{name} have {codes.shape[1]} bases but the network was trained on "
                             f"{self.length_}; pass sequences of the training length")
        return codes

    def _seed(self, random_state) -> int:
        if random_state is None:
            return int(np.random.default_rng().integers(2**31 - 1))
        return check_int(random_state, "random_state", 0)

    # --- the network --------------------------------------------------------------------
    def _new_network(self, n_classes: int, seed: int, length: int) -> None:
        import torch

        torch.manual_seed(seed)  # PyTorch's layers draw their initial weights from it
        self.module_ = _build_network(self.d_model, self.n_heads, self.n_layers, self.dim_feedforward,
                                      self.dropout, n_classes, self.kernel_size).to(self.device)
        self.length_ = length

    def _hidden(self, tokens):
        """One vector per position: the inputs, the encoder, a final norm."""
        net = self.module_
        return net["norm"](net["encoder"](self._inputs(tokens)))

    def _inputs(self, tokens):
        """Embedding, plus a convolution over neighbouring bases, plus the positions."""
        net = self.module_
        x = net["embed"](tokens)
        x = x + net["conv"](x.transpose(1, 2)).transpose(1, 2)
        return x + _positions(tokens.shape[1], self.d_model).to(tokens.device)

    def _class_logits(self, tokens):
        import torch

        h = self._hidden(tokens)
        return self.module_["head"](torch.cat([h.mean(dim=1), h.amax(dim=1)], dim=1))

    # --- training -----------------------------------------------------------------------
    def pretrain(self, sequences, *, steps: int = 1000, batch_size: int = 64, mask_rate: float = 0.15,
                 span: int = 1, learning_rate: float | None = None) -> SequenceTransformer:
        """Masked-token pre-training on unlabelled sequences (a new network).

        In each step, a batch of sequences is drawn, each base is chosen with probability
        ``mask_rate``, and the chosen bases are hidden as BERT does: 80 % replaced by the
        mask token, 10 % by a random base, 10 % left as they are. The network is trained to
        predict the original base at the chosen positions (cross-entropy), and nothing else.

        Parameters
        ----------
        sequences : sequence of str
            Unlabelled sequences of equal length over ACGT.
        steps : int, default=1000
        batch_size : int, default=64
        mask_rate : float, default=0.15
            Share of the bases to predict, in (0, 1).
        span : int, default=1
            Hide runs of ``span`` neighbouring bases instead of single bases (about
            ``mask_rate`` of the bases are still hidden). A hidden run as long as a
            binding site can only be guessed from what lies outside it.
        learning_rate : float, optional
            Defaults to the model's ``learning_rate``.

        Returns
        -------
        self
        """
        import torch

        self._check_params()
        codes = encode_sequences(sequences)
        options = check_training_options(steps=steps, batch_size=batch_size, learning_rate=(
            self.learning_rate if learning_rate is None else learning_rate))
        steps, batch_size, lr = options["steps"], options["batch_size"], options["learning_rate"]
        mask_rate = check_float(mask_rate, "mask_rate", 0, 1, open_low=True, open_high=True)
        span = check_int(span, "span", 1)
        if span > codes.shape[1]:
            raise ValueError(f"span must be at most the sequence length ({codes.shape[1]}); got {span}")
        for name in ("classes_", "loss_curve_"):
            self.__dict__.pop(name, None)
        seed = self._seed(self.random_state)
        self._new_network(2, seed, codes.shape[1])
        generator = torch.Generator().manual_seed(seed + 1)
        data = torch.from_numpy(codes)
        optimizer = torch.optim.AdamW(self.module_.parameters(), lr=lr, weight_decay=self.weight_decay)
        self.pretrain_loss_curve_ = []
        self.module_.train()
        for _ in progress(range(steps), total=steps, desc="masked-token pre-training"):
            batch = data[torch.randint(len(data), (batch_size,), generator=generator)]
            inputs, chosen = _mask(batch, mask_rate, span, generator)
            if not chosen.any():
                continue
            inputs, chosen, batch = inputs.to(self.device), chosen.to(self.device), batch.to(self.device)
            logits = self.module_["mlm_head"](self._hidden(inputs))
            loss = torch.nn.functional.cross_entropy(logits[chosen], batch[chosen])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            self.pretrain_loss_curve_.append(loss.item())
        self.module_.eval()
        self.base_token_ = int(np.bincount(codes.ravel(), minlength=4).argmax())
        self.pretrained_ = True
        self.n_pretrain_ = len(codes)
        return self

    def fit(self, sequences, y) -> SequenceTransformer:
        """Train a classifier from scratch (random weights) on labelled sequences.

        Returns
        -------
        self
        """
        self._check_params()
        codes = encode_sequences(sequences)
        labels = _check_labels(y, len(codes))
        self.classes_, target = np.unique(labels, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"y contains only one class ({self.classes_.tolist()[0]!r}); need at least 2")
        seed = self._seed(self.random_state)
        for name in ("pretrain_loss_curve_", "base_token_", "n_pretrain_"):
            self.__dict__.pop(name, None)
        self._new_network(len(self.classes_), seed, codes.shape[1])
        self.pretrained_ = False
        self._train_classifier(codes, target, self.module_.parameters(), self.steps, self.batch_size,
                               self.learning_rate, seed)
        return self

    def fine_tune(self, sequences, y, *, steps: int | None = None, learning_rate: float | None = None,
                  batch_size: int | None = None, freeze_encoder: bool = False,
                  random_state: int | None = None) -> SequenceTransformer:
        """A copy of this network, with a new classification head, trained on labelled sequences.

        The network itself is not changed, so one pre-trained network can be fine-tuned for
        many tasks and many draws of labels.

        Parameters
        ----------
        sequences, y
            Labelled sequences (same length as the pre-training ones) and their labels.
        steps, learning_rate, batch_size : optional
            Default to the model's parameters.
        freeze_encoder : bool, default=False
            Train the new head only (a *linear probe* of the pre-trained features).
        random_state : int, optional
            Seeds the new head and the batches; defaults to the model's.

        Returns
        -------
        SequenceTransformer
        """
        import torch

        self._check_fitted("module")
        if not isinstance(freeze_encoder, bool):
            raise TypeError(f"freeze_encoder must be True or False; got {freeze_encoder!r}")
        tuned = tuned_copy(self, steps=steps, learning_rate=learning_rate, batch_size=batch_size,
                           random_state=random_state)
        tuned._check_params()
        codes = tuned._tokens(sequences)
        labels = _check_labels(y, len(codes))
        tuned.classes_, target = np.unique(labels, return_inverse=True)
        if len(tuned.classes_) < 2:
            raise ValueError(f"y contains only one class ({tuned.classes_.tolist()[0]!r}); need at least 2")
        seed = tuned._seed(tuned.random_state)
        torch.manual_seed(seed)
        tuned.module_["head"] = torch.nn.Linear(2 * tuned.d_model, len(tuned.classes_)).to(tuned.device)
        params = tuned.module_["head"].parameters() if freeze_encoder else tuned.module_.parameters()
        tuned._train_classifier(codes, target, params, tuned.steps, tuned.batch_size, tuned.learning_rate,
                                seed)
        return tuned

    def _train_classifier(self, codes, target, params, steps, batch_size, learning_rate, seed) -> None:
        """Mini-batch AdamW on the cross-entropy; batches are reshuffled after each pass."""
        import torch

        generator = torch.Generator().manual_seed(seed + 2)
        X = torch.from_numpy(codes).to(self.device)
        y = torch.from_numpy(target.astype(np.int64)).to(self.device)
        optimizer = torch.optim.AdamW(list(params), lr=learning_rate, weight_decay=self.weight_decay)
        size = min(batch_size, len(X))
        order, at = torch.randperm(len(X), generator=generator), 0
        self.loss_curve_ = []
        self.module_.train()
        for _ in progress(range(steps), total=steps, desc="SequenceTransformer training"):
            if at + size > len(X):
                order, at = torch.randperm(len(X), generator=generator), 0
            idx = order[at:at + size].to(self.device)
            at += size
            loss = torch.nn.functional.cross_entropy(self._class_logits(X[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            self.loss_curve_.append(loss.item())
        self.module_.eval()
        self.n_train_ = len(X)

    # --- prediction ---------------------------------------------------------------------
    def _batched(self, codes, function, batch_size: int = 512) -> np.ndarray:
        import torch

        out = []
        with torch.no_grad():
            for start in range(0, len(codes), batch_size):
                batch = torch.from_numpy(codes[start:start + batch_size]).to(self.device)
                out.append(function(batch).cpu().numpy())
        return np.concatenate(out).astype(np.float64)

    def predict_proba(self, sequences) -> np.ndarray:
        """Probability of each class in ``classes_``, shape (n, n_classes)."""
        from scipy.special import softmax

        self._check_fitted()
        return softmax(self._batched(self._tokens(sequences), self._class_logits), axis=1)

    def predict(self, sequences) -> np.ndarray:
        """The most probable class of each sequence."""
        return self.classes_[self.predict_proba(sequences).argmax(axis=1)]

    def embed(self, sequences) -> np.ndarray:
        """The pooled representation the classifier reads: mean and max over positions (n, 2 d_model)."""
        import torch

        self._check_fitted("module")

        def pooled(tokens):
            h = self._hidden(tokens)
            return torch.cat([h.mean(dim=1), h.amax(dim=1)], dim=1)

        return self._batched(self._tokens(sequences), pooled)

    def predict_masked(self, sequences, *, mask_rate: float = 0.15,
                       random_state: int | None = None) -> MaskedTokenResult:
        """Hide every base once, as in pre-training, and record the network's guesses.

        The positions of each sequence are split at random into ``round(1 / mask_rate)``
        groups; each group is hidden in turn (with the mask token), so every base is
        predicted exactly once, with about ``mask_rate`` of its neighbours hidden too.

        Returns
        -------
        MaskedTokenResult
        """
        import torch

        self._check_fitted("pretrained")
        mask_rate = check_float(mask_rate, "mask_rate", 0, 1, open_low=True, open_high=True)
        codes = self._tokens(sequences)
        rng = check_random_state(random_state)
        n_groups = max(1, round(1 / mask_rate))
        group = rng.permuted(np.tile(np.arange(self.length_) % n_groups, (len(codes), 1)), axis=1)
        predicted = np.empty(codes.shape, np.int64)
        probability = np.empty(codes.shape)
        for g in range(n_groups):
            hidden = group == g
            inputs = np.where(hidden, MASK, codes)

            def masked_probabilities(tokens):
                return torch.softmax(self.module_["mlm_head"](self._hidden(tokens)), dim=-1)

            p = self._batched(inputs, masked_probabilities)
            predicted[hidden] = p.argmax(axis=2)[hidden]
            probability[hidden] = np.take_along_axis(p, codes[..., None], axis=2)[..., 0][hidden]
        return MaskedTokenResult(tokens=codes, predicted=predicted, probability=probability,
                                 base_token=self.base_token_, mask_rate=mask_rate)

    def attention_maps(self, sequences) -> np.ndarray:
        """Self-attention weights, averaged over heads: shape (n, n_layers, length, length).

        ``maps[i, layer, q, k]`` is how much position ``q`` attends to position ``k`` (rows
        sum to 1). Attention shows where information *can* flow, not why a prediction was
        made.
        """
        import torch

        self._check_fitted("module")
        codes = self._tokens(sequences)
        layers = self.module_["encoder"].layers

        def weights(tokens):
            x = self._inputs(tokens)
            maps = []
            for layer in layers:  # pre-norm layers: attention reads the normalised input
                h = layer.norm1(x)
                maps.append(layer.self_attn(h, h, h, need_weights=True, average_attn_weights=True)[1])
                x = layer(x)
            return torch.stack(maps, dim=1)

        return self._batched(codes, weights, batch_size=128)


def _mask(batch, mask_rate, span, generator):
    """BERT's corruption: chosen positions become the mask token (80 %), a random base (10 %)
    or stay (10 %). Returns the corrupted tokens and the chosen positions. With ``span`` > 1,
    runs of ``span`` bases are chosen, each starting with probability ``mask_rate / span``."""
    import torch

    starts = torch.rand(batch.shape, generator=generator) < mask_rate / span
    chosen = starts.clone()
    for offset in range(1, span):  # extend each start over the next span - 1 bases
        chosen[:, offset:] |= starts[:, :-offset]
    draw = torch.rand(batch.shape, generator=generator)
    random_base = torch.randint(len(ALPHABET), batch.shape, generator=generator)
    inputs = torch.where(chosen & (draw < 0.8), torch.full_like(batch, MASK), batch)
    inputs = torch.where(chosen & (draw >= 0.8) & (draw < 0.9), random_base, inputs)
    return inputs, chosen


def _check_labels(y, n: int) -> np.ndarray:
    labels = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    if labels.ndim != 1:
        raise ValueError(f"y must be one-dimensional (one label per sequence); got shape {labels.shape}")
    if len(labels) != n:
        raise ValueError(f"y has {len(labels)} labels but sequences holds {n}; they must match")
    if labels.dtype.kind == "f" and np.isnan(labels).any():
        raise ValueError("y contains NaN; every training sequence needs a label")
    return labels


@dataclass(frozen=True, repr=False)
class MaskedTokenResult:
    """The network's guess for every base, each hidden once (from :meth:`predict_masked`).

    Attributes
    ----------
    tokens : ndarray of int, shape (n, length)
        The true bases (A=0, C=1, G=2, T=3).
    predicted : ndarray of int, shape (n, length)
        The most probable base at each position when it was hidden.
    probability : ndarray, shape (n, length)
        The probability the network gave the true base.
    base_token : int
        The most frequent base of the pre-training sequences: guessing it everywhere is the
        base rate to beat.
    mask_rate : float
    """

    tokens: np.ndarray
    predicted: np.ndarray
    probability: np.ndarray
    base_token: int
    mask_rate: float

    @property
    def correct(self) -> np.ndarray:
        return self.predicted == self.tokens

    def _where(self, where) -> np.ndarray:
        if where is None:
            return np.ones(self.tokens.shape, bool)
        mask = np.asarray(where)
        if mask.shape != self.tokens.shape or mask.dtype != bool:
            raise ValueError(f"where must be a boolean array of shape {self.tokens.shape}; got "
                             f"{mask.dtype} of shape {mask.shape}")
        return mask

    def accuracy(self, where=None) -> float:
        """Share of the bases (all, or those where ``where`` is True) predicted correctly."""
        mask = self._where(where)
        return float(self.correct[mask].mean()) if mask.any() else float("nan")

    def per_sequence(self, where=None, *, base_rate: bool = False) -> np.ndarray:
        """Accuracy within each sequence over the positions in ``where`` (NaN where none).

        With ``base_rate=True``, the accuracy of always guessing ``base_token`` instead. One
        number per sequence: the unit for paired tests, as bases of one sequence are not
        independent.
        """
        mask = self._where(where)
        hits = (self.tokens == self.base_token) if base_rate else self.correct
        with np.errstate(invalid="ignore", divide="ignore"):
            return (hits & mask).sum(axis=1) / mask.sum(axis=1)

    def to_frame(self, regions: dict | None = None, *, level: float = 0.95) -> pd.DataFrame:
        """Accuracy and base rate per region, with Wilson intervals.

        Parameters
        ----------
        regions : dict, optional
            Name -> boolean array (n, length). Default: one region, all positions.
        level : float, default=0.95

        Notes
        -----
        The Wilson interval treats bases as independent; bases of one sequence are not, so
        it is somewhat too narrow. Compare regions with a paired test over sequences
        (:meth:`per_sequence`).
        """
        level = check_level(level)
        if regions is None:
            regions = {"all positions": None}
        if not isinstance(regions, dict):
            raise TypeError(f"regions must be a dict of name -> boolean array; got {type(regions).__name__}")
        rows = {}
        for name, where in regions.items():
            mask = self._where(where)
            k, total = int(self.correct[mask].sum()), int(mask.sum())
            base = int((self.tokens[mask] == self.base_token).sum())
            low, high = wilson_interval(k, total, level)
            b_low, b_high = wilson_interval(base, total, level)
            rows[name] = {"bases": total, "accuracy": k / total if total else np.nan, "low": float(low),
                          "high": float(high), "base rate": base / total if total else np.nan,
                          "base low": float(b_low), "base high": float(b_high),
                          "mean p(true base)": float(self.probability[mask].mean()) if total else np.nan}
        return pd.DataFrame(rows).T.astype({"bases": int})

    def __repr__(self) -> str:
        n, length = self.tokens.shape
        return (f"<MaskedTokenResult: {n} sequences of {length} bases, each hidden once; accuracy "
                f"{self.accuracy():.3f}, base rate {np.mean(self.tokens == self.base_token):.3f}>")


# --- label efficiency ---------------------------------------------------------------------

@dataclass(frozen=True, repr=False)
class LabelEfficiencyResult:
    """Test AUC of several methods against the number of labels (from :func:`label_efficiency`).

    Attributes
    ----------
    scores : pandas.DataFrame
        One row per size, draw and method: ``size``, ``draw``, ``method``, ``auc``. Within a
        size and a draw, every method saw the same labelled sequences: a paired design.
    level : float
        Level of the intervals.
    """

    scores: pd.DataFrame
    level: float

    @property
    def methods(self) -> list[str]:
        return list(dict.fromkeys(self.scores["method"]))

    def to_frame(self) -> pd.DataFrame:
        """Mean AUC per size and method over the draws, with a t interval (draws as replicates)."""
        from scipy import stats

        rows = []
        for (size, method), group in self.scores.groupby(["size", "method"], sort=False):
            auc = group["auc"].to_numpy()
            low, high = _t_interval(auc, self.level, stats)
            rows.append({"size": size, "method": method, "mean AUC": auc.mean(), "low": low, "high": high,
                         "sd": auc.std(ddof=1), "draws": len(auc)})
        return pd.DataFrame(rows).set_index(["size", "method"])

    def compare(self, a: str, b: str) -> pd.DataFrame:
        """Paired comparison of method ``a`` against ``b`` at each size, over the draws.

        The difference a - b is taken within each draw (same labels, same test set); the
        table gives its mean, a t interval, the paired t-test's p-value and how many draws
        ``a`` won.
        """
        from scipy import stats

        for name, value in (("a", a), ("b", b)):
            if value not in self.methods:
                raise ValueError(f"{name} must be one of the methods {self.methods}; got {value!r}")
        wide = self.scores.pivot_table(index=["size", "draw"], columns="method", values="auc")
        rows = []
        for size, group in wide.groupby(level="size"):
            diff = (group[a] - group[b]).to_numpy()
            low, high = _t_interval(diff, self.level, stats)
            p = float(stats.ttest_rel(group[a], group[b]).pvalue) if np.ptp(diff) > 0 else (
                1.0 if diff[0] == 0 else 0.0)
            rows.append({"size": size, f"{a} - {b}": diff.mean(), "low": low, "high": high,
                         "p": p, "wins": f"{int((diff > 0).sum())}/{len(diff)}"})
        return pd.DataFrame(rows).set_index("size")

    def plot(self, ax=None, *, chance: bool = True):
        """Mean AUC against the number of labels (log scale), with the intervals as bars."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        table = self.to_frame().reset_index()
        sizes = np.sort(table["size"].unique())
        offsets = np.linspace(-0.04, 0.04, len(self.methods))  # small shifts so bars do not overlap
        for offset, method in zip(offsets, self.methods):
            rows = table[table["method"] == method].sort_values("size")
            x = rows["size"].to_numpy() * 10**offset
            ax.errorbar(x, rows["mean AUC"], yerr=[rows["mean AUC"] - rows["low"], rows["high"] - rows["mean AUC"]],
                        marker="o", capsize=3, label=method)
        if chance:
            ax.axhline(0.5, color="grey", lw=1, ls=":")
        ax.set_xscale("log")
        ax.set_xticks(sizes, labels=[str(s) for s in sizes])
        ax.minorticks_off()
        ax.set_xlabel("labelled sequences")
        ax.set_ylabel("test AUC")
        ax.legend()
        return ax

    def __repr__(self) -> str:
        sizes = sorted(self.scores["size"].unique())
        return (f"<LabelEfficiencyResult: {len(self.methods)} methods ({', '.join(self.methods)}) at sizes "
                f"{sizes}, {self.scores['draw'].nunique()} draws each>")


def _t_interval(values, level, stats) -> tuple[float, float]:
    values = np.asarray(values, float)
    half = stats.t.ppf(0.5 + level / 2, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return float(values.mean() - half), float(values.mean() + half)


def _take(X, idx):
    return X.iloc[idx] if hasattr(X, "iloc") else np.asarray(X)[idx] if not isinstance(X, list) else \
        [X[i] for i in idx]


def label_efficiency(methods: dict, X_pool, y_pool, X_test, y_test, *, sizes=(25, 50, 100, 200, 400),
                     n_draws: int = 5, level: float = 0.95, random_state=None) -> LabelEfficiencyResult:
    """Test AUC of several methods as the number of labelled training examples grows.

    For each size and draw, ``size`` examples are drawn from the pool (stratified by
    class, so each class keeps its share), every method is trained on **the same** draw,
    and each is scored by its AUC on the same test set. Draws give the intervals; the
    pairing gives :meth:`LabelEfficiencyResult.compare`.

    Parameters
    ----------
    methods : dict
        Name -> a scikit-learn classifier (cloned and fitted on each draw; its
        ``random_state`` set to the draw's seed when it has one), or a callable
        ``method(X_train, y_train, seed)`` that returns a fitted model with
        ``predict_proba``.
    X_pool, y_pool
        The examples labels may be drawn from, and their binary labels.
    X_test, y_test
        The test set, scored by every method in every draw.
    sizes : sequence of int, default=(25, 50, 100, 200, 400)
    n_draws : int, default=5
        Draws per size (at least 2, for an interval).
    level : float, default=0.95
    random_state : int, Generator or None
        Seeds the draws and the seeds handed to the methods.

    Returns
    -------
    LabelEfficiencyResult

    Notes
    -----
    The intervals treat the draws as the replicates, with the test set fixed: they include
    the variation from which examples were labelled and from the training seed, not the
    sampling of the test set (small when it is large).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> curve = label_efficiency({"logistic": LogisticRegression()}, X, y, X_test, y_test,
    ...                          sizes=(50, 100), n_draws=3, random_state=0)  # doctest: +SKIP
    >>> curve.to_frame()                                                      # doctest: +SKIP
    """
    from sklearn.base import clone
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split

    if not isinstance(methods, dict) or not methods:
        raise TypeError("methods must be a non-empty dict of name -> estimator or callable(X, y, seed)")
    for name, method in methods.items():
        if not (hasattr(method, "fit") and hasattr(method, "predict_proba")) and not callable(method):
            raise TypeError(f"methods[{name!r}] must be a classifier with fit and predict_proba, or a "
                            f"callable(X_train, y_train, seed); got {type(method).__name__}")
    y_pool = np.asarray(y_pool)
    y_test = np.asarray(y_test)
    n_pool = len(y_pool)
    if len(X_pool) != n_pool:
        raise ValueError(f"X_pool has {len(X_pool)} rows but y_pool has {n_pool}; they must match")
    if len(X_test) != len(y_test):
        raise ValueError(f"X_test has {len(X_test)} rows but y_test has {len(y_test)}; they must match")
    for name, values in (("y_pool", y_pool), ("y_test", y_test)):
        if values.ndim != 1 or not np.isin(values, (0, 1)).all() or np.unique(values).size < 2:
            raise ValueError(f"{name} must be one-dimensional and hold both 0 and 1")
    if isinstance(sizes, numbers.Integral):
        sizes = (sizes,)
    sizes = [check_int(s, "sizes", 4) for s in sizes]
    if not sizes:
        raise ValueError("sizes must hold at least one number of labels, e.g. (25, 100)")
    if max(sizes) >= n_pool:
        raise ValueError(f"sizes must be smaller than the pool ({n_pool} examples); got {max(sizes)}")
    n_draws = check_int(n_draws, "n_draws", 2)
    level = check_level(level)
    rng = check_random_state(random_state)

    # one seed per size and draw, drawn before anything runs: the draws do not depend on the methods
    tasks = [(size, draw, int(rng.integers(2**31 - 1))) for size in sizes for draw in range(n_draws)]
    rows = []
    for size, draw, seed in progress(tasks, total=len(tasks), desc="label efficiency", min_total=2):
        picked, _ = train_test_split(np.arange(n_pool), train_size=size, stratify=y_pool, random_state=seed)
        X_train, y_train = _take(X_pool, picked), y_pool[picked]
        for name, method in methods.items():
            if hasattr(method, "fit") and hasattr(method, "predict_proba"):
                model = clone(method)
                if "random_state" in model.get_params():
                    model.set_params(random_state=seed)
                model.fit(X_train, y_train)
            else:
                model = method(X_train, y_train, seed)
            score = np.asarray(model.predict_proba(X_test))[:, 1]
            rows.append({"size": size, "draw": draw, "method": name, "auc": roc_auc_score(y_test, score)})
    return LabelEfficiencyResult(pd.DataFrame(rows), level)

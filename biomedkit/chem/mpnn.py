"""A message-passing neural network for molecules, in plain PyTorch, with the scikit-learn API.

Written for reading, not for scale: each layer spells out the three steps of message passing
(``message``, ``aggregate``, ``update``) as PyTorch Geometric names them. For large data sets,
many architectures and GPU batching, use PyTorch Geometric (``torch_geometric``) or a library
built on it; the arrays here (``x``, ``edge_index``, ``edge_attr``, ``batch``) carry over.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from sklearn.base import BaseEstimator, RegressorMixin
from torch import nn

from biomedkit._checks import check_int, check_training_options
from biomedkit._progress import progress
from biomedkit.chem.graphs import ATOM_FEATURES, BOND_FEATURES, MolGraph, batch_graphs, mols_to_graphs


class MessagePassingLayer(nn.Module):
    """One round of message passing with bond features.

    For every directed edge from atom ``j`` to atom ``i`` (a bond, seen from each end), and
    every atom ``i``:

    - **message**: ``m_ji = W_msg [h_j ; e_ji]``, a linear map of the sender's state and the
      bond's features;
    - **aggregate**: ``a_i = sum over neighbours j of m_ji``, so the order of neighbours does
      not matter and an atom with more neighbours receives more;
    - **update**: ``h_i' = ReLU(W_upd h_i + b + a_i)``, the atom's new state from its old one
      and what it received.

    After ``k`` layers, an atom's state depends on every atom up to ``k`` bonds away.

    Parameters
    ----------
    node_dim : int
        Length of each atom's state ``h_i``.
    edge_dim : int
        Length of each bond's features ``e_ji``.
    out_dim : int
        Length of the new states.

    Attributes
    ----------
    message_linear : torch.nn.Linear
        ``W_msg`` (no bias), of shape (out_dim, node_dim + edge_dim).
    update_linear : torch.nn.Linear
        ``W_upd`` and ``b``.
    """

    def __init__(self, node_dim: int, edge_dim: int, out_dim: int):
        super().__init__()
        self.message_linear = nn.Linear(node_dim + edge_dim, out_dim, bias=False)
        self.update_linear = nn.Linear(node_dim, out_dim)

    def message(self, h, edge_index, edge_attr):
        """One message per directed edge, from ``edge_index[0]`` (sender) to ``edge_index[1]``."""
        return self.message_linear(torch.cat([h.index_select(0, edge_index[0]), edge_attr], dim=1))

    def aggregate(self, messages, edge_index, num_nodes: int):
        """Sum the messages arriving at each atom (an atom without neighbours receives zeros)."""
        total = messages.new_zeros(num_nodes, messages.shape[1])
        return total.index_add(0, edge_index[1], messages)

    def update(self, h, aggregated):
        """The new state of each atom."""
        return torch.relu(self.update_linear(h) + aggregated)

    def forward(self, h, edge_index, edge_attr):
        messages = self.message(h, edge_index, edge_attr)
        return self.update(h, self.aggregate(messages, edge_index, h.shape[0]))


class MPNN(nn.Module):
    """Atom embedding, ``n_layers`` message-passing layers, a readout per molecule and a small head."""

    def __init__(self, hidden: int, n_layers: int, readout: str):
        super().__init__()
        self.embed = nn.Linear(len(ATOM_FEATURES), hidden)
        self.layers = nn.ModuleList(MessagePassingLayer(hidden, len(BOND_FEATURES), hidden)
                                    for _ in range(n_layers))
        self.head = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))
        self.readout = readout

    def atom_states(self, x, edge_index, edge_attr):
        h = torch.relu(self.embed(x))
        for layer in self.layers:
            h = layer(h, edge_index, edge_attr)
        return h

    def pool(self, h, batch, num_graphs: int):
        """Sum (or average) the atom states of each molecule into one vector."""
        pooled = h.new_zeros(num_graphs, h.shape[1]).index_add(0, batch, h)
        if self.readout == "mean":
            counts = torch.bincount(batch, minlength=num_graphs).clamp(min=1).to(h.dtype)
            pooled = pooled / counts[:, None]
        return pooled

    def forward(self, x, edge_index, edge_attr, batch, num_graphs: int):
        h = self.atom_states(x, edge_index, edge_attr)
        return self.head(self.pool(h, batch, num_graphs)).squeeze(1)


class MPNNRegressor(RegressorMixin, BaseEstimator):
    """A message-passing neural network that predicts a number for each molecule.

    Each molecule becomes a graph (:func:`biomedkit.chem.mol_to_graph`); each atom's features
    are embedded, refined by ``n_layers`` rounds of :class:`MessagePassingLayer`, summed (or
    averaged) over the molecule, and a two-layer head gives the prediction. It trains with
    Adam on the mean squared error of the standardised target, in mini-batches of molecules
    concatenated into one graph (:func:`biomedkit.chem.batch_graphs`). A progress bar shows
    the epoch and the loss (``bk.show_progress(False)`` turns bars off).

    Works like a scikit-learn regressor (``fit``, ``predict``, ``score`` = R²), on lists of
    SMILES strings or of ``MolGraph`` objects instead of a table.

    Parameters
    ----------
    hidden : int, default=64
        Length of each atom's state.
    n_layers : int, default=3
        Rounds of message passing: how many bonds away an atom can see.
    readout : {"sum", "mean"}, default="sum"
        How atom states become one vector per molecule. A sum grows with the molecule (as
        many properties do); a mean does not.
    epochs : int, default=30
        Passes over the training molecules.
    batch_size : int, default=32
        Molecules per step.
    learning_rate : float, default=2e-3
    weight_decay : float, default=0.0
        L2 penalty (Adam's weight decay).
    device : str, default="cpu"
        "cpu", "cuda" (an NVIDIA GPU) or "mps" (Apple); results come back as numpy arrays.
    random_state : int or None, default=None
        Seeds the weights and the order of the batches.

    Attributes
    ----------
    module_ : MPNN
        The trained network, in eval mode.
    loss_curve_ : list of float
        Mean training loss (on the standardised scale) of each epoch.
    y_mean_, y_scale_ : float
        The target's mean and standard deviation in the training data.

    Examples
    --------
    >>> model = bk.chem.MPNNRegressor(epochs=5, random_state=0).fit(["CCO", "CCCCO", "c1ccccc1"], [0.0, -0.6, -1.6])
    >>> model.predict(["CCCO"]).shape
    (1,)
    """

    def __init__(self, *, hidden: int = 64, n_layers: int = 3, readout: str = "sum", epochs: int = 30,
                 batch_size: int = 32, learning_rate: float = 2e-3, weight_decay: float = 0.0,
                 device: str = "cpu", random_state: int | None = None):
        self.hidden = hidden
        self.n_layers = n_layers
        self.readout = readout
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.device = device
        self.random_state = random_state

    def _check_params(self) -> None:
        check_int(self.hidden, "hidden", 1)
        check_int(self.n_layers, "n_layers", 0)
        if self.readout not in ("sum", "mean"):
            raise ValueError(f"readout must be 'sum' or 'mean'; got {self.readout!r}")
        check_training_options(epochs=self.epochs, batch_size=self.batch_size, learning_rate=self.learning_rate,
                               weight_decay=self.weight_decay, random_state=self.random_state, device=self.device)

    def _tensors(self, graphs: list[MolGraph]):
        b = batch_graphs(graphs)
        dev = self.device
        return (torch.from_numpy(b.x).to(dev), torch.from_numpy(b.edge_index).to(dev),
                torch.from_numpy(b.edge_attr).to(dev), torch.from_numpy(b.batch).to(dev), b.num_graphs)

    def fit(self, X, y) -> MPNNRegressor:
        """Train a new network on molecules ``X`` (SMILES strings or MolGraphs) and targets ``y``.

        Returns
        -------
        self
        """
        self._check_params()
        graphs = mols_to_graphs(X, "X")
        target = _check_target(y, len(graphs))
        seed = (int(np.random.default_rng().integers(2**31 - 1)) if self.random_state is None
                else int(self.random_state))
        torch.manual_seed(seed)  # the weights' initialisation
        generator = torch.Generator().manual_seed(seed)  # the order of the batches
        self.y_mean_, self.y_scale_ = float(target.mean()), float(target.std()) or 1.0
        z = torch.from_numpy(((target - self.y_mean_) / self.y_scale_).astype(np.float32)).to(self.device)
        self.module_ = MPNN(self.hidden, self.n_layers, self.readout).to(self.device)
        optimizer = torch.optim.Adam(self.module_.parameters(), lr=self.learning_rate,
                                     weight_decay=self.weight_decay)
        n_batches = math.ceil(len(graphs) / self.batch_size)
        steps = ((epoch, batch) for epoch in range(self.epochs) for batch in range(n_batches))
        bar = progress(steps, total=self.epochs * n_batches, desc="MPNN training")
        self.loss_curve_, total, order = [], 0.0, None
        self.module_.train()
        for epoch, batch in bar:
            if batch == 0:
                order = torch.randperm(len(graphs), generator=generator).tolist()
                total = 0.0
            idx = order[batch * self.batch_size:(batch + 1) * self.batch_size]
            optimizer.zero_grad()
            loss = torch.mean((self.module_(*self._tensors([graphs[i] for i in idx])) - z[idx]) ** 2)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
            if batch == n_batches - 1:
                self.loss_curve_.append(total / len(graphs))
                if hasattr(bar, "set_postfix_str"):
                    bar.set_postfix_str(f"epoch {epoch + 1}/{self.epochs}, loss {self.loss_curve_[-1]:.3f}",
                                        refresh=False)
        self.module_.eval()
        self.n_train_ = len(graphs)
        return self

    def predict(self, X, *, batch_size: int = 256) -> np.ndarray:
        """Predicted values, one per molecule of ``X``, on the scale of the training ``y``."""
        if not hasattr(self, "module_"):
            raise ValueError("this MPNNRegressor is not fitted yet: call fit(X, y) first")
        graphs = mols_to_graphs(X, "X")
        batch_size = check_int(batch_size, "batch_size", 1)
        out = []
        with torch.no_grad():
            for start in range(0, len(graphs), batch_size):
                z = self.module_(*self._tensors(graphs[start:start + batch_size]))
                out.append(z.cpu().numpy().astype(np.float64))
        return self.y_mean_ + self.y_scale_ * np.concatenate(out)


def _check_target(y, n: int) -> np.ndarray:
    values = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    if values.ndim != 1:
        raise ValueError(f"y must be one-dimensional (one value per molecule); got shape {values.shape}")
    if len(values) != n:
        raise ValueError(f"y has {len(values)} values but X holds {n} molecules; they must match")
    if values.dtype.kind not in "iuf":
        raise TypeError(f"y must be numeric; got dtype {values.dtype}")
    values = values.astype(float)
    if not np.isfinite(values).all():
        raise ValueError("y contains NaN or infinite values; drop those molecules first")
    return values

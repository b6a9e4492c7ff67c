"""A small convolutional network for image patches, with a scikit-learn-style API."""

from __future__ import annotations

import math

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from biomedkit._checks import check_int, check_training_options
from biomedkit._estimators import tuned_copy
from biomedkit._progress import progress
from biomedkit.imaging._images import check_images

POOLINGS = ("average", "flatten")


def build_network(channels: tuple[int, ...], n_classes: int, generator, *, in_channels: int = 3,
                  pooling: str = "average", image_size: tuple[int, int] | None = None):
    """Fixed input centring, convolutions (3 x 3, ReLU; a 2 x 2 max-pool after the first),
    then global average pooling (``pooling="average"``) or the feature maps flattened as
    they are (``"flatten"``, which needs ``image_size``), and a linear layer. Weights are
    drawn from ``generator``, not from PyTorch's global generator."""
    import torch
    from torch import nn

    from biomedkit.imaging._layers import Standardize

    layers: list[nn.Module] = [Standardize()]
    for i, (fan_in, fan_out) in enumerate(zip((in_channels, *channels[:-1]), channels)):
        layers += [nn.Conv2d(fan_in, fan_out, 3, padding=1), nn.ReLU()]
        if i == 0:
            layers.append(nn.MaxPool2d(2))
    network = nn.Sequential()
    network.add_module("features", nn.Sequential(*layers))
    if pooling == "average":
        network.add_module("pool", nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten()))
        network.add_module("head", nn.Linear(channels[-1], n_classes))
    else:
        # every position keeps its own weights: where a pattern is matters
        n_positions = (image_size[0] // 2) * (image_size[1] // 2)
        network.add_module("pool", nn.Flatten())
        network.add_module("head", nn.Linear(channels[-1] * n_positions, n_classes))
    with torch.no_grad():
        for module in network.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                fan_in = module.weight[0].numel()
                # He initialisation for ReLU layers, drawn from our generator
                module.weight.normal_(0, math.sqrt(2 / fan_in), generator=generator)
                module.bias.zero_()
    return network


class PatchCNN(ClassifierMixin, BaseEstimator):
    """A small convolutional neural network that classifies image patches.

    The network: pixels centred as ``(x - 0.5) / 0.25``, 3 x 3 convolutions with ReLU
    (``channels`` filters each; a 2 x 2 max-pool after the first), global average pooling
    (or the feature maps flattened, ``pooling="flatten"``), and a linear layer with one
    output per class, trained with AdamW on the cross-entropy.
    Small on purpose: it trains on a few thousand 32 x 32 patches in seconds on a laptop's
    CPU. While it trains, a progress bar shows the epoch and the loss
    (``bk.show_progress(False)`` turns bars off).

    Works like a scikit-learn classifier (``fit``, ``predict_proba``, ``predict``), with
    images instead of a table. The last convolution's output (``module_.features``) is the
    layer that :func:`biomedkit.imaging.grad_cam` explains.

    Parameters
    ----------
    channels : tuple of int, default=(16, 32, 32)
        Number of filters of each convolution.
    epochs : int, default=10
        Passes over the training images.
    batch_size : int, default=64
    learning_rate : float, default=3e-3
        Step size of Adam.
    weight_decay : float, default=1e-4
        L2 penalty on the weights (AdamW's decoupled decay).
    augment : callable or None, default=None
        Applied to every training batch: ``augment(batch, generator)`` takes a float tensor
        (batch, in_channels, height, width) and a ``torch.Generator`` and returns a new tensor
        of the same shape, for example :class:`biomedkit.imaging.Augmentation`.
    in_channels : int, default=3
        Channels of the images: 3 for colour patches (n, 3, height, width), 1 for grey
        images (n, 1, height, width) such as those of :class:`biomedkit.deep.TabularToImage`,
        more for multiplexed images (one channel per marker). The maps
        (:func:`biomedkit.imaging.saliency_map`, :func:`biomedkit.imaging.grad_cam`) and
        :func:`biomedkit.imaging.plot_patches` take the same images.
    pooling : {"average", "flatten"}, default="average"
        How the last feature maps reach the linear layer. ``"average"``: global average
        pooling, so a pattern counts the same wherever it is (right for tissue, where a
        tumour nucleus can lie anywhere in a patch). ``"flatten"``: every position keeps its
        own weights, for images whose pixels have fixed meanings (a pixel is a gene in an
        omics image); the network then only takes images of the training size.
    device : str, default="cpu"
        Where the network trains and predicts: "cpu", "cuda" (an NVIDIA GPU) or "mps"
        (Apple). Results come back as numpy arrays wherever the work ran.
    random_state : int or None, default=None
        Seeds the weights, the order of the batches and the augmentation. With
        ``torch.use_deterministic_algorithms(True)`` on a CPU, the same integer gives the
        same network.

    Notes
    -----
    PyTorch's CPU threads wait for work by spinning. On a machine whose cores are busy with
    other work (a shared 2-core server, a laptop running a browser) that can make training
    ten times slower; setting the environment variable ``OMP_WAIT_POLICY=PASSIVE`` before
    PyTorch is imported avoids it.

    Attributes
    ----------
    classes_ : ndarray
        The class labels; ``predict_proba`` has one column per class, in this order.
    module_ : torch.nn.Sequential
        The trained network (``features``, ``pool``, ``head``), on ``device``, in eval mode.
    loss_curve_ : list of float
        Mean training cross-entropy of each epoch.

    Examples
    --------
    >>> import biomedkit as bk
    >>> data, truth = bk.simulate.tissue_patches(n=500, random_state=0)
    >>> model = bk.imaging.PatchCNN(epochs=3, random_state=0).fit(data.images, data.y)
    >>> model.predict_proba(data.images[:2]).shape
    (2, 2)
    """

    def __init__(self, *, channels: tuple[int, ...] = (16, 32, 32), epochs: int = 10, batch_size: int = 64,
                 learning_rate: float = 3e-3, weight_decay: float = 1e-4, augment=None,
                 in_channels: int = 3, pooling: str = "average", device: str = "cpu",
                 random_state: int | None = None):
        self.channels = channels
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.augment = augment
        self.in_channels = in_channels
        self.pooling = pooling
        self.device = device
        self.random_state = random_state

    def _check_params(self) -> tuple[int, ...]:
        channels = self.channels
        if isinstance(channels, (int, np.integer)) or not isinstance(channels, (tuple, list)) or not channels:
            raise ValueError(f"channels must be a non-empty tuple of positive integers, e.g. (16, 32); "
                             f"got {channels!r}")
        channels = tuple(check_int(c, f"channels[{i}]", 1) for i, c in enumerate(channels))
        check_training_options(epochs=self.epochs, batch_size=self.batch_size, learning_rate=self.learning_rate,
                               weight_decay=self.weight_decay, random_state=self.random_state, device=self.device)
        if self.augment is not None and not callable(self.augment):
            raise TypeError(f"augment must be None or a callable augment(batch, generator); "
                            f"got {type(self.augment).__name__}")
        check_int(self.in_channels, "in_channels", 1)
        if not isinstance(self.pooling, str) or self.pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}; got {self.pooling!r}")
        return channels

    def fit(self, images, y) -> PatchCNN:
        """Train a new network on ``images`` (n, in_channels, height, width) and their labels ``y``.

        Returns
        -------
        self
        """
        import torch

        channels = self._check_params()
        X = check_images(images, channels=self.in_channels)
        labels = _check_labels(y, len(X))
        self.classes_, codes = np.unique(labels, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"y contains only one class ({self.classes_.tolist()[0]!r}); need at least 2")
        seed = (int(np.random.default_rng().integers(2**31 - 1)) if self.random_state is None
                else int(self.random_state))
        generator = torch.Generator().manual_seed(seed)
        self.module_ = build_network(channels, len(self.classes_), generator, in_channels=self.in_channels,
                                     pooling=self.pooling, image_size=X.shape[2:]).to(self.device)
        self.loss_curve_ = []
        self._train(X, codes, self.module_.parameters(), self.epochs, self.learning_rate, generator)
        self.image_shape_ = X.shape[1:]
        self.n_train_ = len(X)
        return self

    def fine_tune(self, images, y, *, epochs: int | None = None, learning_rate: float | None = None,
                  batch_size: int | None = None, freeze_features: bool = False,
                  random_state: int | None = None) -> PatchCNN:
        """Continue training a copy of this fitted network on new images (transfer learning).

        The network is not changed: a new, fine-tuned ``PatchCNN`` is returned, so one
        pre-trained network can be fine-tuned several times.

        Parameters
        ----------
        images, y
            The new training images (n, in_channels, height, width) and labels; every label must be one
            of ``classes_`` (a small sample may hold only one class).
        epochs : int, optional
            Passes over the new images; defaults to the model's ``epochs``.
        learning_rate : float, optional
            Defaults to the model's ``learning_rate``. A smaller one keeps more of what the
            network learned before.
        batch_size : int, optional
            Defaults to the model's ``batch_size``.
        freeze_features : bool, default=False
            Train the last (linear) layer only, keeping the convolutions as they are.
        random_state : int, optional
            Seeds the order of the batches and the augmentation; defaults to the model's.

        Returns
        -------
        PatchCNN
        """
        import torch

        self._check_fitted()
        if not isinstance(freeze_features, bool):
            raise TypeError(f"freeze_features must be True or False; got {freeze_features!r}")
        tuned = tuned_copy(self, epochs=epochs, learning_rate=learning_rate, batch_size=batch_size,
                           random_state=random_state)
        tuned._check_params()
        X = check_images(images, channels=self.in_channels)
        labels = _check_labels(y, len(X))
        unknown = np.setdiff1d(labels, self.classes_)
        if unknown.size:
            raise ValueError(f"y holds labels the network was not trained on: {unknown[:5].tolist()}; "
                             f"the classes are {self.classes_.tolist()}")
        check_image_shape(X, self.image_shape_, "images")
        codes = np.searchsorted(self.classes_, labels)
        seed = (int(np.random.default_rng().integers(2**31 - 2)) if tuned.random_state is None
                else int(tuned.random_state))
        generator = torch.Generator().manual_seed(seed + 1)  # not the same draws as the first fit
        params = tuned.module_.head.parameters() if freeze_features else tuned.module_.parameters()
        tuned.loss_curve_ = []
        tuned._train(X, codes, params, tuned.epochs, tuned.learning_rate, generator)
        tuned.n_train_ = len(X)
        return tuned

    def _train(self, X: np.ndarray, codes: np.ndarray, params, epochs: int, learning_rate: float, generator):
        """Mini-batch AdamW on the cross-entropy, with a bar that shows the epoch and the loss."""
        import torch

        device = self.device
        module = self.module_
        X_all = torch.from_numpy(X).to(device)
        y_all = torch.from_numpy(codes.astype(np.int64)).to(device)
        optimizer = torch.optim.AdamW(list(params), lr=learning_rate, weight_decay=self.weight_decay)
        loss_fn = torch.nn.CrossEntropyLoss()
        n_batches = math.ceil(len(X) / self.batch_size)
        steps = ((epoch, batch) for epoch in range(epochs) for batch in range(n_batches))
        bar = progress(steps, total=epochs * n_batches, desc="PatchCNN training")
        module.train()
        total, order = 0.0, None
        for epoch, batch in bar:
            if batch == 0:
                order = torch.randperm(len(X), generator=generator).to(device)
                total = 0.0
            idx = order[batch * self.batch_size:(batch + 1) * self.batch_size]
            inputs = X_all[idx]
            if self.augment is not None:
                inputs = self.augment(inputs, generator)
            optimizer.zero_grad()
            loss = loss_fn(module(inputs), y_all[idx])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
            if batch == n_batches - 1:
                self.loss_curve_.append(total / len(X))
                if hasattr(bar, "set_postfix_str"):
                    # refresh=False: tqdm shows it at its next update, with the right count
                    bar.set_postfix_str(f"epoch {epoch + 1}/{epochs}, loss {self.loss_curve_[-1]:.3f}",
                                        refresh=False)
        module.eval()

    def _check_fitted(self) -> None:
        if not hasattr(self, "module_"):
            raise ValueError("this PatchCNN is not fitted yet: call fit(images, y) first")

    def logits(self, images, *, batch_size: int = 512) -> np.ndarray:
        """The network's raw outputs (n, n_classes), before the softmax."""
        import torch

        self._check_fitted()
        X = check_images(images, channels=self.in_channels)
        check_image_shape(X, self.image_shape_, "images")
        batch_size = check_int(batch_size, "batch_size", 1)
        out = []
        with torch.no_grad():
            for start in range(0, len(X), batch_size):
                batch = torch.from_numpy(X[start:start + batch_size]).to(self.device)
                out.append(self.module_(batch).cpu().numpy())
        return np.concatenate(out).astype(np.float64)

    def predict_proba(self, images) -> np.ndarray:
        """Probability of each class in ``classes_``, shape (n, n_classes)."""
        from scipy.special import softmax

        return softmax(self.logits(images), axis=1)

    def predict(self, images) -> np.ndarray:
        """The most probable class of each image."""
        return self.classes_[np.argmax(self.logits(images), axis=1)]


def check_image_shape(X: np.ndarray, shape: tuple[int, ...], name: str = "images") -> None:
    """Refuse a batch ``X`` (from :func:`check_images`) whose images are not ``shape``, the
    (channels, height, width) a network was trained on. One check for the network's
    predictions and for the maps that explain them, so that both refuse the same images."""
    if X.shape[1:] != tuple(shape):
        raise ValueError(f"{name} have shape {X.shape[1:]} per image but the network was trained on "
                         f"{tuple(shape)}; pass patches of the training size")


def _check_labels(y, n: int) -> np.ndarray:
    labels = np.asarray(y)
    if labels.ndim != 1:
        raise ValueError(f"y must be one-dimensional (one label per image); got shape {labels.shape}")
    if len(labels) != n:
        raise ValueError(f"y has {len(labels)} labels but images holds {n} images; they must match")
    if labels.dtype.kind == "f" and np.isnan(labels).any():
        raise ValueError("y contains NaN; every training image needs a label")
    return labels

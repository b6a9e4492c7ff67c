"""DP-SGD with Opacus: a small neural network trained with differential privacy.

DP-SGD (Abadi et al. 2016) changes two things in each training step: every patient's
gradient is clipped to a norm of at most ``max_grad_norm``, so that no patient can move the
model much, and Gaussian noise proportional to that norm is added to the batch's sum. The
batches are Poisson samples of the training rows. A privacy accountant (Rényi differential
privacy, Mironov 2017) adds up what all the steps spend and gives the ``(epsilon, delta)``
guarantee of the whole training run. All of that is Opacus's work (Yousefpour et al. 2021);
this module only wraps it in a scikit-learn classifier so that a lesson can fit one model per
privacy budget and compare them with the usual tools.

References
----------
Abadi M, Chu A, Goodfellow I, et al. Deep learning with differential privacy. ACM CCS 2016:
308-318.
Mironov I. Rényi differential privacy. IEEE CSF 2017: 263-275.
Yousefpour A, Shilov I, Sablayrolles A, et al. Opacus: user-friendly differential privacy
library in PyTorch. arXiv:2109.12298 (2021).
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from biomedkit._checks import check_int, check_random_state, check_training_options
from biomedkit._estimators import classifier_fit_inputs
from biomedkit._progress import progress

# Rényi orders for the accountant: Opacus's defaults (up to 63) and larger ones, which the
# conversion to (epsilon, delta) needs when the noise is large (small epsilon, many steps).
ALPHAS = tuple([1 + x / 10.0 for x in range(1, 100)] + list(range(12, 64)) + [80, 100, 128, 160, 200, 256])


def _check_positive(value, name: str, *, allow_none: bool = False):
    if value is None and allow_none:
        return None
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        kind = "None or a positive number" if allow_none else "a positive number"
        raise TypeError(f"{name} must be {kind}; got {type(value).__name__}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive, finite number; got {value!r}")
    return float(value)


def _device_name(device):
    """A ``torch.device`` as its name (documented as accepted), anything else as given, for
    :func:`~biomedkit._checks.check_device` to check."""
    import torch

    return str(device) if isinstance(device, torch.device) else device


def _build_network(n_in: int, hidden: tuple[int, ...], n_out: int, generator):
    """A ReLU network whose initial weights come from ``generator`` (PyTorch's default scheme)."""
    import torch
    from torch import nn

    sizes = [n_in, *hidden, n_out]
    layers: list[nn.Module] = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layer = nn.Linear(fan_in, fan_out)
        bound = 1 / math.sqrt(fan_in)
        with torch.no_grad():
            layer.weight.uniform_(-bound, bound, generator=generator)
            layer.bias.uniform_(-bound, bound, generator=generator)
        layers += [layer, nn.ReLU()] if i < len(hidden) else [layer]
    return nn.Sequential(*layers)


class DPMLPClassifier(ClassifierMixin, BaseEstimator):
    """A multilayer perceptron trained with DP-SGD (Opacus), or without privacy for comparison.

    The same network, optimiser (Adam), batches and epochs with ``epsilon=None`` (ordinary
    training) and with a privacy budget (per-patient gradient clipping, Gaussian noise and
    Poisson-sampled batches, the noise chosen by Opacus so that the whole run spends
    ``epsilon`` at ``delta``), so that the two differ only in what privacy costs. Scale the
    inputs first (a ``StandardScaler`` in a pipeline): clipping makes badly scaled inputs
    train even worse than usual.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(32,)
    epsilon : positive float or None, default=1.0
        The privacy budget of the whole training run; None trains without privacy.
    delta : float in (0, 1), default=1e-5
        The probability with which the guarantee may fail; keep it well below 1 / n.
    max_grad_norm : positive float, default=1.0
        Each patient's gradient is clipped to this L2 norm (DP only).
    epochs : int, default=20
    batch_size : int, default=64
        The expected batch size (DP batches are Poisson samples of this mean size).
    learning_rate : float in (0, 10], default=1e-2
        Step size of Adam.
    alpha : float >= 0, default=0.0
        L2 penalty (weight decay) on all parameters.
    random_state : int, Generator or None
        Seeds the initial weights, the batches and the noise: the same int gives the same
        model on the same machine.
    device : str or torch.device, default="cpu"
        "cpu", "cuda" or "mps"; results come back as numpy arrays.

    Attributes
    ----------
    classes_ : ndarray
    module_ : torch.nn.Sequential
        The trained network (a plain module, on ``device``), one logit per class.
    epsilon_ : float
        The epsilon the accountant reports at ``delta`` for the steps actually taken
        (inf without privacy); at most ``epsilon``, up to the search's tolerance.
    noise_multiplier_ : float
        The noise standard deviation divided by ``max_grad_norm`` (0 without privacy).
    n_steps_ : int
    loss_curve_ : list of float
        Mean training loss of each epoch (of the clipped, noisy run when private).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> import biomedkit as bk
    >>> X, y = make_classification(n_samples=2000, random_state=0)
    >>> model = make_pipeline(StandardScaler(), bk.privacy.DPMLPClassifier(epsilon=1.0, random_state=0))
    >>> model.fit(X, y)[-1].epsilon_ <= 1.0 + 0.01                      # doctest: +SKIP
    True
    """

    def __init__(self, *, hidden_layer_sizes=(32,), epsilon=1.0, delta=1e-5, max_grad_norm=1.0,
                 epochs=20, batch_size=64, learning_rate=1e-2, alpha=0.0, random_state=None,
                 device="cpu"):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.epsilon = epsilon
        self.delta = delta
        self.max_grad_norm = max_grad_norm
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.alpha = alpha
        self.random_state = random_state
        self.device = device

    def _check_params(self) -> tuple[int, ...]:
        sizes = self.hidden_layer_sizes
        hidden = (sizes,) if isinstance(sizes, numbers.Integral) else tuple(sizes)
        for i, units in enumerate(hidden):
            check_int(units, f"hidden_layer_sizes[{i}]", 1)
        _check_positive(self.epsilon, "epsilon", allow_none=True)
        if not isinstance(self.delta, numbers.Real) or isinstance(self.delta, bool) or not 0 < self.delta < 1:
            raise ValueError(f"delta must be a number in (0, 1), well below 1 / n (e.g. 1e-5); got {self.delta!r}")
        _check_positive(self.max_grad_norm, "max_grad_norm")
        check_training_options(epochs=self.epochs, batch_size=self.batch_size, learning_rate=self.learning_rate,
                               device=_device_name(self.device))
        # random_state may also be a Generator here, which the shared rule does not take
        check_random_state(self.random_state)
        if not isinstance(self.alpha, numbers.Real) or isinstance(self.alpha, bool) or not self.alpha >= 0:
            raise ValueError(f"alpha must be a number >= 0; got {self.alpha!r}")
        return hidden

    def fit(self, X, y) -> DPMLPClassifier:
        """Train on ``X`` (n_samples, n_features) and labels ``y``; privately when ``epsilon`` is set."""
        import torch
        from torch.utils.data import DataLoader, TensorDataset

        hidden = self._check_params()
        X, y = classifier_fit_inputs(self, X, y)
        if self.batch_size > len(y):
            raise ValueError(f"batch_size ({self.batch_size}) is larger than the training set ({len(y)} rows)")
        device = torch.device(self.device)
        seeds = check_random_state(self.random_state).integers(0, 2**31 - 1, size=3)
        net = _build_network(X.shape[1], hidden, len(self.classes_),
                             torch.Generator().manual_seed(int(seeds[0]))).to(device)
        optimizer = torch.optim.Adam(net.parameters(), lr=self.learning_rate, weight_decay=self.alpha)
        loader = DataLoader(TensorDataset(torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))),
                            batch_size=self.batch_size, shuffle=True,
                            generator=torch.Generator().manual_seed(int(seeds[1])))
        engine = None
        if self.epsilon is not None:
            engine, net_dp, optimizer, loader = self._make_private(net, optimizer, loader, device, int(seeds[2]))
        else:
            net_dp, self.noise_multiplier_ = net, 0.0
        self._train(net_dp, optimizer, loader, device)
        if engine is not None:
            self.epsilon_ = float(engine.accountant.get_epsilon(delta=self.delta, alphas=list(ALPHAS)))
            net = net_dp.to_standard_module()  # removes Opacus's hooks and per-sample gradients
        else:
            self.epsilon_ = math.inf
        self.module_ = net.eval()
        return self

    def _make_private(self, net, optimizer, loader, device, seed: int):
        """Wrap the network, optimiser and batches with Opacus for a budget of (epsilon, delta)."""
        import torch
        from opacus import PrivacyEngine
        from opacus.accountants.utils import get_noise_multiplier

        with warnings.catch_warnings():
            # the search for the noise tries very large noise levels, for which even the largest
            # Rényi order is not large enough; the final level is checked below with ALPHAS
            warnings.filterwarnings("ignore", message="Optimal order is the largest alpha")
            sigma = get_noise_multiplier(target_epsilon=self.epsilon, target_delta=self.delta,
                                         sample_rate=1 / len(loader), epochs=self.epochs,
                                         accountant="rdp", alphas=list(ALPHAS))
            # teaching and testing: a seeded generator, so that the lesson is reproducible;
            # a deployment would use secure_mode=True (a cryptographic generator)
            warnings.filterwarnings("ignore", message="Secure RNG turned off")
            engine = PrivacyEngine(accountant="rdp", secure_mode=False)
            net_dp, optimizer, loader = engine.make_private(
                module=net, optimizer=optimizer, data_loader=loader, noise_multiplier=sigma,
                max_grad_norm=self.max_grad_norm, poisson_sampling=True,
                noise_generator=torch.Generator(device=device).manual_seed(seed))
        self.noise_multiplier_ = float(sigma)
        return engine, net_dp, optimizer, loader

    def _train(self, net, optimizer, loader, device) -> None:
        import torch

        loss_fn = torch.nn.CrossEntropyLoss()
        self.loss_curve_, self.n_steps_ = [], 0
        net.train()
        with warnings.catch_warnings():
            # Opacus's per-sample-gradient hooks fire on the first layer, whose input (the
            # data) needs no gradient; PyTorch warns about that, harmlessly
            warnings.filterwarnings("ignore", message="Full backward hook is firing")
            for _ in progress(range(self.epochs), desc="DPMLPClassifier epochs"):
                total, rows = 0.0, 0
                for xb, yb in loader:
                    xb, yb = xb.to(device), yb.to(device)
                    optimizer.zero_grad()
                    loss = loss_fn(net(xb), yb)
                    loss.backward()
                    optimizer.step()
                    self.n_steps_ += 1
                    if len(yb):
                        total, rows = total + loss.item() * len(yb), rows + len(yb)
                self.loss_curve_.append(total / max(rows, 1))

    def _logits(self, X) -> np.ndarray:
        import torch

        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float32, reset=False)
        device = next(self.module_.parameters()).device
        with torch.no_grad():
            return self.module_(torch.from_numpy(X).to(device)).cpu().numpy().astype(np.float64)

    def predict_proba(self, X) -> np.ndarray:
        """Probability of each class in ``classes_``, shape (n_samples, n_classes)."""
        from scipy.special import softmax

        return softmax(self._logits(X), axis=1)

    def predict(self, X) -> np.ndarray:
        """The most probable class of each row."""
        return self.classes_[np.argmax(self._logits(X), axis=1)]

"""Optimizers: update a flat parameter buffer in place from its flat gradient.

An optimizer's state (moments, step count) is plain, visible data in
``optimizer.state``, laid out like the parameter buffer, so it can be inspected,
saved and restored to resume training exactly. The optimizer never decides when
to stop and never prints.
"""

import numbers
from typing import Any

import numpy as np

from ._registry import resolve


class Optimizer:
    """Base class: ``step(params, grads)`` updates ``params`` in place."""

    def __init__(self) -> None:
        self.state: dict[str, Any] = {}

    def init_state(self, params: np.ndarray) -> dict[str, Any]:
        """Fresh state for a parameter buffer like ``params``."""
        return {"step": 0}

    def step(self, params: np.ndarray, grads: np.ndarray) -> None:
        """Apply one update to ``params`` (1-D) given ``grads`` of the same shape."""
        if not self.state:
            self.state = self.init_state(params)
        self.state["step"] += 1
        self._update(params, grads)

    def _update(self, params: np.ndarray, grads: np.ndarray) -> None:
        raise NotImplementedError

    def prepare(self, params: np.ndarray) -> None:
        """Start from fresh state unless the current state fits ``params``."""
        arrays = [v for v in self.state.values() if isinstance(v, np.ndarray)]
        if not self.state or any(
            a.shape != params.shape or a.dtype != params.dtype for a in arrays
        ):
            self.state = self.init_state(params)

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments."""
        raise NotImplementedError

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Optimizer":
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (Nesterov) momentum.

    Without momentum: ``w -= lr * g``. With ``SGD(lr=1)`` and the ``sse`` loss this
    is exactly the seed's update ``w += X.T @ (error * output * (1 - output))``.

    With momentum ``mu`` (the form PyTorch uses; Sutskever et al., 2013)::

        v = mu * v + g
        w -= lr * v                  # classical
        w -= lr * (g + mu * v)       # nesterov=True
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.0, nesterov: bool = False):
        super().__init__()
        _check_positive("lr", lr)
        if not 0 <= momentum < 1:
            raise ValueError(f"SGD momentum must be in [0, 1), got {momentum!r}")
        if nesterov and momentum == 0:
            raise ValueError("SGD nesterov=True needs a momentum > 0")
        self.lr, self.momentum, self.nesterov = (
            float(lr),
            float(momentum),
            bool(nesterov),
        )

    def init_state(self, params):
        state = {"step": 0}
        if self.momentum:
            state["velocity"] = np.zeros_like(params)
        return state

    def _update(self, params, grads):
        if not self.momentum:
            params -= grads if self.lr == 1 else self.lr * grads  # the seed: lr 1
            return
        velocity = self.state["velocity"]
        velocity *= self.momentum
        velocity += grads
        if self.nesterov:
            params -= self.lr * (grads + self.momentum * velocity)
        else:
            params -= self.lr * velocity

    def get_config(self):
        return {"lr": self.lr, "momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015); AdamW (Loshchilov and Hutter, 2019) when
    ``weight_decay > 0``. At step ``t`` with gradient ``g``::

        w -= lr * weight_decay * w             # decoupled weight decay
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        w -= lr * (m / (1 - beta1**t)) / (sqrt(v / (1 - beta2**t)) + eps)
    """

    def __init__(
        self,
        lr: float = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ):
        super().__init__()
        _check_positive("lr", lr)
        for name, beta in (("beta1", beta1), ("beta2", beta2)):
            if not 0 <= beta < 1:
                raise ValueError(f"Adam {name} must be in [0, 1), got {beta!r}")
        _check_positive("eps", eps)
        if weight_decay < 0:
            raise ValueError(f"Adam weight_decay must be >= 0, got {weight_decay!r}")
        self.lr, self.beta1, self.beta2 = float(lr), float(beta1), float(beta2)
        self.eps, self.weight_decay = float(eps), float(weight_decay)
        self._work: np.ndarray | None = None

    def init_state(self, params):
        return {"step": 0, "m": np.zeros_like(params), "v": np.zeros_like(params)}

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_work": None}  # scratch is not worth pickling

    def _update(self, params, grads):
        work = self._work
        if work is None or work.shape != params.shape or work.dtype != params.dtype:
            work = self._work = np.empty_like(params)  # scratch, not state
        m, v, t = self.state["m"], self.state["v"], self.state["step"]
        if self.weight_decay:
            params *= 1 - self.lr * self.weight_decay
        self._moments(grads, m, v, work)
        # sqrt(v / c2) + eps  ==  (sqrt(v) + eps * sqrt(c2)) / sqrt(c2)
        c1, c2 = 1 - self.beta1**t, 1 - self.beta2**t
        np.sqrt(v, out=work)
        work += self.eps * np.sqrt(c2)
        np.divide(m, work, out=work)
        work *= self.lr * np.sqrt(c2) / c1
        params -= work

    def _moments(self, g, m, v, work) -> None:
        """``m = beta1 m + (1 - beta1) g`` and ``v = beta2 v + (1 - beta2) g**2``,
        in place, as ``m += (1 - beta1) (g - m)`` and ``v += (1 - beta2) (g*g - v)``."""
        np.subtract(g, m, out=work)
        work *= 1 - self.beta1
        m += work
        np.multiply(g, g, out=work)
        work -= v
        work *= 1 - self.beta2
        v += work

    def get_config(self):
        return {
            "lr": self.lr,
            "beta1": self.beta1,
            "beta2": self.beta2,
            "eps": self.eps,
            "weight_decay": self.weight_decay,
        }


def _check_positive(name: str, value: float) -> None:
    finite = isinstance(value, numbers.Real) and 0 < value < float("inf")
    if isinstance(value, bool) or not finite:
        raise ValueError(f"{name} must be a positive number, got {value!r}")


OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD, "adam": Adam}


def get(name_or_optimizer: "str | Optimizer") -> Optimizer:
    """A new optimizer (default settings) by name, or the given one unchanged."""
    return resolve(name_or_optimizer, OPTIMIZERS, Optimizer, "optimizer")

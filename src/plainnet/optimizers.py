"""Optimizers: update a flat parameter buffer in place from its flat gradient.

An optimizer's state (moments, step count) is plain, visible data in
``optimizer.state``, laid out like the parameter buffer and on its device, so it
can be inspected, saved and restored to resume training exactly. An optimizer
never prints, and a first-order one never decides when to stop.

A learning rate ``lr`` is a number or a :class:`~plainnet.schedules.Schedule`
(whose state, if any, sits in ``optimizer.state`` beside the step count).
Constants are cast to the buffer's dtype before they touch it (a float64 scalar
times a float32 array is a slow casting loop in NumPy).

Full-batch solvers are the other kind (``full_batch = True``): :class:`LBFGS`
minimises the whole cost with SciPy through ``minimize``, which ``fit`` calls
instead of ``step``; its own convergence tests say when it has finished.
"""

from collections.abc import Callable
from typing import Any

import numpy as np  # in type hints only: optimizers compute through the backend

from . import backend, schedules
from ._registry import resolve
from ._validation import check_number, check_positive
from .schedules import Schedule


class Optimizer:
    """Base class: ``step(params, grads)`` updates ``params`` in place.

    A subclass defines ``_update`` (reading ``self.rate()``, the learning rate of
    this update), ``init_state`` (calling this one for the step count and the
    schedule's state) and ``get_config``.
    """

    lr: "float | Schedule | None" = None
    #: whether ``fit`` drives it through ``minimize`` on the whole data (a
    #: full-batch solver) instead of ``step`` batch after batch
    full_batch = False

    def __init__(self) -> None:
        self.state: dict[str, Any] = {}

    def init_state(self, params: np.ndarray) -> dict[str, Any]:
        """Fresh state for a parameter buffer like ``params``."""
        extra = self.lr.init_state() if isinstance(self.lr, Schedule) else {}
        return {"step": 0, **extra}

    def rate(self) -> float:
        """The learning rate of the current update (``state["step"]`` counts it)."""
        lr = self.lr
        if isinstance(lr, Schedule):
            return lr(self.state["step"] - 1, self.state)
        return lr

    def learning_rate(self) -> float | None:
        """The learning rate of the latest update (of the first, before any);
        None for an optimizer without one."""
        if self.lr is None:
            return None
        if not isinstance(self.lr, Schedule):
            return self.lr
        return self.lr(max(self.state.get("step", 0) - 1, 0), self.state)

    def step(self, params: np.ndarray, grads: np.ndarray) -> None:
        """Apply one update to ``params`` (1-D) given ``grads`` of the same shape."""
        if not self.state:
            self.state = self.init_state(params)
        self.state["step"] += 1
        self._update(params, grads)

    def _update(self, params: np.ndarray, grads: np.ndarray) -> None:
        raise NotImplementedError

    def prepare(self, params: np.ndarray) -> None:
        """Start from fresh state unless the current state fits ``params``
        (shape, dtype and device); state of another device is moved."""
        ops = backend.of(params)
        dtype = ops.host_dtype(params.dtype)
        arrays = {k: v for k, v in self.state.items() if hasattr(v, "shape")}
        if not self.state or any(
            a.shape != params.shape or backend.of(a).host_dtype(a.dtype) != dtype
            for a in arrays.values()
        ):
            self.state = self.init_state(params)
            return
        for key, array in arrays.items():
            if not ops.owns(array):
                self.state[key] = ops.asarray(backend.of(array).to_numpy(array))

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments, as JSON values (a schedule as
        ``{"name": ..., "config": ...}``)."""
        raise NotImplementedError

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Optimizer":
        if "lr" in config:
            config = {**config, "lr": schedules.from_config(config["lr"])}
        return cls(**config)

    def __repr__(self) -> str:
        config = self.get_config()
        if self.lr is not None:
            config["lr"] = self.lr  # the schedule itself, not its config
        args = ", ".join(f"{k}={v!r}" for k, v in config.items())
        return f"{type(self).__name__}({args})"


def _learning_rate(lr) -> "float | Schedule":
    """``lr`` checked: a schedule, or a positive number as a float."""
    if isinstance(lr, Schedule):
        return lr
    check_positive("lr", lr)
    return float(lr)


def _cast(params: np.ndarray, *values: float) -> tuple:
    """``values`` as scalars of the dtype of ``params`` (see the module's
    docstring)."""
    ops = backend.of(params)
    return tuple(ops.scalar(value, params.dtype) for value in values)


def _zeros_like(params: np.ndarray, value: float = 0.0) -> np.ndarray:
    """A new array like ``params`` (shape, dtype, device), filled with ``value``."""
    return backend.of(params).full(params.shape, value, params.dtype)


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (Nesterov) momentum.

    Without momentum: ``w -= lr * g``. With ``SGD(lr=1)`` and the ``sse`` loss this
    is exactly the seed's update ``w += X.T @ (error * output * (1 - output))``.

    With momentum ``mu`` (the form PyTorch uses; Sutskever et al., 2013)::

        v = mu * v + g
        w -= lr * v                  # classical
        w -= lr * (g + mu * v)       # nesterov=True

    State: ``step`` and, with momentum, ``velocity`` (like the parameters).
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.0, nesterov: bool = False):
        super().__init__()
        self.lr = _learning_rate(lr)
        check_number("momentum", momentum, 0, 1)
        if nesterov and momentum == 0:
            raise ValueError("SGD nesterov=True needs a momentum > 0")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def init_state(self, params):
        state = super().init_state(params)
        if self.momentum:
            state["velocity"] = _zeros_like(params)
        return state

    def _update(self, params, grads):
        lr = self.lr if type(self.lr) is float else self.rate()  # the seed's loop
        if not self.momentum:
            if lr == 1:
                params -= grads  # the seed
            else:
                params -= _cast(params, lr)[0] * grads
            return
        lr, mu = _cast(params, lr, self.momentum)
        velocity = self.state["velocity"]
        velocity *= mu
        velocity += grads
        if self.nesterov:
            params -= lr * (grads + mu * velocity)
        else:
            params -= lr * velocity

    def get_config(self):
        return {
            "lr": schedules.to_config(self.lr),
            "momentum": self.momentum,
            "nesterov": self.nesterov,
        }


class _Scratch:
    """A work array like the parameters, allocated once (scratch, not state)."""

    _work: np.ndarray | None = None

    def work(self, params: np.ndarray) -> np.ndarray:
        work = self._work
        if work is None or work.shape != params.shape or work.dtype != params.dtype:
            ops = backend.of(params)
            work = self._work = ops.empty(params.shape, params.dtype)
        return work

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_work": None}  # scratch is not worth pickling


class Adam(_Scratch, Optimizer):
    """Adam (Kingma and Ba, 2015); AdamW (Loshchilov and Hutter, 2019) when
    ``weight_decay > 0``. At step ``t`` with gradient ``g``::

        w -= lr * weight_decay * w             # decoupled weight decay
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        w -= lr * (m / (1 - beta1**t)) / (sqrt(v / (1 - beta2**t)) + eps)

    PyTorch's ``Adam`` and ``AdamW`` compute the same. State: ``step``, ``m`` and
    ``v`` (like the parameters). The update is the backend's fused ``adam``:
    on the CPU twelve NumPy passes, or one compiled loop when numba is
    installed (the same bits).
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
        self.lr = _learning_rate(lr)
        check_number("beta1", beta1, 0, 1)
        check_number("beta2", beta2, 0, 1)
        check_positive("eps", eps)
        check_positive("weight_decay", weight_decay, zero=True)
        self.beta1, self.beta2 = float(beta1), float(beta2)
        self.eps, self.weight_decay = float(eps), float(weight_decay)

    def init_state(self, params):
        state = super().init_state(params)
        return {**state, "m": _zeros_like(params), "v": _zeros_like(params)}

    def _update(self, params, grads):
        backend.of(params).adam(
            params,
            grads,
            self.state["m"],
            self.state["v"],
            self.work(params),
            lr=self.rate(),
            beta1=self.beta1,
            beta2=self.beta2,
            eps=self.eps,
            weight_decay=self.weight_decay,
            t=self.state["step"],
        )

    def get_config(self):
        return {
            "lr": schedules.to_config(self.lr),
            "beta1": self.beta1,
            "beta2": self.beta2,
            "eps": self.eps,
            "weight_decay": self.weight_decay,
        }


class RMSprop(_Scratch, Optimizer):
    """RMSprop (Hinton, 2012, lecture 6e), as PyTorch defines it. With gradient
    ``g``::

        v = alpha * v + (1 - alpha) * g**2
        g_avg = alpha * g_avg + (1 - alpha) * g        # centered=True
        d = sqrt(v - g_avg**2) + eps                   # centered=True
        d = sqrt(v) + eps                              # otherwise
        b = momentum * b + g / d;  w -= lr * b         # momentum > 0
        w -= lr * g / d                                # otherwise

    State: ``step``, ``v``, and ``g_avg`` (centered) and ``b`` (momentum).
    """

    def __init__(
        self,
        lr: float = 0.01,
        alpha: float = 0.99,
        eps: float = 1e-8,
        momentum: float = 0.0,
        centered: bool = False,
    ):
        super().__init__()
        self.lr = _learning_rate(lr)
        check_number("alpha", alpha, 0, 1)
        check_positive("eps", eps)
        check_number("momentum", momentum, 0, 1)
        self.alpha, self.eps = float(alpha), float(eps)
        self.momentum, self.centered = float(momentum), bool(centered)

    def init_state(self, params):
        state = {**super().init_state(params), "v": _zeros_like(params)}
        if self.centered:
            state["g_avg"] = _zeros_like(params)
        if self.momentum:
            state["b"] = _zeros_like(params)
        return state

    def _update(self, params, grads):
        ops = backend.of(params)
        lr, alpha, rest, eps, mu = _cast(
            params,
            self.rate(),
            self.alpha,
            1 - self.alpha,
            self.eps,
            self.momentum,
        )
        work, v = self.work(params), self.state["v"]
        v *= alpha
        ops.multiply(grads, grads, out=work)
        work *= rest
        v += work
        if self.centered:
            g_avg = self.state["g_avg"]
            g_avg *= alpha
            ops.multiply(grads, rest, out=work)
            g_avg += work
            ops.multiply(g_avg, g_avg, out=work)
            ops.subtract(v, work, out=work)
            ops.sqrt(work, out=work)
        else:
            ops.sqrt(v, out=work)
        work += eps
        ops.divide(grads, work, out=work)  # g / d
        if self.momentum:
            b = self.state["b"]
            b *= mu
            b += work
            ops.multiply(b, lr, out=work)
        else:
            work *= lr
        params -= work

    def get_config(self):
        return {
            "lr": schedules.to_config(self.lr),
            "alpha": self.alpha,
            "eps": self.eps,
            "momentum": self.momentum,
            "centered": self.centered,
        }


class Adagrad(_Scratch, Optimizer):
    """Adagrad (Duchi, Hazan and Singer, 2011), as PyTorch defines it. At step
    ``t`` with gradient ``g``::

        lr_t = lr / (1 + (t - 1) * lr_decay)
        s = s + g**2                 # s starts at initial_accumulator_value
        w -= lr_t * g / (sqrt(s) + eps)

    State: ``step`` and ``s`` (like the parameters).
    """

    def __init__(
        self,
        lr: float = 0.01,
        lr_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ):
        super().__init__()
        self.lr = _learning_rate(lr)
        check_positive("lr_decay", lr_decay, zero=True)
        check_positive(
            "initial_accumulator_value", initial_accumulator_value, zero=True
        )
        check_positive("eps", eps)
        self.lr_decay = float(lr_decay)
        self.initial_accumulator_value = float(initial_accumulator_value)
        self.eps = float(eps)

    def init_state(self, params):
        s = _zeros_like(params, self.initial_accumulator_value)
        return {**super().init_state(params), "s": s}

    def _update(self, params, grads):
        ops = backend.of(params)
        lr_t = self.rate() / (1 + (self.state["step"] - 1) * self.lr_decay)
        lr_t, eps = _cast(params, lr_t, self.eps)
        work, s = self.work(params), self.state["s"]
        ops.multiply(grads, grads, out=work)
        s += work
        ops.sqrt(s, out=work)
        work += eps
        ops.divide(grads, work, out=work)
        work *= lr_t
        params -= work

    def get_config(self):
        return {
            "lr": schedules.to_config(self.lr),
            "lr_decay": self.lr_decay,
            "initial_accumulator_value": self.initial_accumulator_value,
            "eps": self.eps,
        }


#: (value, gradient) of the whole cost at a flat float64 point
Objective = Callable[[np.ndarray], tuple[float, np.ndarray]]


class LBFGS(Optimizer):
    """Limited-memory BFGS (Liu and Nocedal, 1989) on the full batch: SciPy's
    ``minimize(method="L-BFGS-B", jac=True)`` over the flat parameter buffer,
    as scikit-learn's ``MLPClassifier(solver="lbfgs")`` does. For small data
    sets, where it often needs far fewer passes than the first-order methods.

    It needs SciPy (``pip install ".[lbfgs]"`` from a checkout of plainnet).
    In ``fit`` it ignores ``batch_size`` and ``shuffle``, and each epoch is one
    L-BFGS iteration (whose cost the history records); it stops early when
    SciPy's tests say it converged. It has no learning rate (a line search
    picks each step).

    Parameters
    ----------
    memory : int, default 10
        Correction pairs kept (SciPy's ``maxcor``).
    gtol, ftol : float
        SciPy's convergence tests on the projected gradient and the relative
        change of the cost.
    max_evaluations : int, default 15000
        Most cost evaluations per ``fit`` (SciPy's ``maxfun``).

    State: ``step`` (iterations) and ``evaluations`` over every ``fit``. SciPy's
    correction pairs are not kept: a later ``fit`` starts with a fresh memory.
    A cost that is not finite stops it with ``TrainingDivergedError``, as
    elsewhere.
    """

    full_batch = True

    def __init__(
        self,
        memory: int = 10,
        gtol: float = 1e-5,
        ftol: float = 2.220446049250313e-09,
        max_evaluations: int = 15000,
    ):
        super().__init__()
        check_positive("memory", memory, integer=True)
        check_positive("gtol", gtol, zero=True)
        check_positive("ftol", ftol, zero=True)
        check_positive("max_evaluations", max_evaluations, integer=True)
        self.memory, self.gtol, self.ftol = int(memory), float(gtol), float(ftol)
        self.max_evaluations = int(max_evaluations)

    def init_state(self, params):
        return {"step": 0, "evaluations": 0}

    def step(self, params, grads):
        raise TypeError(
            "LBFGS minimises the whole cost at once: train with fit (full batch), "
            "not step by step"
        )

    def minimize(
        self,
        objective: Objective,
        x0: np.ndarray,
        iterations: int,
        on_iteration: Callable[[np.ndarray, float], bool],
    ) -> np.ndarray:
        """Run up to ``iterations`` L-BFGS iterations from ``x0`` (a float64
        NumPy array), calling ``on_iteration(x, cost)`` after each (True
        stops); return the last point (float64)."""
        try:
            from scipy.optimize import minimize
        except ImportError:
            raise ImportError(
                'LBFGS needs SciPy: pip install ".[lbfgs]" (from a checkout of '
                "plainnet)"
            ) from None
        if not self.state:
            self.state = self.init_state(x0)

        def fun(x):
            self.state["evaluations"] += 1
            return objective(x)

        def callback(intermediate_result):
            self.state["step"] += 1
            if on_iteration(intermediate_result.x, float(intermediate_result.fun)):
                raise StopIteration

        result = minimize(
            fun,
            x0,
            jac=True,
            method="L-BFGS-B",
            callback=callback,
            options={
                "maxiter": iterations,
                "maxfun": self.max_evaluations,
                "maxcor": self.memory,
                "gtol": self.gtol,
                "ftol": self.ftol,
            },
        )
        return result.x

    def get_config(self):
        return {
            "memory": self.memory,
            "gtol": self.gtol,
            "ftol": self.ftol,
            "max_evaluations": self.max_evaluations,
        }


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "adam": Adam,
    "rmsprop": RMSprop,
    "adagrad": Adagrad,
    "lbfgs": LBFGS,
}


def get(name_or_optimizer: "str | Optimizer") -> Optimizer:
    """A new optimizer (default settings) by name, or the given one unchanged."""
    return resolve(name_or_optimizer, OPTIMIZERS, Optimizer, "optimizer")

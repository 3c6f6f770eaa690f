"""Gradient hooks: functions ``hook(gradients) -> None`` that change the flat
gradient buffer in place after backward and before the optimizer's step.

``Sequential.fit(grad_hook=...)`` takes one hook or a sequence of them, applied
in order; :func:`chain` makes one hook of several. Order matters: clipping after
an L2 penalty bounds the penalised gradient, and in data-parallel training
(:class:`plainnet.distributed.MPITrainer`) the hooks run after the gradients of
all ranks are summed, so that clipping sees the global norm.

>>> net.fit(X, y, grad_hook=[L2Penalty(net, alpha=1e-4, n=32),
...                          clip_by_global_norm(1.0)])
"""

from collections.abc import Callable, Iterable

import numpy as np  # in type hints only: hooks compute through the backend

from . import backend
from ._validation import check_positive

__all__ = ["L2Penalty", "as_hook", "chain", "clip_by_global_norm"]

GradHook = Callable[[np.ndarray], None]


class L2Penalty:
    """Add ``alpha * W / n``, the gradient of ``alpha / 2 * ||W||**2 / n``, to the
    gradient of every weight matrix ``W`` of ``net`` (biases are not penalised).

    Parameters
    ----------
    net : Sequential
        The network whose weights are penalised; its parameters named ``*.W``.
    alpha : float
        Strength of the penalty, >= 0.
    n : float
        The divisor: scikit-learn's MLP uses the batch size.
    """

    def __init__(self, net, alpha: float, n: float) -> None:
        check_positive("alpha", alpha, zero=True)
        check_positive("n", n)
        self.alpha, self.n = float(alpha), float(n)
        self._factor = self.alpha / self.n
        self._parameters = net.parameters
        self._weights = [
            part for name, (part, _) in net.layout.items() if name.endswith(".W")
        ]

    def __call__(self, gradients: np.ndarray) -> None:
        for part in self._weights:
            gradients[part] += self._factor * self._parameters[part]

    def value(self) -> float:
        """The penalty ``alpha / 2 * ||W||**2 / n`` for the current weights."""
        ops = backend.of(self._parameters)
        squares = sum(
            ops.to_float(self._parameters[part] @ self._parameters[part])
            for part in self._weights
        )
        return 0.5 * self._factor * squares

    def __repr__(self) -> str:
        return f"L2Penalty(alpha={self.alpha}, n={self.n})"


class _GlobalNormClip:
    """The hook of :func:`clip_by_global_norm`."""

    def __init__(self, max_norm: float) -> None:
        check_positive("max_norm", max_norm)
        self.max_norm = float(max_norm)

    def __call__(self, gradients: np.ndarray) -> None:
        # min(1, max_norm / ||g||), on the device (nothing read back): within
        # the bound the factor is exactly 1; a norm that is not finite makes the
        # gradient so too, which the fit loop reports as divergence
        ops = backend.of(gradients)
        norm = ops.sqrt(gradients @ gradients)
        gradients *= self.max_norm / ops.maximum(norm, self.max_norm)

    def __repr__(self) -> str:
        return f"clip_by_global_norm({self.max_norm})"


def clip_by_global_norm(max_norm: float) -> GradHook:
    """A hook scaling the flat gradient ``g`` so that its L2 norm is at most
    ``max_norm``::

        g *= min(1, max_norm / ||g||)

    (Pascanu et al., 2013, "On the difficulty of training recurrent neural
    networks"). A gradient already within the bound is left as it is.

    Parameters
    ----------
    max_norm : float
        Largest L2 norm of the whole gradient, > 0.

    Returns
    -------
    callable ``hook(gradients) -> None``
    """
    return _GlobalNormClip(max_norm)


class _Chain:
    """The hook of :func:`chain`."""

    def __init__(self, hooks: tuple[GradHook, ...]) -> None:
        for hook in hooks:
            if not callable(hook):
                raise TypeError(
                    f"a gradient hook must be callable as hook(gradients), got {hook!r}"
                )
        self.hooks = hooks

    def __call__(self, gradients: np.ndarray) -> None:
        for hook in self.hooks:
            hook(gradients)

    def __repr__(self) -> str:
        return f"chain({', '.join(map(repr, self.hooks))})"


def chain(*hooks: GradHook) -> GradHook:
    """One hook applying ``hooks`` in the order given.

    Parameters
    ----------
    *hooks : callable ``hook(gradients) -> None``

    Returns
    -------
    callable ``hook(gradients) -> None``

    Example
    -------
    >>> hook = chain(L2Penalty(net, 1e-4, 32), clip_by_global_norm(1.0))
    """
    return _Chain(hooks)


def as_hook(grad_hook: "GradHook | Iterable[GradHook] | None") -> GradHook | None:
    """``fit``'s ``grad_hook`` as one hook: ``None``, a hook as it is, or a
    sequence of hooks chained in order."""
    if grad_hook is None or callable(grad_hook):
        return grad_hook
    if isinstance(grad_hook, Iterable):
        return chain(*grad_hook)
    raise TypeError(
        "grad_hook must be a callable hook(gradients) or a sequence of them, "
        f"got {grad_hook!r}"
    )

"""The Adam update of a flat buffer: the NumPy reference and its fused loop.

At step ``t`` with gradient ``g`` (Kingma and Ba, 2015; decoupled weight decay
of Loshchilov and Hutter, 2019)::

    w = w * (1 - lr * weight_decay)
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    w -= lr * (m / (1 - beta1**t)) / (sqrt(v / (1 - beta2**t)) + eps)

computed as ``m += (1 - beta1) * (g - m)``, ``v += (1 - beta2) * (g*g - v)`` and
``w -= step * m / (sqrt(v) + eps_hat)`` with ``step = lr * sqrt(c2) / c1`` and
``eps_hat = eps * sqrt(c2)`` (``c1 = 1 - beta1**t``, ``c2 = 1 - beta2**t``).

Every constant is cast to the buffer's dtype first: a float64 scalar times a
float32 array makes NumPy run a slow casting loop, and the compiled loop would
compute in float64. Both versions then do the same float operations in the
same order, so they agree to the last bit.
"""

import math

import numpy as np

from . import backend, register_kernel


def constants(lr, beta1, beta2, eps, weight_decay, t, dtype) -> tuple:
    """``(decay, 1 - beta1, 1 - beta2, eps_hat, step)`` as scalars of ``dtype``."""
    c1, c2 = 1 - beta1**t, 1 - beta2**t
    cast = np.dtype(dtype).type
    with np.errstate(over="ignore"):  # lr=1e300 in float32 is inf: divergence
        return (
            cast(1 - lr * weight_decay),
            cast(1 - beta1),
            cast(1 - beta2),
            cast(eps * math.sqrt(c2)),
            cast(lr * math.sqrt(c2) / c1),
        )


def adam_numpy(w, g, m, v, work, decay, b1c, b2c, eps_hat, step) -> None:
    """The update in twelve in-place NumPy passes (``work``: scratch like ``w``)."""
    if decay != 1:
        w *= decay
    np.subtract(g, m, out=work)
    work *= b1c
    m += work  # m += (1 - beta1) (g - m)
    np.multiply(g, g, out=work)
    work -= v
    work *= b2c
    v += work  # v += (1 - beta2) (g*g - v)
    np.sqrt(v, out=work)
    work += eps_hat
    np.divide(m, work, out=work)
    work *= step
    w -= work


def adam_loop(w, g, m, v, decay, b1c, b2c, eps_hat, step) -> None:
    """The same update as one loop over the elements (compiled by numba)."""
    for i in range(w.size):
        gi = g[i]
        mi = m[i] + b1c * (gi - m[i])
        vi = v[i] + b2c * (gi * gi - v[i])
        m[i] = mi
        v[i] = vi
        w[i] = w[i] * decay - mi / (np.sqrt(vi) + eps_hat) * step


KERNEL = register_kernel("adam", adam_numpy, adam_loop)


def adam(w, g, m, v, work, *, lr, beta1, beta2, eps, weight_decay, t) -> None:
    """Update ``w``, ``m`` and ``v`` (1-D, one dtype) in place for step ``t``,
    compiled or with NumPy as :func:`plainnet.kernels.backend` says."""
    args = constants(lr, beta1, beta2, eps, weight_decay, t, w.dtype)
    if backend() == "numba":
        KERNEL.compiled(w, g, m, v, *args)
    else:
        adam_numpy(w, g, m, v, work, *args)

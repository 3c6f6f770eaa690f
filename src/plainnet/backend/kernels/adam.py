"""The Adam update of a flat buffer as one loop (the NumPy backend's ``adam``).

At step ``t`` with gradient ``g`` (Kingma and Ba, 2015; decoupled weight decay
of Loshchilov and Hutter, 2019)::

    w = w * (1 - lr * weight_decay)
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    w -= lr * (m / (1 - beta1**t)) / (sqrt(v / (1 - beta2**t)) + eps)

computed as ``m += (1 - beta1) * (g - m)``, ``v += (1 - beta2) * (g*g - v)`` and
``w -= step * m / (sqrt(v) + eps_hat)`` with ``step = lr * sqrt(c2) / c1`` and
``eps_hat = eps * sqrt(c2)`` (``c1 = 1 - beta1**t``, ``c2 = 1 - beta2**t``).
The NumPy version makes that twelve passes over the buffers; this loop makes
one. Every constant arrives cast to the buffer's dtype, so both do the same
float operations in the same order and agree to the last bit.
"""

import numpy as np

from ._registry import register_kernel


def adam_loop(w, g, m, v, decay, b1c, b2c, eps_hat, step) -> None:
    """The update as one loop over the elements (compiled by numba)."""
    for i in range(w.size):
        gi = g[i]
        mi = m[i] + b1c * (gi - m[i])
        vi = v[i] + b2c * (gi * gi - v[i])
        m[i] = mi
        v[i] = vi
        w[i] = w[i] * decay - mi / (np.sqrt(vi) + eps_hat) * step


KERNEL = register_kernel("adam", adam_loop)

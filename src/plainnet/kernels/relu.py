"""The ReLU's backward pass: the NumPy reference and its fused loop.

From the layer's output ``y = max(x, 0)``, the derivative is 1 where ``y > 0``
and 0 elsewhere, so ``dX = dY * (y > 0)``. NumPy makes it two passes (the
comparison, then a multiplication that casts the booleans); the loop makes it
one. Both multiply by 0 or 1, so they agree to the last bit (a NaN in ``dY``
stays NaN either way).
"""

import numpy as np

from . import backend, register_kernel


def relu_gradient_numpy(y, grad_out, out) -> np.ndarray:
    """``out = grad_out * (y > 0)``; returns ``out``."""
    return np.multiply(grad_out, y > 0, out=out)


def relu_gradient_loop(y, grad_out, out) -> None:
    """The same over flat arrays, as one loop (compiled by numba)."""
    for i in range(y.size):
        out[i] = grad_out[i] * (y[i] > 0)


KERNEL = register_kernel("relu", relu_gradient_numpy, relu_gradient_loop)


def relu_gradient(y, grad_out, out) -> np.ndarray:
    """``dX`` into ``out`` (the shape of ``y``), compiled or with NumPy as
    :func:`plainnet.kernels.backend` says; returns ``out``. The loop (which
    checks no bounds) runs only on arrays of one shape and a C-contiguous
    ``out``; anything else goes to NumPy, which broadcasts or raises."""
    same_shape = y.shape == grad_out.shape == out.shape
    if same_shape and out.flags.c_contiguous and backend() == "numba":
        KERNEL.compiled(y.reshape(-1), grad_out.reshape(-1), out.reshape(-1))
        return out
    return relu_gradient_numpy(y, grad_out, out)

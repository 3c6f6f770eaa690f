"""The ReLU's backward pass as one loop (the NumPy backend's ``relu_gradient``).

From the layer's output ``y = max(x, 0)``, the derivative is 1 where ``y > 0``
and 0 elsewhere, so ``dX = dY * (y > 0)``. NumPy makes it two passes (the
comparison, then a multiplication that casts the booleans); the loop makes it
one. Both multiply by 0 or 1, so they agree to the last bit (a NaN in ``dY``
stays NaN either way).
"""

from ._registry import register_kernel


def relu_gradient_loop(y, grad_out, out) -> None:
    """``out = grad_out * (y > 0)`` over flat arrays, as one loop."""
    for i in range(y.size):
        out[i] = grad_out[i] * (y[i] > 0)


KERNEL = register_kernel("relu_gradient", relu_gradient_loop)

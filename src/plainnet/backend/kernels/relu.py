"""The ReLU as loops, forward and backward (the NumPy backend's ``relu`` and
``relu_gradient``).

Forward, ``y = max(x, 0)``, with NaN kept and ``-0.0`` made ``+0.0`` as NumPy's
``maximum`` does; NumPy's pass is about four times slower against the scalar 0
than the loop, and still half again as slow against a sample's zeros.

Backward, from the layer's output, the derivative is 1 where ``y > 0`` and 0
elsewhere, so ``dX = dY * (y > 0)``. NumPy makes it two passes (the
comparison, then a multiplication that casts the booleans); the loop makes it
one. Both multiply by 0 or 1, so they agree to the last bit (a NaN in ``dY``
stays NaN either way).
"""

from ._registry import register_kernel


def relu_loop(x, zero, out) -> None:
    """``out = max(x, 0)`` over flat arrays, ``zero`` of their dtype: ``x``
    where it is above 0 or NaN (for which ``x <= 0`` is false), else +0."""
    for i in range(x.size):
        value = x[i]
        out[i] = zero if value <= 0 else value


def relu_gradient_loop(y, grad_out, out) -> None:
    """``out = grad_out * (y > 0)`` over flat arrays, as one loop."""
    for i in range(y.size):
        out[i] = grad_out[i] * (y[i] > 0)


RELU = register_kernel("relu", relu_loop)
RELU_GRADIENT = register_kernel("relu_gradient", relu_gradient_loop)

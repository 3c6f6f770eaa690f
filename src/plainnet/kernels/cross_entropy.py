"""Softmax fused with cross-entropy: the NumPy reference and its fused loop.

For logits ``Z`` of shape ``(n, k)`` and targets ``T`` (one row of class
probabilities per sample, or class labels standing for one-hot rows), with the
row maximum ``m_i`` subtracted first so that nothing overflows::

    P_ij = exp(Z_ij - m_i) / s_i,       s_i = sum_j exp(Z_ij - m_i)
    loss_i = log(s_i) - sum_j T_ij (Z_ij - m_i)      (= logsumexp(Z_i) - T_i . Z_i)
    dloss_i/dZ_ij = P_ij - T_ij

The loop reads each row once; NumPy needs about ten passes, each short for
the few classes of a batch, so that NumPy's per-call cost dominates. The two
sum ``s_i`` in different orders and may differ in the last bit.
"""

import numpy as np

from . import backend, register_kernel


def softmax_cross_entropy_numpy(z, target, grad) -> np.ndarray:
    """Fill ``grad`` with ``P - T`` and return the per-sample losses, shape
    ``(n,)``. ``target``: integer labels of shape ``(n,)`` or probabilities
    of the shape of ``z``."""
    labels = target.ndim == 1
    if labels and target.size and (target.min() < 0 or target.max() >= z.shape[1]):
        raise IndexError(f"class labels must be in [0, {z.shape[1]})")
    np.subtract(z, z.max(axis=1, keepdims=True), out=grad)  # Z - m
    if labels:  # where each sample's class sits in grad, as flat indices
        target = np.arange(0, grad.size, grad.shape[1]) + target
        picked = grad.take(target)  # T_i . (Z_i - m_i) for one-hot T
    else:
        picked = np.einsum("ij,ij->i", grad, target)
    with np.errstate(under="ignore"):  # exp(-2000) is 0, as it should be
        np.exp(grad, out=grad)
    total = np.matmul(grad, np.ones(grad.shape[1], grad.dtype))  # s, row sums
    grad /= total[:, None]  # P
    if labels:
        grad.ravel()[target] -= 1
    else:
        grad -= target
    return np.log(total) - picked


def softmax_cross_entropy_loop(z, labels, grad, losses) -> None:
    """The same for integer labels, row by row (compiled by numba)."""
    n, k = z.shape
    for i in range(n):
        label = labels[i]
        if label < 0 or label >= k:  # the loop checks no bounds itself
            raise IndexError("a class label is outside [0, number of classes)")
        top = z[i, 0]
        for j in range(1, k):
            top = max(top, z[i, j])
        total = z.dtype.type(0)
        for j in range(k):
            grad[i, j] = np.exp(z[i, j] - top)
            total += grad[i, j]
        for j in range(k):
            grad[i, j] /= total
        grad[i, label] -= 1
        losses[i] = np.log(total) - (z[i, label] - top)


KERNEL = register_kernel(
    "cross_entropy", softmax_cross_entropy_numpy, softmax_cross_entropy_loop
)


def softmax_cross_entropy(z, target, grad) -> np.ndarray:
    """Fill ``grad`` (like ``z``) with ``P - T`` and return the per-sample
    losses; compiled for integer labels (one per row of ``z``, and ``grad`` of
    its shape), else with NumPy, as :func:`plainnet.kernels.backend` says.
    Labels outside ``[0, k)`` raise ``IndexError`` either way."""
    labels = target.ndim == 1 and target.dtype.kind in "iu"
    fits = labels and len(target) == len(z) and grad.shape == z.shape
    if fits and backend() == "numba":
        losses = np.empty(len(z), z.dtype)
        KERNEL.compiled(z, target, grad, losses)
        return losses
    return softmax_cross_entropy_numpy(z, target, grad)

"""Softmax fused with cross-entropy as one pass per row (the NumPy backend's
``softmax_cross_entropy``, for integer labels).

For logits ``Z`` of shape ``(n, k)`` and class labels, with the row maximum
``m_i`` subtracted first so that nothing overflows::

    P_ij = exp(Z_ij - m_i) / s_i,       s_i = sum_j exp(Z_ij - m_i)
    loss_i = log(s_i) - (Z_i,label - m_i)
    dloss_i/dZ_ij = P_ij - [j == label]

The loop reads each row once; NumPy needs about ten passes, each short for
the few classes of a batch, so that NumPy's per-call cost dominates. The two
sum ``s_i`` in different orders and may differ in the last bit.
"""

import numpy as np

from ._registry import register_kernel


def softmax_cross_entropy_loop(z, labels, grad, losses) -> None:
    """Row by row: ``grad`` gets ``P - T`` and ``losses`` each row's loss."""
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


KERNEL = register_kernel("softmax_cross_entropy", softmax_cross_entropy_loop)

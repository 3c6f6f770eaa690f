"""A GRU step's element-wise part as one loop each way (the NumPy backend's
``gru_cell`` and ``gru_cell_backward``; the equations in
:mod:`plainnet.backend.recurrent`).

NumPy makes a step a dozen passes or more over arrays of ``n x units``, each a
call of about a microsecond: for the small layers of sequence models (MNIST-1D's
GRU has 6 units) the calls, not the arithmetic, are the step's time, paid at
every step of every sequence. The loops make each direction of a step one
call. They compute ``sigmoid(x) = 1 / (1 + exp(-x))`` and ``tanh(x) = 2 *
sigmoid(2x) - 1`` (numba's ``tanh`` is a slow scalar call; ``exp`` is not), so
they agree with the NumPy passes to a few units in the last place, not to the
bit. Each loop checks its arrays' shapes first (it checks no bounds itself).
Their constants are of the arrays' dtype (``one``, ``two``): a float64
constant would make a float32 loop compute in float64, half as many values to
an instruction.
"""

import numpy as np

from ._registry import register_kernel


def gru_cell_loop(gi, gh, h_prev, rz, n, h) -> None:
    """``rz``, ``n`` and ``h`` of one step from ``gi``, ``gh`` ``(rows, 3 units)``
    and ``h_prev`` ``(rows, units)``."""
    rows, units = h.shape
    if (
        gi.shape != (rows, 3 * units)
        or gh.shape != gi.shape
        or rz.shape != (rows, 2 * units)
        or n.shape != h.shape
        or h_prev.shape != h.shape
    ):
        raise ValueError("gru_cell: the arrays' shapes do not agree")
    one = np.ones(1, h.dtype)[0]
    two = one + one
    for i in range(rows):
        for j in range(units):
            r = one / (one + np.exp(-(gi[i, j] + gh[i, j])))
            z = one / (one + np.exp(-(gi[i, units + j] + gh[i, units + j])))
            a = gi[i, 2 * units + j] + r * gh[i, 2 * units + j]
            candidate = two / (one + np.exp(-two * a)) - one
            rz[i, j] = r
            rz[i, units + j] = z
            n[i, j] = candidate
            h[i, j] = candidate + z * (h_prev[i, j] - candidate)


def gru_cell_backward_loop(dh, h_prev, rz, n, gh, dgi, dgh) -> None:
    """``dgi``, ``dgh`` ``(rows, 3 units)`` of one step, and ``dh`` turned into
    ``dh * z``."""
    rows, units = dh.shape
    if (
        h_prev.shape != dh.shape
        or n.shape != dh.shape
        or rz.shape != (rows, 2 * units)
        or gh.shape != (rows, 3 * units)
        or dgi.shape != gh.shape
        or dgh.shape != gh.shape
    ):
        raise ValueError("gru_cell_backward: the arrays' shapes do not agree")
    one = np.ones(1, dh.dtype)[0]
    for i in range(rows):
        for j in range(units):
            r, z, c, g = rz[i, j], rz[i, units + j], n[i, j], dh[i, j]
            dn = g * (one - z) * (one - c * c)
            dz = (h_prev[i, j] - c) * g * z * (one - z)
            dn_r = dn * r
            dr = (one - r) * dn_r * gh[i, 2 * units + j]
            dgi[i, j] = dr
            dgi[i, units + j] = dz
            dgi[i, 2 * units + j] = dn
            dgh[i, j] = dr
            dgh[i, units + j] = dz
            dgh[i, 2 * units + j] = dn_r
            dh[i, j] = g * z


KERNELS = (
    register_kernel("gru_cell", gru_cell_loop),
    register_kernel("gru_cell_backward", gru_cell_backward_loop),
)

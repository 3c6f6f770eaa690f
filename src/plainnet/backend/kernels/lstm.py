"""An LSTM step's element-wise part as one loop each way (the NumPy backend's
``lstm_cell`` and ``lstm_cell_backward``; the equations in
:mod:`plainnet.backend.recurrent`).

As for the GRU (:mod:`plainnet.backend.kernels.gru`): one call per step
instead of some twenty, ``sigmoid(x) = 1 / (1 + exp(-x))`` and ``tanh(x) = 2 *
sigmoid(2x) - 1``, agreement with the NumPy passes to a few units in the last
place, and the shapes checked first.
"""

import numpy as np

from ._registry import register_kernel


def lstm_cell_loop(gates, c_prev, c, tanh_c, h) -> None:
    """The activated ``gates`` ``(rows, 4 units)`` (in place), ``c``, ``tanh_c``
    and ``h`` ``(rows, units)`` of one step."""
    rows, units = c.shape
    if (
        gates.shape != (rows, 4 * units)
        or c_prev.shape != c.shape
        or tanh_c.shape != c.shape
        or h.shape != c.shape
    ):
        raise ValueError("lstm_cell: the arrays' shapes do not agree")
    for i in range(rows):
        for j in range(units):
            a_i, a_f = gates[i, j], gates[i, units + j]
            a_g, a_o = gates[i, 2 * units + j], gates[i, 3 * units + j]
            input_gate = 1.0 / (1.0 + np.exp(-a_i))
            forget = 1.0 / (1.0 + np.exp(-a_f))
            cell = 2.0 / (1.0 + np.exp(-2.0 * a_g)) - 1.0
            output = 1.0 / (1.0 + np.exp(-a_o))
            new_c = forget * c_prev[i, j] + input_gate * cell
            squashed = 2.0 / (1.0 + np.exp(-2.0 * new_c)) - 1.0
            gates[i, j], gates[i, units + j] = input_gate, forget
            gates[i, 2 * units + j], gates[i, 3 * units + j] = cell, output
            c[i, j] = new_c
            tanh_c[i, j] = squashed
            h[i, j] = output * squashed


def lstm_cell_backward_loop(dh, dc, gates, c_prev, tanh_c, dgates) -> None:
    """``dgates`` ``(rows, 4 units)`` of one step, and ``dc`` turned into
    ``dL/dc_prev``."""
    rows, units = dh.shape
    if (
        dc.shape != dh.shape
        or c_prev.shape != dh.shape
        or tanh_c.shape != dh.shape
        or gates.shape != (rows, 4 * units)
        or dgates.shape != gates.shape
    ):
        raise ValueError("lstm_cell_backward: the arrays' shapes do not agree")
    for i in range(rows):
        for j in range(units):
            input_gate, forget = gates[i, j], gates[i, units + j]
            cell, output = gates[i, 2 * units + j], gates[i, 3 * units + j]
            g, t = dh[i, j], tanh_c[i, j]
            total = dc[i, j] + (1.0 - t * t) * output * g
            dgates[i, j] = (1.0 - input_gate) * input_gate * cell * total
            dgates[i, units + j] = (1.0 - forget) * forget * c_prev[i, j] * total
            dgates[i, 2 * units + j] = (1.0 - cell * cell) * input_gate * total
            dgates[i, 3 * units + j] = (1.0 - output) * output * t * g
            dc[i, j] = total * forget


KERNELS = (
    register_kernel("lstm_cell", lstm_cell_loop),
    register_kernel("lstm_cell_backward", lstm_cell_backward_loop),
)

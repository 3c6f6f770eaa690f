"""An LSTM step's element-wise part as one loop each way (the NumPy backend's
``lstm_cell`` and ``lstm_cell_backward``; the equations in
:mod:`plainnet.backend.recurrent`).

As for the GRU (:mod:`plainnet.backend.kernels.gru`): one call per step
instead of some twenty, ``sigmoid(x) = 1 / (1 + exp(-x))`` and ``tanh(x) = 2 *
sigmoid(2x) - 1``, agreement with the NumPy passes to a few units in the last
place, and the shapes checked first. Their constants are of the arrays' dtype
(``one``): a float64 constant would make a float32 loop compute in float64,
half as many values to an instruction. ``lstm_cell_state`` and the backward
loop go over each block of a row in a loop of its own: the compiler
vectorises those, and not one loop writing four blocks (2-3x as slow).
"""

import numpy as np

from ._registry import register_kernel


def lstm_cell_loop(gates, c_prev, c, tanh_c, h) -> None:
    """The activated ``gates`` ``(rows, 4 units)`` (in place; they come with
    the sigmoid blocks halved), ``c``, ``tanh_c`` and ``h`` ``(rows, units)``
    of one step."""
    rows, units = c.shape
    if (
        gates.shape != (rows, 4 * units)
        or c_prev.shape != c.shape
        or tanh_c.shape != c.shape
        or h.shape != c.shape
    ):
        raise ValueError("lstm_cell: the arrays' shapes do not agree")
    one = np.ones(1, c.dtype)[0]
    two = one + one
    for i in range(rows):
        for j in range(units):
            a_i, a_f = gates[i, j], gates[i, units + j]
            a_g, a_o = gates[i, 2 * units + j], gates[i, 3 * units + j]
            input_gate = one / (one + np.exp(-two * a_i))
            forget = one / (one + np.exp(-two * a_f))
            cell = two / (one + np.exp(-two * a_g)) - one
            output = one / (one + np.exp(-two * a_o))
            new_c = forget * c_prev[i, j] + input_gate * cell
            squashed = two / (one + np.exp(-two * new_c)) - one
            gates[i, j], gates[i, units + j] = input_gate, forget
            gates[i, 2 * units + j], gates[i, 3 * units + j] = cell, output
            c[i, j] = new_c
            tanh_c[i, j] = squashed
            h[i, j] = output * squashed


def lstm_cell_state_loop(gates, c_prev, c) -> None:
    """The middle of NumPy's LSTM step, for the layers too large for
    :func:`lstm_cell_loop`: ``gates`` ``(rows, 4 units)`` holds the tanh of the
    pre-activations (halved for the sigmoid blocks) and becomes the
    activations, ``0.5 + 0.5 t`` for the sigmoids; ``c = f * c_prev + i * g``
    ``(rows, units)``. The same operations in the same order as the NumPy
    passes: the twins agree in value (NumPy's pass also adds 0 to the g
    block, which makes a -0 +0)."""
    rows, units = c.shape
    if gates.shape != (rows, 4 * units) or c_prev.shape != c.shape:
        raise ValueError("lstm_cell_state: the arrays' shapes do not agree")
    one = np.ones(1, c.dtype)[0]
    half = one / (one + one)
    u = units
    for i in range(rows):  # a loop per block: each one vectorises
        for j in range(2 * u):  # i and f
            gates[i, j] = gates[i, j] * half + half
        for j in range(3 * u, 4 * u):  # o
            gates[i, j] = gates[i, j] * half + half
        for j in range(u):
            c[i, j] = gates[i, u + j] * c_prev[i, j] + gates[i, j] * gates[i, 2 * u + j]


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
    one = np.ones(1, dh.dtype)[0]
    u = units
    for i in range(rows):  # a loop per block: each one vectorises
        for j in range(u):  # dc: all that reaches c
            t = tanh_c[i, j]
            dc[i, j] = dc[i, j] + (one - t * t) * gates[i, 3 * u + j] * dh[i, j]
        for j in range(u):  # i
            s = gates[i, j]
            dgates[i, j] = (one - s) * s * gates[i, 2 * u + j] * dc[i, j]
        for j in range(u):  # f
            s = gates[i, u + j]
            dgates[i, u + j] = (one - s) * s * c_prev[i, j] * dc[i, j]
        for j in range(u):  # g
            g = gates[i, 2 * u + j]
            dgates[i, 2 * u + j] = (one - g * g) * gates[i, j] * dc[i, j]
        for j in range(u):  # o
            s = gates[i, 3 * u + j]
            dgates[i, 3 * u + j] = (one - s) * s * tanh_c[i, j] * dh[i, j]
        for j in range(u):  # dc_prev
            dc[i, j] = dc[i, j] * gates[i, u + j]


KERNELS = (
    register_kernel("lstm_cell", lstm_cell_loop),
    register_kernel("lstm_cell_state", lstm_cell_state_loop),
    register_kernel("lstm_cell_backward", lstm_cell_backward_loop),
)

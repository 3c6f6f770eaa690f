"""One step of a GRU or an LSTM cell, without its matrix products, written
once from the backend's element-wise functions (any backend runs them).

A recurrent layer (:mod:`plainnet.layers.recurrent`) takes each step's two
matrix products itself, ``gi = x W_ih^T + b_ih`` (all steps at once) and ``gh =
h W_hh^T + b_hh`` (step by step); what is left of the step is a dozen or two
element-wise passes over a few small arrays, which these functions make, in
place, into arrays the layer owns. On the CPU with numba, each is one compiled
loop instead (:mod:`plainnet.backend.kernels.gru` and ``.lstm``). Gates are
stacked as PyTorch stacks them: GRU ``r, z, n``, LSTM ``i, f, g, o``, each
block ``H`` columns wide.

The sigmoid is ``0.5 + 0.5 tanh(x / 2)``: equal to ``1 / (1 + exp(-x))``,
never overflowing, and a single transcendental pass. Constants are scalars of
the arrays' dtype (``ops.scalar``): on NumPy a Python float costs a
conversion per call, paid at every step.
"""

import functools


def sigmoid(ops, x, out):
    """``1 / (1 + exp(-x))`` as ``0.5 + 0.5 tanh(x / 2)`` into ``out``."""
    half = ops.scalar(0.5, out.dtype)
    ops.multiply(x, half, out=out)
    ops.tanh(out, out=out)
    out *= half
    out += half
    return out


def gru_cell(ops, gi, gh, h_prev, rz, n, h) -> None:
    """The gates and new state of a GRU step (PyTorch's form)::

        r, z = sigmoid(gi[:, :2H] + gh[:, :2H])           -> rz  (n, 2H)
        n    = tanh(gi[:, 2H:] + r * gh[:, 2H:])          -> n   (n, H)
        h    = (1 - z) * n + z * h_prev = n + z * (h_prev - n)  -> h (n, H)

    ``gi`` and ``gh`` ``(n, 3H)`` hold both products with their biases; the
    reset gate multiplies the hidden product after its bias (``gh``'s ``n``
    block), as PyTorch (and ONNX's ``linear_before_reset=1``) does.
    """
    H = h.shape[1]
    r, z = rz[:, :H], rz[:, H:]
    ops.add(gi[:, : 2 * H], gh[:, : 2 * H], out=rz)
    sigmoid(ops, rz, rz)
    ops.multiply(r, gh[:, 2 * H :], out=n)
    n += gi[:, 2 * H :]
    ops.tanh(n, out=n)
    ops.subtract(h_prev, n, out=h)
    h *= z
    h += n


def gru_cell_backward(ops, dh, h_prev, rz, n, gh, dgi, dgh) -> None:
    """A GRU step backward, from ``dh = dL/dh`` ``(n, H)`` and what the
    forward step kept (``rz``, ``n``, ``gh``). Fills the gradients of the two
    pre-activations ``dgi = dL/dgi`` and ``dgh = dL/dgh`` ``(n, 3H)``, and
    leaves in ``dh`` the direct part of ``dL/dh_prev`` (the caller adds the
    part through the hidden product, ``dgh @ W_hh``)::

        dn_pre = dh * (1 - z) * (1 - n**2)                (the n block of dgi)
        dz_pre = dh * (h_prev - n) * z * (1 - z)
        dr_pre = dn_pre * gh_n * r * (1 - r)
        dgi = [dr_pre, dz_pre, dn_pre]
        dgh = [dr_pre, dz_pre, dn_pre * r]                (r scaled gh's n block)
        dh  = dh * z
    """
    H, one = dh.shape[1], ops.scalar(1.0, dh.dtype)
    r, z = rz[:, :H], rz[:, H:]
    one_minus_z = dgh[:, H : 2 * H]  # dgh's r and z blocks serve as scratch
    ops.subtract(one, z, out=one_minus_z)
    dz = dgi[:, H : 2 * H]
    ops.subtract(h_prev, n, out=dz)
    dz *= dh
    dz *= z
    dz *= one_minus_z
    dn = dgi[:, 2 * H :]
    ops.multiply(n, n, out=dn)
    ops.subtract(one, dn, out=dn)
    dn *= one_minus_z
    dn *= dh
    ops.multiply(dn, r, out=dgh[:, 2 * H :])
    dr = dgi[:, :H]
    ops.subtract(one, r, out=dr)
    dr *= dgh[:, 2 * H :]
    dr *= gh[:, 2 * H :]
    ops.copyto(dgh[:, : 2 * H], dgi[:, : 2 * H])
    dh *= z


def lstm_cell(ops, gates, c_prev, c, tanh_c, h) -> None:
    """The gates and new states of an LSTM step (PyTorch's form). ``gates``
    ``(n, 4H)`` holds the pre-activations ``gi + gh``, halved in the sigmoid
    blocks (the layer's products give them so, see :func:`lstm_gate_scale`),
    and becomes the activations, kept for backward::

        i, f = sigmoid(gates[:, :2H])        g = tanh(gates[:, 2H:3H])
        o = sigmoid(gates[:, 3H:])
        c = f * c_prev + i * g               -> c  (n, H)
        h = o * tanh(c)                      -> h, with tanh(c) in tanh_c

    The four blocks take one tanh pass together, the sigmoids' as ``0.5 +
    0.5 tanh(a / 2)``; :func:`lstm_cell_state` shifts the sigmoids' and makes
    ``c``.
    """
    H = c.shape[1]
    ops.tanh(gates, out=gates)
    ops.lstm_cell_state(gates, c_prev, c, h)
    ops.tanh(c, out=tanh_c)
    ops.multiply(gates[:, 3 * H :], tanh_c, out=h)


def lstm_cell_state(ops, gates, c_prev, c, scratch) -> None:
    """The middle of :func:`lstm_cell`: ``gates`` ``(n, 4H)`` holds ``tanh(a /
    2)`` for the sigmoid blocks and ``tanh(a)`` for the g block, and becomes
    the activations (``0.5 + 0.5 t`` for the sigmoids, column by column: a
    block's pass costs what a whole array's does); ``c = f * c_prev + i * g``
    ``(n, H)``, ``scratch`` like ``c``."""
    H = c.shape[1]
    i, f, g = (gates[:, k * H : (k + 1) * H] for k in range(3))
    scale = lstm_gate_scale(ops, H, gates.dtype)
    gates *= scale
    gates += _sigmoid_offset(ops, H, gates.dtype)
    ops.multiply(f, c_prev, out=c)
    ops.multiply(i, g, out=scratch)
    c += scratch


@functools.lru_cache(maxsize=64)
def lstm_gate_scale(ops, units: int, dtype):
    """Per column of an LSTM's gates ``(n, 4 units)``: 0.5 for the sigmoid
    blocks i, f and o, 1 for the g block (made once per size and dtype)."""
    half, one = (ops.full((units,), value, dtype) for value in (0.5, 1))
    return ops.concat([half, half, one, half])


@functools.lru_cache(maxsize=64)
def _sigmoid_offset(ops, units: int, dtype):
    """0.5 for the columns of the sigmoid blocks, 0 for the g block."""
    half, zero = (ops.full((units,), value, dtype) for value in (0.5, 0))
    return ops.concat([half, half, zero, half])


def lstm_cell_backward(ops, dh, dc, gates, c_prev, tanh_c, dgates, work) -> None:
    """An LSTM step backward, from ``dh`` and ``dc`` (``dL/dh``, ``dL/dc``,
    ``(n, H)``) and what the forward step kept (the activated ``gates``,
    ``tanh_c``). Fills ``dgates`` ``(n, 4H)``, the gradient of the
    pre-activations (the same for ``gi`` and ``gh``), and turns ``dc`` into
    ``dL/dc_prev``; the caller takes ``dL/dh_prev = dgates @ W_hh``::

        dc = dc + dh * o * (1 - tanh(c)**2)          (all that reaches c)
        di_pre = dc * g * i * (1 - i)        df_pre = dc * c_prev * f * (1 - f)
        dg_pre = dc * i * (1 - g**2)         do_pre = dh * tanh(c) * o * (1 - o)
        dc_prev = dc * f

    computed as two whole arrays multiplied: the derivatives of the four
    activations (``a - a**2`` over all of them, ``s (1 - s)`` for a sigmoid's
    output ``s``, then ``1 - g**2`` for the g block) and what reaches each
    gate, ``[dc * g, dc * c_prev, dc * i, dh * tanh(c)]``, in ``work`` ``(n,
    4H)`` (scratch): whole-array passes cost half what a block's do.
    """
    H, one = dc.shape[1], ops.scalar(1.0, dc.dtype)
    i, f, g, o = (gates[:, k * H : (k + 1) * H] for k in range(4))
    through_h = work[:, :H]  # scratch, before work takes what reaches the gates
    ops.multiply(tanh_c, tanh_c, out=through_h)
    ops.subtract(one, through_h, out=through_h)
    through_h *= o
    through_h *= dh
    dc += through_h
    ops.multiply(gates, gates, out=dgates)
    ops.subtract(gates, dgates, out=dgates)  # s (1 - s) for the sigmoid gates
    dg = dgates[:, 2 * H : 3 * H]
    ops.multiply(g, g, out=dg)
    ops.subtract(one, dg, out=dg)  # 1 - g**2 for the tanh gate
    ops.multiply(g, dc, out=work[:, :H])
    ops.multiply(c_prev, dc, out=work[:, H : 2 * H])
    ops.multiply(i, dc, out=work[:, 2 * H : 3 * H])
    ops.multiply(tanh_c, dh, out=work[:, 3 * H :])
    dgates *= work
    dc *= f

"""The one registry of ONNX translations: a layer class's name -> a function
writing that layer's nodes.

A translation is ``f(layer, g, x) -> y``. ``g`` is the graph being built (a
:class:`~plainnet.onnx.graph.GraphBuilder`: ``g.node(op_type, inputs, **attrs)``
adds a node and returns its output's name, ``g.constant(name, array)`` adds an
initializer named after the layer, ``layers.3.W``); ``x`` is the name of the
layer's input, of shape ``(batch, *layer.input_shape)``, and ``y`` the name of
its output. A translation writes the layer as ``predict`` runs it (``Dropout``
is the identity, normalisation uses its running statistics from
``layer.state``) with standard ONNX operators only (the default domain, opset
17), and never imports ``onnx`` itself: this module only needs NumPy, so that
``plainnet info`` can say whether a model can be exported without the extra.

Adding a layer: one function under ``@translates("ClassName")``. A registered
layer (``plainnet.layers.LAYERS``) without a translation fails a test, and
exporting a model holding it raises :class:`~plainnet.errors.ExportError`
naming the layer.
"""

from collections.abc import Callable

import numpy as np

from ..backend import special
from ..errors import ExportError
from ..layers import LAYERS, Layer
from ..layers.base import walk

#: Layer class name -> ``f(layer, g, x) -> y``.
TRANSLATIONS: dict[str, Callable] = {}


def translates(*names: str) -> Callable[[Callable], Callable]:
    """Register the decorated function as the translation of the layer classes
    ``names``."""

    def register(function: Callable) -> Callable:
        for name in names:
            TRANSLATIONS[name] = function
        return function

    return register


# -- the layers ------------------------------------------------------------------
@translates("Dense")
def dense(layer, g, x: str) -> str:
    """``Y = X @ W + b``: ``MatMul`` then ``Add``; ``W`` is ``(n_in, n_out)`` in
    both plainnet and ONNX's ``MatMul``."""
    y = g.node("MatMul", [x, g.constant("W", layer.params["W"])])
    if layer.bias:
        y = g.node("Add", [y, g.constant("b", layer.params["b"])])
    return y


#: The element-wise activations without settings, by their ONNX operator.
_ELEMENTWISE = {
    "Identity": "Identity",
    "Sigmoid": "Sigmoid",
    "Tanh": "Tanh",
    "ReLU": "Relu",
}


@translates(*_ELEMENTWISE)
def elementwise(layer, g, x: str) -> str:
    """One ONNX operator of the same name (``ReLU`` is ``Relu``)."""
    return g.node(_ELEMENTWISE[type(layer).__name__], [x])


@translates("LeakyReLU")
def leaky_relu(layer, g, x: str) -> str:
    """``LeakyRelu``, whose ``alpha`` is a float32 attribute; in a float64 graph
    an ``alpha`` that float32 would round is kept exact as ``Max(x, alpha * x)``,
    plainnet's own formula."""
    alpha = layer.alpha
    if g.dtype == np.float32 or float(np.float32(alpha)) == alpha:
        return g.node("LeakyRelu", [x], alpha=alpha)
    return g.node("Max", [x, g.node("Mul", [x, g.constant("alpha", alpha)])])


@translates("Softmax")
def softmax(layer, g, x: str) -> str:
    """``Softmax(axis=1)``: plainnet's softmax runs along axis 1 (the features)."""
    return g.node("Softmax", [x], axis=1)


@translates("GELU")
def gelu(layer, g, x: str) -> str:
    """``x * (1 + erf(x / sqrt(2))) / 2``: opset 17 has no ``Gelu``, so it is
    built from ``Erf`` (float32) or, since onnxruntime has no float64 ``Erf``,
    from the approximation plainnet's backends use (:func:`_erf`)."""
    scaled = g.node("Mul", [x, g.constant("sqrt_half", 0.7071067811865476)])
    one_plus = g.node("Add", [_erf(g, scaled), g.constant("one", 1.0)])
    half_x = g.node("Mul", [x, g.constant("half", 0.5)])
    return g.node("Mul", [half_x, one_plus])


def _erf(g, x: str) -> str:
    """``erf(x)``: ``Erf`` in float32; in float64 W. J. Cody's rational
    approximations spelled out node by node, as
    :func:`plainnet.backend.special.erf` computes them."""
    if g.dtype == np.float32:
        return g.node("Erf", [x])

    def c(value: float) -> str:
        return g.constant("erf_c", value)

    def op(name: str, *inputs: str) -> str:
        return g.node(name, list(inputs))

    def rational(y, variable, num_coefficients, den_coefficients, first):
        """Horner's scheme as CALERF writes it: ``num`` starts at the last
        numerator coefficient times ``variable``, ``den`` at ``variable``."""
        num, den = op("Mul", c(num_coefficients[-1]), variable), variable
        for a, b in zip(
            num_coefficients[:first], den_coefficients[:first], strict=True
        ):
            num = op("Mul", op("Add", num, c(a)), variable)
            den = op("Mul", op("Add", den, c(b)), variable)
        return op("Add", num, c(num_coefficients[first])), op(
            "Add", den, c(den_coefficients[first])
        )

    def times_exp_minus_square(y, r):
        cut = op("Div", op("Floor", op("Mul", y, c(16.0))), c(16.0))
        rest = op("Mul", op("Sub", y, cut), op("Add", y, cut))
        first = op("Exp", op("Neg", op("Mul", cut, cut)))
        return op("Mul", op("Mul", first, op("Exp", op("Neg", rest))), r)

    y = op("Abs", x)
    ys = op("Min", y, c(special.THRESH))
    num, den = rational(ys, op("Mul", ys, ys), special.A, special.B, 3)
    small = op("Div", op("Mul", ys, num), den)
    ym = op("Clip", y, c(special.THRESH), c(4.0))
    num, den = rational(ym, ym, special.C, special.D, 7)
    middle = times_exp_minus_square(ym, op("Div", num, den))
    yl = op("Clip", y, c(4.0), c(special.XBIG))
    ysq = op("Div", c(1.0), op("Mul", yl, yl))
    num, den = rational(yl, ysq, special.P, special.Q, 4)
    ratio = op("Div", op("Mul", ysq, num), den)
    large = times_exp_minus_square(
        yl, op("Div", op("Sub", c(special.SQRPI), ratio), yl)
    )
    erfc = g.node("Where", [op("Greater", y, c(4.0)), large, middle])
    one_minus = op("Add", op("Sub", c(0.5), erfc), c(0.5))
    result = g.node("Where", [op("Greater", y, c(special.THRESH)), one_minus, small])
    return op("Mul", result, op("Sign", x))


@translates("Dropout")
def dropout(layer, g, x: str) -> str:
    """The identity: ``predict`` never drops (inverted dropout needs no rescaling
    at inference), so no node at all."""
    return x


@translates("Flatten")
def flatten(layer, g, x: str) -> str:
    """``Flatten(axis=1)``: ``(n, d1, d2, ...)`` to ``(n, d1 * d2 * ...)`` in C
    order, as plainnet's ``Flatten``."""
    return g.node("Flatten", [x], axis=1)


# -- normalisation: ONNX's epsilon is a float32 attribute, so a float64 graph
# spells the formula out (exactly plainnet's arithmetic) instead -------------------
def _affine(layer, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """``gamma`` and ``beta``, or ones and zeros for a layer without them."""
    if layer.affine:
        return layer.params["gamma"], layer.params["beta"]
    return np.ones(shape), np.zeros(shape)


@translates("BatchNorm")
def batch_norm(layer, g, x: str) -> str:
    """Inference with the running statistics of ``layer.state``:
    ``(x - running_mean) * gamma / sqrt(running_var + eps) + beta`` per channel
    (axis 1). ``BatchNormalization`` in float32; in float64 ``Sub``, ``Mul``,
    ``Add`` with the per-channel scale computed as plainnet computes it."""
    mean, var = layer.state["running_mean"], layer.state["running_var"]
    gamma, beta = _affine(layer, mean.shape)
    if g.dtype == np.float32:
        inputs = [
            x,
            *(
                g.constant(n, v)
                for n, v in (
                    ("gamma", gamma),
                    ("beta", beta),
                    ("running_mean", mean),
                    ("running_var", var),
                )
            ),
        ]
        return g.node("BatchNormalization", inputs, epsilon=layer.eps)
    channel = (-1,) + (1,) * (len(layer.input_shape) - 1)
    scale = 1 / np.sqrt(var + layer.eps)
    scale *= gamma
    y = g.node("Sub", [x, g.constant("running_mean", mean.reshape(channel))])
    y = g.node("Mul", [y, g.constant("scale", scale.reshape(channel))])
    return g.node("Add", [y, g.constant("beta", beta.reshape(channel))])


@translates("LayerNorm")
def layer_norm(layer, g, x: str) -> str:
    """Each sample normalised over all its values (or each position over its
    last axis), then ``gamma * x_hat + beta``: ``LayerNormalization(axis=1)``
    (``axis=-1``) in float32; in float64 the means, ``Sqrt`` and products
    spelled out."""
    last = layer.axes == "last"
    gamma, beta = _affine(layer, layer.input_shape[-1:] if last else layer.input_shape)
    if g.dtype == np.float32:
        inputs = [x, g.constant("gamma", gamma), g.constant("beta", beta)]
        axis = -1 if last else 1
        return g.node("LayerNormalization", inputs, axis=axis, epsilon=layer.eps)
    rank = len(layer.input_shape)
    axes = [rank] if last else list(range(1, rank + 1))
    mean = g.node("ReduceMean", [x], axes=axes, keepdims=1)
    centered = g.node("Sub", [x, mean])
    var = g.node("ReduceMean", [g.node("Mul", [centered, centered])], axes=axes)
    std = g.node("Sqrt", [g.node("Add", [var, g.constant("eps", layer.eps)])])
    inv_std = g.node("Div", [g.constant("one", 1.0), std])
    y = g.node("Mul", [g.node("Mul", [centered, inv_std]), g.constant("gamma", gamma)])
    return g.node("Add", [y, g.constant("beta", beta)])


# -- convolution and pooling (channels-first, as ONNX). onnxruntime has no
# float64 Conv, AveragePool or GlobalAveragePool, so a float64 graph spells
# them out: the windows as strided Slices, as plainnet's im2col takes them. ---------
def _pads(layer) -> list[int]:
    """ONNX ``pads``: every spatial axis's padding before, then every one's after."""
    return [b for b, _ in layer._padding] + [a for _, a in layer._padding]


def _windows(layer, g, x: str, kernel, value: float) -> list[str]:
    """One strided ``Slice`` of the padded input per offset inside a window, in
    row-major order, each of shape ``(n, C, *out)``."""
    d = len(kernel)
    before, after = zip(*layer._padding, strict=True)
    if any(before) or any(after):
        pads = np.array([0, 0, *before, 0, 0, *after], np.int64)  # n, C unpadded
        x = g.node("Pad", [x, g.constant("pads", pads), g.constant("value", value)])
    out = layer.output_shape(layer.input_shape)[1:]
    axes = g.constant("axes", np.arange(2, d + 2, dtype=np.int64))
    steps = g.constant("steps", np.array(layer._stride, np.int64))
    span = (np.array(out, np.int64) - 1) * layer._stride + 1  # first to last, + 1
    windows = []
    for offset in np.ndindex(*kernel):
        starts = g.constant("starts", np.array(offset, np.int64))
        ends = g.constant("ends", np.array(offset, np.int64) + span)
        windows.append(g.node("Slice", [x, starts, ends, axes, steps]))
    return windows


@translates("Conv1D", "Conv2D")
def conv(layer, g, x: str) -> str:
    """``Conv`` with ``W`` of shape ``(out, in, *kernel)`` as plainnet keeps it.
    In float64: the windows side by side (``Concat``), then one ``MatMul`` with
    ``W`` laid out to match, as im2col does."""
    W = layer.params["W"]
    bias = [g.constant("b", layer.params["b"])] if layer.bias else []
    if g.dtype == np.float32:
        return g.node(
            "Conv",
            [x, g.constant("W", W), *bias],
            kernel_shape=list(layer._kernel),
            strides=list(layer._stride),
            pads=_pads(layer),
        )
    d = len(layer._kernel)
    cols = g.node("Concat", _windows(layer, g, x, layer._kernel, 0.0), axis=1)
    rows = g.node("Transpose", [cols], perm=[0, *range(2, d + 2), 1])
    w_rows = W.transpose(0, *range(2, d + 2), 1).reshape(len(W), -1).T
    y = g.node("MatMul", [rows, g.constant("W", w_rows)])  # (n, *out, out_ch)
    if bias:
        y = g.node("Add", [y, *bias])
    return g.node("Transpose", [y], perm=[0, d + 1, *range(1, d + 1)])


@translates("MaxPool1D", "MaxPool2D")
def max_pool(layer, g, x: str) -> str:
    """``MaxPool``: its padding never wins a max, as plainnet's ``-inf``."""
    return g.node(
        "MaxPool",
        [x],
        kernel_shape=list(layer._pool),
        strides=list(layer._stride),
        pads=_pads(layer),
    )


@translates("AvgPool1D", "AvgPool2D")
def avg_pool(layer, g, x: str) -> str:
    """``AveragePool`` with the zero padding counted (``count_include_pad=1``, as
    plainnet and PyTorch); in float64 the sum of the windows over their size."""
    if g.dtype == np.float32:
        return g.node(
            "AveragePool",
            [x],
            kernel_shape=list(layer._pool),
            strides=list(layer._stride),
            pads=_pads(layer),
            count_include_pad=1,
        )
    total = g.node("Sum", _windows(layer, g, x, layer._pool, 0.0))
    size = g.constant("inverse_size", 1 / np.prod(layer._pool))
    return g.node("Mul", [total, size])


@translates("GlobalAvgPool")
def global_avg_pool(layer, g, x: str) -> str:
    """``GlobalAveragePool`` then ``Flatten``: ``(n, C, ...)`` to ``(n, C)``; in
    float64 a ``ReduceMean`` over the spatial axes."""
    if g.dtype == np.float32:
        return g.node("Flatten", [g.node("GlobalAveragePool", [x])], axis=1)
    axes = list(range(2, len(layer.input_shape) + 1))
    return g.node("ReduceMean", [x], axes=axes, keepdims=0)


# -- sequences: ids, the two layouts, and the recurrent layers ------------------------
@translates("Embedding")
def embedding(layer, g, x: str) -> str:
    """``Gather`` of the ids' rows of ``W``; the ids cast to int64 first (an
    estimator's rows arrive as floats)."""
    ids = g.cast(x, "int64", "ids")
    return g.node("Gather", [g.constant("W", layer.params["W"]), ids], axis=0)


@translates("SwapAxes")
def swap_axes(layer, g, x: str) -> str:
    """``Transpose(perm=[0, 2, 1])``."""
    return g.node("Transpose", [x], perm=[0, 2, 1])


#: For each recurrent layer: ONNX's operator, and plainnet's (PyTorch's) gate
#: blocks in ONNX's order (GRU ``r, z, n`` -> ``z, r, h``; LSTM ``i, f, g, o``
#: -> ``i, o, f, c``).
_RECURRENT = {
    "SimpleRNN": ("RNN", [0]),
    "GRU": ("GRU", [1, 0, 2]),
    "LSTM": ("LSTM", [0, 3, 1, 2]),
}


@translates("SimpleRNN", "GRU", "LSTM")
def recurrent(layer, g, x: str) -> str:
    """ONNX's ``RNN``, ``GRU`` (``linear_before_reset=1``: PyTorch's form) or
    ``LSTM`` in float32, between ``Transpose`` nodes (onnxruntime takes only
    ONNX's time-major layout); in float64, which onnxruntime's recurrent
    operators lack, the steps written out one by one."""
    if g.dtype == np.float32:
        return _recurrent_operator(layer, g, x)
    outputs = [_unrolled(layer, g, x, d) for d in layer.directions]
    return outputs[0] if len(outputs) == 1 else g.node("Concat", outputs, axis=-1)


def _gate_blocks(layer, name: str) -> list[np.ndarray]:
    """The parameter ``name`` of every direction, its gate blocks (of
    ``units`` rows) in ONNX's order."""
    order = _RECURRENT[type(layer).__name__][1]
    blocks = []
    for d in layer.directions:
        value = layer.params[name + d]
        gates = np.split(value, len(order), axis=0)
        blocks.append(np.concatenate([gates[k] for k in order], axis=0))
    return blocks


def _recurrent_operator(layer, g, x: str) -> str:
    """One ONNX recurrent node; see :func:`recurrent`."""
    op_type = _RECURRENT[type(layer).__name__][0]
    biases = zip(_gate_blocks(layer, "b_ih"), _gate_blocks(layer, "b_hh"), strict=True)
    inputs = [
        g.node("Transpose", [x], perm=[1, 0, 2]),  # (steps, n, features)
        g.constant("W", np.stack(_gate_blocks(layer, "W_ih"))),
        g.constant("R", np.stack(_gate_blocks(layer, "W_hh"))),
        g.constant("B", np.stack([np.concatenate(pair) for pair in biases])),
    ]
    if layer.learn_initial_state:
        inputs.append("")  # sequence_lens
        inputs += [_learned_states(layer, g, x, state) for state in layer.STATES]
    settings = {
        "hidden_size": layer.units,
        "direction": "bidirectional" if layer.bidirectional else "forward",
    }
    if op_type == "GRU":
        settings["linear_before_reset"] = 1
    hints = ["Y" if layer.return_sequences else "", "Y_h"]
    Y, Y_h = g.node_outputs(op_type, inputs, hints, **settings)
    if layer.return_sequences:  # (steps, directions, n, units) -> (n, steps, width)
        by_sample = g.node("Transpose", [Y], perm=[2, 0, 1, 3])
        shape = g.constant("shape", np.array([0, 0, -1], np.int64), cast=False)
    else:  # (directions, n, units) -> (n, width)
        by_sample = g.node("Transpose", [Y_h], perm=[1, 0, 2])
        shape = g.constant("shape", np.array([0, -1], np.int64), cast=False)
    return g.node("Reshape", [by_sample, shape])


def _learned_states(layer, g, x: str, state: str) -> str:
    """A learned initial state, ``(directions, 1, units)``, expanded to the
    batch: ``(directions, n, units)``."""
    values = np.stack([layer.params[f"{state}0{d}"] for d in layer.directions])
    n = g.node("Shape", [x], start=0, end=1)
    sizes = [g.constant("directions", np.array([len(values)], np.int64)), n]
    sizes.append(g.constant("units", np.array([layer.units], np.int64)))
    shape = g.node("Concat", sizes, axis=0)
    return g.node("Expand", [g.constant(f"{state}0", values[:, None, :]), shape])


def _unrolled(layer, g, x: str, d: str) -> str:
    """One direction's states step by step, as plainnet computes them: each
    gate's input product for all steps at once, then per step a ``Gather`` of
    that step and the cell's equations. Every step's state ``(n, steps,
    units)``, or the last one ``(n, units)``."""
    name, units = type(layer).__name__, layer.units
    W_ih, W_hh = layer.params["W_ih" + d], layer.params["W_hh" + d]
    b_ih, b_hh = layer.params["b_ih" + d], layer.params["b_hh" + d]
    gates = len(_RECURRENT[name][1])
    bias = b_ih if name == "GRU" else b_ih + b_hh  # as plainnet adds them
    block = [slice(k * units, (k + 1) * units) for k in range(gates)]
    inputs = [
        g.node("Add", [g.node("MatMul", [x, g.constant("W_ih", W_ih[b].T)]),
                       g.constant("b", bias[b])])
        for b in block
    ]  # fmt: skip
    hidden = [g.constant("W_hh", W_hh[b].T) for b in block]
    start = {}
    for state in layer.STATES:
        value = layer.params.get(f"{state}0{d}", np.zeros(units))
        start[state] = g.constant(f"{state}0", np.reshape(value, (1, units)))
    steps = layer.input_shape[0]
    order = range(steps - 1, -1, -1) if d else range(steps)
    states, outputs = start, {}
    for t in order:
        index = g.constant("t", np.array(t, np.int64), cast=False)
        step = [g.node("Gather", [gi, index], axis=1) for gi in inputs]
        states = _STEPS[name](g, step, states, hidden, b_hh, block)
        outputs[t] = states["h"]
    if not layer.return_sequences:
        return states["h"]
    axis = g.constant("axis", np.array([1], np.int64), cast=False)
    columns = [g.node("Unsqueeze", [outputs[t], axis]) for t in range(steps)]
    return g.node("Concat", columns, axis=1)


def _rnn_step(g, gi, states, hidden, b_hh, block) -> dict:
    """``h = tanh(gi + h W_hh^T)`` (``gi`` holds both biases)."""
    a = g.node("Add", [gi[0], g.node("MatMul", [states["h"], hidden[0]])])
    return {"h": g.node("Tanh", [a])}


def _gru_step(g, gi, states, hidden, b_hh, block) -> dict:
    """``r, z = sigmoid(gi + gh)``, ``n = tanh(gi_n + r * gh_n)``,
    ``h = n + z * (h - n)``, with ``gh = h W_hh^T + b_hh`` per gate."""
    h = states["h"]
    gh = [
        g.node("Add", [g.node("MatMul", [h, w]), g.constant("b_hh", b_hh[b])])
        for w, b in zip(hidden, block, strict=True)
    ]
    r, z = (g.node("Sigmoid", [g.node("Add", [gi[k], gh[k]])]) for k in (0, 1))
    n = g.node("Tanh", [g.node("Add", [gi[2], g.node("Mul", [r, gh[2]])])])
    return {"h": g.node("Add", [n, g.node("Mul", [z, g.node("Sub", [h, n])])])}


def _lstm_step(g, gi, states, hidden, b_hh, block) -> dict:
    """``i, f, o = sigmoid(a)``, ``g = tanh(a)``, ``c = f * c + i * g``,
    ``h = o * tanh(c)``, with ``a = gi + h W_hh^T`` per gate."""
    a = [
        g.node("Add", [gi[k], g.node("MatMul", [states["h"], hidden[k]])])
        for k in range(4)
    ]
    i, f, o = (g.node("Sigmoid", [a[k]]) for k in (0, 1, 3))
    cell = g.node("Tanh", [a[2]])
    c = g.node("Add", [g.node("Mul", [f, states["c"]]), g.node("Mul", [i, cell])])
    return {"h": g.node("Mul", [o, g.node("Tanh", [c])]), "c": c}


_STEPS = {"SimpleRNN": _rnn_step, "GRU": _gru_step, "LSTM": _lstm_step}


# -- blocks and attention -------------------------------------------------------
@translates("Residual")
def residual(layer, g, x: str) -> str:
    """``Add(x, f(x))``, the inner layers written in the block's scope (their
    initializers named ``layers.3.1.W``)."""
    inner = translate_layers(layer.layers, g, x, prefix="")
    return g.node("Add", [x, inner])


@translates("MultiHeadAttention")
def multi_head_attention(layer, g, x: str) -> str:
    """As ``predict`` computes it: ``[Q K V] = x W_in^T + b_in`` reshaped to
    ``(3, batch, heads, T, d)``; ``softmax(Q K^T / sqrt(d) (+ mask)) V`` per
    head (``MatMul`` broadcasts over batch and heads), the causal mask a
    constant ``(T, T)`` of 0 and -inf; the heads joined, then ``out_proj``."""
    steps, dim = layer.input_shape
    heads, d = layer.heads, dim // layer.heads
    p = layer.params

    def shape(*sizes: int) -> str:
        return g.constant("shape", np.array(sizes, np.int64))

    qkv = g.node("MatMul", [x, g.constant("in_proj_weight_T", p["in_proj_weight"].T)])
    qkv = g.node("Add", [qkv, g.constant("in_proj_bias", p["in_proj_bias"])])
    qkv = g.node("Reshape", [qkv, shape(-1, steps, 3, heads, d)])
    qkv = g.node("Transpose", [qkv], perm=[2, 0, 3, 1, 4])  # (3, n, heads, T, d)
    q, k, v = (
        g.node("Gather", [qkv, g.constant("which", np.array(i, np.int64))], axis=0)
        for i in range(3)
    )
    q = g.node("Mul", [q, g.constant("scale", 1.0 / np.sqrt(d))])
    scores = g.node("MatMul", [q, g.node("Transpose", [k], perm=[0, 1, 3, 2])])
    if layer.causal:
        future = np.triu(np.full((steps, steps), -np.inf), 1)
        scores = g.node("Add", [scores, g.constant("future_mask", future)])
    weights = g.node("Softmax", [scores], axis=-1)
    merged = g.node("Transpose", [g.node("MatMul", [weights, v])], perm=[0, 2, 1, 3])
    merged = g.node("Reshape", [merged, shape(-1, steps, dim)])
    y = g.node(
        "MatMul", [merged, g.constant("out_proj_weight_T", p["out_proj_weight"].T)]
    )
    return g.node("Add", [y, g.constant("out_proj_bias", p["out_proj_bias"])])


@translates("PositionalEmbedding")
def positional_embedding(layer, g, x: str) -> str:
    """``Add`` of the first ``steps`` rows of ``W`` (the network's input fixes
    the number of steps)."""
    steps = layer.input_shape[0]
    return g.node("Add", [x, g.constant("W", layer.params["W"][:steps])])


# -- finding them ----------------------------------------------------------------
def translation_of(layer: Layer, index: "int | str") -> Callable:
    """The translation of ``layer`` (layer ``index`` of its network); raises
    :class:`ExportError` naming the layer and why there is none."""
    cls = type(layer)
    name = cls.__name__
    where = f"layer {index} ({layer!r})"
    if LAYERS.get(name) is not cls:
        raise ExportError(
            f"cannot export {where} to ONNX: {name} is not one of plainnet's "
            "registered layers (a custom layer), and only those have a translation; "
            f"translated: {', '.join(sorted(TRANSLATIONS))}"
        )
    if name not in TRANSLATIONS:
        raise ExportError(
            f"cannot export {where} to ONNX: {name} has no ONNX translation yet "
            "(one function in plainnet/onnx/translations.py)"
        )
    return TRANSLATIONS[name]


def check_exportable(layers: list[Layer]) -> None:
    """Raise :class:`ExportError` for the first layer without a translation,
    the layers inside a ``Residual`` included (named by their path, ``3.1``)."""
    for path, layer in walk(layers):
        translation_of(layer, path)


def translate_layers(layers: list[Layer], g, x: str, prefix: str = "layers.") -> str:
    """Write every layer's nodes after ``x``; returns the last output's name.
    Each layer's initializers are named ``layers.{index}.{name}`` (inside a
    ``Residual`` at index 3, ``layers.3.{index}.{name}``)."""
    for index, layer in enumerate(layers):
        translation = translation_of(layer, index)
        with g.scope(f"{prefix}{index}"):
            x = translation(layer, g, x)
    return x

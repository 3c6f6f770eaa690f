"""Recurrent layers: ``SimpleRNN``, ``GRU`` and ``LSTM``, with PyTorch's
equations, gate order and weights.

A recurrent layer reads a sequence ``x`` of shape ``(n, steps, features)``
(batch first, as PyTorch's ``batch_first=True`` and Keras) one step at a time,
carrying a state ``h`` of ``units`` values per sequence from each step to the
next; it gives every step's state, ``(n, steps, units)``, with
``return_sequences=True``, else the last one, ``(n, units)``. Bidirectional, a
second set of weights (names ending in ``_reverse``) reads the sequence from
its end, and each step's two states are put side by side, the forward one first
(``2 * units`` values).

What the three share (``Recurrent``): the weights, laid out as PyTorch's so
that they copy across unchanged (``W_ih`` ``(gates * units, features)``,
``W_hh`` ``(gates * units, units)``, ``b_ih``, ``b_hh``, and their
``_reverse`` twins); the input's products for all steps at once, ``gi = x
W_ih^T + b_ih``, one matrix product; the loop over time in either direction;
backpropagation through time, the same loop backwards; and the weights'
gradients, again one product each over all steps. What each class adds is its
recurrence: ``_step`` (one step forward) and ``_step_back`` (that step
backward), the equations in its docstring. The element-wise part of a GRU or
LSTM step is one backend call (``ops.gru_cell``, ``ops.lstm_cell``, and their
backward twins; :mod:`plainnet.backend.recurrent`), a compiled loop on the CPU
with numba.

Arrays inside are time-major, ``(steps, n, ...)``, so that each step's rows
are contiguous. The states of a direction sit in one array of ``steps + 1``
slots, in the sequence's order: going forward, slot 0 holds the initial state
and slot ``t + 1`` the state after step ``t``; going backward, slot ``steps``
holds the initial state and slot ``t`` the state after step ``t``.
"""

import contextlib
import math
from typing import Any

import numpy as np  # in type hints only: layers compute through self.ops

from .. import initializers
from .._validation import check_bool, check_int
from ..backend.recurrent import lstm_gate_scale
from .base import Layer, ShapeError
from .registry import register_layer

#: the weights of one direction, in PyTorch's order
WEIGHTS = ("W_ih", "W_hh", "b_ih", "b_hh")

#: bytes of work arrays a prediction may hold at once; longer inputs go
#: through the layer in blocks of rows (each sequence is independent)
PREDICT_BYTES = 2**24

#: multiply-adds of one step's product below which the steps run BLAS on one
#: thread (as the estimators do for small networks): a quarter of a millisecond
#: of work on one core, which threads cannot share out at every step for less
SERIAL_STEP_WORK = 2**24


class Recurrent(Layer):
    """What the recurrent layers share; subclasses set ``GATES``, ``STATES``
    and ``STEP_ARRAYS`` and write ``_step`` and ``_step_back``.

    ``GATES`` is the number of blocks of ``units`` rows stacked in ``W_ih``
    and ``W_hh``; ``STATES`` the states carried from step to step (``"h"``, and
    ``"c"`` for the LSTM); ``STEP_ARRAYS`` what each step keeps for backward,
    by name and width in units.
    """

    GATES = 1
    STATES: tuple[str, ...] = ("h",)
    STEP_ARRAYS: tuple[tuple[str, int], ...] = ()

    def __init__(
        self,
        units: int,
        return_sequences: bool = False,
        bidirectional: bool = False,
        learn_initial_state: bool = False,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        self.units = check_int(f"{name} units", units)
        self.return_sequences = check_bool(f"{name} return_sequences", return_sequences)
        self.bidirectional = check_bool(f"{name} bidirectional", bidirectional)
        self.learn_initial_state = check_bool(
            f"{name} learn_initial_state", learn_initial_state
        )
        self.initial_state_grad = None
        self._given_start = False

    # -- shapes ----------------------------------------------------------------
    @property
    def directions(self) -> tuple[str, ...]:
        """The weights' name endings, one per direction: ``("",)`` or
        ``("", "_reverse")``."""
        return ("", "_reverse") if self.bidirectional else ("",)

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        if len(input_shape) != 2:
            shape = ", ".join(map(str, input_shape))
            hint = ": add a features axis with X[..., None]"
            raise ShapeError(
                f"expects (n, steps, features); got shape (n, {shape})"
                + (hint if len(input_shape) == 1 else "")
            )
        steps, _ = input_shape
        if steps < 1:
            raise ShapeError(f"expects at least one step; got shape (n, {steps}, ...)")
        width = self.units * len(self.directions)
        return (steps, width) if self.return_sequences else (width,)

    @property
    def n_features(self) -> int:
        """Features per step, learned when the layer is built."""
        if self.input_shape is None:
            raise ValueError(f"{self!r} is not built yet: its input width is unknown")
        return self.input_shape[1]

    # -- parameters --------------------------------------------------------------
    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        gates, units = self.GATES * self.units, self.units
        shapes = {}
        for d in self.directions:
            shapes[f"W_ih{d}"] = (gates, self.n_features)
            shapes[f"W_hh{d}"] = (gates, units)
            shapes[f"b_ih{d}"] = (gates,)
            shapes[f"b_hh{d}"] = (gates,)
        if self.learn_initial_state:
            for d in self.directions:
                for state in self.STATES:
                    shapes[f"{state}0{d}"] = (units,)
        return shapes

    def initial_params(self, rng) -> dict[str, np.ndarray]:
        """PyTorch's start: every weight and bias uniform in ``[-k, k)``,
        ``k = 1 / sqrt(units)``; learned initial states at zero."""
        k = 1 / math.sqrt(self.units)
        values = {}
        for name, shape in self.param_shapes().items():
            if name.split("_")[0] in ("W", "b"):
                values[name] = k * (2 * rng.random(shape) - 1)
            else:
                values[name] = initializers.zeros(shape)
        return values

    # -- forward -------------------------------------------------------------------
    def forward(
        self, x: np.ndarray, training: bool = True, initial_state=None
    ) -> np.ndarray:
        """The states for ``x`` ``(n, steps, features)``: ``(n, steps,
        directions * units)``, or the last ones ``(n, directions * units)``.

        ``initial_state`` (optional) is where each sequence starts, as PyTorch
        takes it: an array ``(directions, n, units)`` (for the LSTM a pair
        ``(h0, c0)`` of them); by default zeros, or the learned state with
        ``learn_initial_state=True``. After ``backward``, the gradient of the
        given start is in ``initial_state_grad``, in the same form.
        """
        if x.ndim != 3 or x.shape[1] < 1:
            raise ShapeError(
                f"{self!r} expects (n, steps, features) with at least one step; "
                f"got shape {tuple(x.shape)}"
            )
        starts = self._starts(initial_state, x.shape[0], self.params["W_ih"].dtype)
        self._given_start = initial_state is not None
        if not training:
            return self._predict(x, starts)
        xt, runs, y = self._forward(x, starts, self._buffer)
        saved = {f"{k}{d}": a for d, run in runs.items() for k, a in run.items()}
        self.save_for_backward(xt=xt, **saved)
        return y

    def _forward(self, x: np.ndarray, starts: list, new) -> tuple:
        """The time-major input, each direction's arrays and the output."""
        ops, dtype = self.ops, self.params["W_ih"].dtype
        n, steps, features = x.shape
        xt = new("xt", (steps, n, features), dtype)
        ops.copyto(xt, ops.swapaxes(x, 0, 1))
        runs = {
            d: self._run(xt, d, start, new)
            for d, start in zip(self.directions, starts, strict=True)
        }
        return xt, runs, self._output(runs, n, steps, new)

    def _predict(self, x: np.ndarray, starts: list) -> np.ndarray:
        """Forward without keeping anything, in blocks of rows small enough
        that the work arrays stay within ``PREDICT_BYTES``."""
        n, steps, _ = x.shape
        widths = (
            self.GATES + len(self.STATES) + sum(width for _, width in self.STEP_ARRAYS)
        )
        row_bytes = steps * widths * self.units * len(self.directions) * 8
        rows = max(1, PREDICT_BYTES // row_bytes)
        if n <= rows:
            return self._forward(x, starts, self._fresh)[2]
        y = None
        for first in range(0, n, rows):
            last = min(first + rows, n)
            part = [_rows(start, first, last) for start in starts]
            block = self._forward(x[first:last, ...], part, self._fresh)[2]
            if y is None:
                y = self.ops.empty((n, *block.shape[1:]), block.dtype)
            y[first:last, ...] = block
        return y

    def _run(self, xt: np.ndarray, d: str, start: dict, new) -> dict:
        """One direction over the whole sequence: the input's products, then
        the steps in order (``d == "_reverse"``: from the last). Returns the
        arrays backward needs, by name."""
        ops, params = self.ops, self.params
        steps, n, features = xt.shape
        W_ih, W_hh, b_ih, b_hh = (params[name + d] for name in WEIGHTS)
        gates, dtype = W_ih.shape[0], W_ih.dtype
        scale = self._gate_scale(dtype)
        gi = new("gi" + d, (steps, n, gates), dtype)
        W_ih_T = W_ih.T  # one product over all steps: a copy only to scale it
        if scale is not None:
            W_ih_T = _transposed(ops, new, "W_ih_T" + d, W_ih, scale)
        ops.matmul(
            ops.reshape(xt, (steps * n, features)),
            W_ih_T,
            out=ops.reshape(gi, (steps * n, gates)),
        )
        bias = self._input_bias(b_ih, b_hh)
        gi += bias if scale is None else bias * scale
        run = {"gi": gi}
        for state in self.STATES:
            run[state] = new(state + d, (steps + 1, n, self.units), dtype)
        for name, width in self.STEP_ARRAYS:
            run[name] = new(name + d, (steps, n, width * self.units), dtype)
        reverse = d == "_reverse"
        for state in self.STATES:
            run[state][steps if reverse else 0, ...] = start[state]
        W_hh_T = _transposed(ops, new, "W_hh_T" + d, W_hh, scale)
        with self._step_threads(n):
            for t in range(steps - 1, -1, -1) if reverse else range(steps):
                prev, now = (t + 1, t) if reverse else (t, t + 1)
                self._step(t, prev, now, run, W_hh_T, b_hh)
        return run

    def _gate_scale(self, dtype) -> np.ndarray | None:
        """Powers of two, one per gate column, that the input and hidden
        weights and the bias are multiplied by for the steps (exactly), or
        None: what the step's products should hold (see ``LSTM``)."""
        return None

    def _step_threads(self, n: int):
        """One BLAS thread for the steps when a step's product ``(n, units) @
        (units, gates * units)`` is small (``SERIAL_STEP_WORK``): shared out,
        its threads would mostly wait for each other, and for a core on a
        busy machine, at every one of the steps."""
        work = n * self.units * self.GATES * self.units
        if work < SERIAL_STEP_WORK:
            return self.ops.single_threaded()
        return contextlib.nullcontext()

    def _input_bias(self, b_ih: np.ndarray, b_hh: np.ndarray) -> np.ndarray:
        """The bias added to every step's input product: both biases, where
        they only ever meet added together (SimpleRNN, LSTM)."""
        return b_ih + b_hh

    def _output(self, runs: dict, n: int, steps: int, new) -> np.ndarray:
        """Every step's states side by side (forward first), or the last ones:
        for the forward direction the state after the last step, for the
        reverse direction the state after the first (PyTorch's ``h_n``)."""
        ops, units = self.ops, self.units
        width = units * len(runs)
        h = runs[""]["h"]
        if self.return_sequences:
            y = new("y", (n, steps, width), h.dtype)
            for k, (d, run) in enumerate(runs.items()):
                states = run["h"][:steps, ...] if d else run["h"][1:, ...]
                ops.copyto(
                    y[..., k * units : (k + 1) * units], ops.swapaxes(states, 0, 1)
                )
        else:
            y = new("y", (n, width), h.dtype)
            for k, (d, run) in enumerate(runs.items()):
                ops.copyto(
                    y[:, k * units : (k + 1) * units], run["h"][0 if d else steps, ...]
                )
        return y

    def _starts(self, initial_state, n: int, dtype) -> list[dict]:
        """Each direction's initial states by name: zeros, the learned ones, or
        the rows of ``initial_state`` (checked)."""
        if initial_state is not None:
            given = self._check_initial_state(initial_state, n, dtype)
            return [
                {state: given[s][k, ...] for s, state in enumerate(self.STATES)}
                for k in range(len(self.directions))
            ]
        if self.learn_initial_state:
            return [
                {state: self.params[f"{state}0{d}"] for state in self.STATES}
                for d in self.directions
            ]
        return [dict.fromkeys(self.STATES, 0.0) for _ in self.directions]

    def _check_initial_state(self, initial_state, n: int, dtype) -> list:
        """The given initial states as arrays ``(directions, n, units)`` of
        this backend; a wrong shape raises ``ShapeError`` naming both."""
        expected = (len(self.directions), n, self.units)
        several = len(self.STATES) > 1
        arrays = list(initial_state) if several else [initial_state]
        if (several and len(arrays) != len(self.STATES)) or not all(
            hasattr(a, "shape") for a in arrays
        ):
            form = "a pair (h0, c0) of arrays" if several else "an array"
            raise ShapeError(
                f"{self!r} takes initial_state as {form} of shape {expected} "
                f"(directions, n, units), got {type(initial_state).__name__}"
            )
        for state, array in zip(self.STATES, arrays, strict=True):
            if tuple(array.shape) != expected:
                raise ShapeError(
                    f"{self!r} takes an initial state {state}0 of shape {expected} "
                    f"(directions, n, units) for this batch of {n}, got shape "
                    f"{tuple(array.shape)}"
                )
        return [self.ops.asarray(a, self.ops.host_dtype(dtype)) for a in arrays]

    # -- backward -----------------------------------------------------------------
    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True):
        ops, saved = self.ops, self.saved
        xt = saved["xt"]
        steps, n, features = xt.shape
        dxt = self._buffer("dxt", xt.shape, xt.dtype) if need_input_grad else None
        start_grads = []
        for k, d in enumerate(self.directions):
            names = ("gi", *self.STATES, *(name for name, _ in self.STEP_ARRAYS))
            run = {name: saved[name + d] for name in names}
            dgi, dgh, dstart = self._run_back(grad_out, k, d, run)
            self._weight_grads(d, xt, run, dgi, dgh)
            if need_input_grad:
                rows = (steps * n, dgi.shape[2])
                flat = ops.reshape(dgi, rows)
                W_ih = self.params["W_ih" + d]
                if k == 0:
                    ops.matmul(flat, W_ih, out=ops.reshape(dxt, (steps * n, features)))
                else:
                    dxt += ops.reshape(ops.matmul(flat, W_ih), xt.shape)
            start_grads.append(dstart)
        self._initial_state_grads(start_grads)
        if not need_input_grad:
            return None
        dx = self._buffer("dx", (n, steps, features), xt.dtype)
        ops.copyto(dx, ops.swapaxes(dxt, 0, 1))
        return dx

    def _run_back(self, grad_out: np.ndarray, k: int, d: str, run: dict) -> tuple:
        """One direction backwards through time: the gradients of every step's
        pre-activations ``dgi`` and ``dgh`` ``(steps, n, gates * units)`` (one
        array when they are equal), and of the initial states."""
        ops, units = self.ops, self.units
        steps, n = run["h"].shape[0] - 1, run["h"].shape[1]
        dtype, gates = grad_out.dtype, self.GATES * units
        dgi = self._buffer("dgi" + d, (steps, n, gates), dtype)
        dgh = dgi
        if self._separate_hidden_grad:
            dgh = self._buffer("dgh" + d, (steps, n, gates), dtype)
        dstate = {s: self._buffer(f"d{s}{d}", (n, units), dtype) for s in self.STATES}
        for array in dstate.values():
            array[...] = 0.0
        block = slice(k * units, (k + 1) * units)
        if self.return_sequences:
            dy = self._buffer("dy" + d, (steps, n, units), dtype)
            ops.copyto(dy, ops.swapaxes(grad_out[:, :, block], 0, 1))
        else:
            ops.copyto(dstate["h"], grad_out[:, block])
        reverse = d == "_reverse"
        W_hh = self.params["W_hh" + d]
        with self._step_threads(n):
            for t in range(steps) if reverse else range(steps - 1, -1, -1):
                prev, now = (t + 1, t) if reverse else (t, t + 1)
                if self.return_sequences:
                    dstate["h"] += dy[t, ...]
                self._step_back(
                    t, prev, now, run, dstate, dgi[t, ...], dgh[t, ...], W_hh
                )
        return dgi, dgh, dstate

    #: whether ``dgh`` differs from ``dgi`` (the GRU's reset gate scales ``gh``)
    _separate_hidden_grad = False

    def _weight_grads(self, d: str, xt, run: dict, dgi, dgh) -> None:
        """Each weight's gradient as one product over all steps::

        dW_ih = sum_t dgi_t^T x_t        db_ih = sum_t 1^T dgi_t
        dW_hh = sum_t dgh_t^T h_prev_t   db_hh = sum_t 1^T dgh_t
        """
        ops, grads = self.ops, self.grads
        steps, n, features = xt.shape
        gates = dgi.shape[2]
        states = run["h"][1:, ...] if d else run["h"][:steps, ...]  # each h_prev
        flat_gi = ops.reshape(dgi, (steps * n, gates))
        flat_gh = ops.reshape(dgh, (steps * n, gates))
        ones = self._constant("ones", (steps * n,), dgi.dtype, 1.0)
        ops.matmul(
            flat_gh.T,
            ops.reshape(states, (steps * n, self.units)),
            out=grads["W_hh" + d],
        )
        ops.matmul(
            flat_gi.T, ops.reshape(xt, (steps * n, features)), out=grads["W_ih" + d]
        )
        ops.matmul(ones, flat_gh, out=grads["b_hh" + d])
        if dgh is dgi:
            ops.copyto(grads["b_ih" + d], grads["b_hh" + d])
        else:
            ops.matmul(ones, flat_gi, out=grads["b_ih" + d])

    def _initial_state_grads(self, start_grads: list[dict]) -> None:
        """The initial states' gradients: summed over the batch into a learned
        state's, or kept for the caller who gave them (``initial_state_grad``)."""
        self.initial_state_grad = None
        if self._given_start:
            stacked = [
                self.ops.stack([grads[state] for grads in start_grads])
                for state in self.STATES
            ]
            self.initial_state_grad = tuple(stacked) if len(stacked) > 1 else stacked[0]
        elif self.learn_initial_state:
            for d, grads in zip(self.directions, start_grads, strict=True):
                for state in self.STATES:
                    self.ops.sum(grads[state], axis=0, out=self.grads[f"{state}0{d}"])

    # -- the recurrence: each subclass's own ------------------------------------
    def _step(self, t: int, prev: int, now: int, run: dict, W_hh_T, b_hh) -> None:
        """One step forward: the states at slot ``now`` from those at ``prev``
        and the step's input product ``run["gi"][t]`` (``W_hh_T`` is ``W_hh``
        transposed)."""
        raise NotImplementedError

    def _step_back(self, t, prev, now, run, dstate, dgi, dgh, W_hh) -> None:
        """One step backward: from ``dstate`` (the gradients of the states at
        ``now``), fill the step's ``dgi`` and ``dgh`` and leave in ``dstate``
        the gradients of the states at ``prev``."""
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {
            "units": self.units,
            "return_sequences": self.return_sequences,
            "bidirectional": self.bidirectional,
            "learn_initial_state": self.learn_initial_state,
        }


def _transposed(ops, new, name: str, W: np.ndarray, scale) -> np.ndarray:
    """``W.T`` laid out contiguous (the steps' products run a quarter faster),
    each column times ``scale`` (``Recurrent._gate_scale``), made by ``new``."""
    W_T = new(name, W.T.shape, W.dtype)
    if scale is None:
        ops.copyto(W_T, W.T)
    else:
        ops.multiply(W.T, scale, out=W_T)
    return W_T


def _rows(start: dict, first: int, last: int) -> dict:
    """The initial states of rows ``first:last`` (a shared state as it is)."""
    return {
        name: value[first:last, ...] if getattr(value, "ndim", 0) == 2 else value
        for name, value in start.items()
    }


_PARAMETERS_DOC = """
    Parameters
    ----------
    units : int
        Size of the state ``h`` (PyTorch's ``hidden_size``).
    return_sequences : bool, default False
        Give every step's state, ``(n, steps, directions * units)``, rather
        than the last, ``(n, directions * units)``. With ``bidirectional``, the
        last is each direction's final state (PyTorch's ``h_n``): the reverse
        direction's is the one after it has read the whole sequence, at step 0.
    bidirectional : bool, default False
        Also read the sequence from its end with weights of its own (the
        ``_reverse`` ones), and put both directions' states side by side at
        every step, the forward one first, as PyTorch does.
    learn_initial_state : bool, default False
        Start every sequence from a learned state (parameters ``{states}``,
        one per direction, ``_reverse`` for the second; trained like the
        weights) rather than from zeros. To start from states of your own (an
        encoder's, say), call ``forward(x, initial_state=...)``.

    The input features are learned when the network is built, as ``Dense(10)``
    learns its inputs. Weights, as PyTorch names them with ``batch_first=True``
    (``weight_ih_l0`` is ``W_ih``, and so on), each uniform in ``[-k, k)``,
    ``k = 1 / sqrt(units)``, as PyTorch draws them::

        W_ih  (gates * units, features)     b_ih  (gates * units,)
        W_hh  (gates * units, units)        b_hh  (gates * units,)

    with ``W_ih_reverse``, ... for the second direction.
"""


@register_layer
class SimpleRNN(Recurrent):
    """Elman's recurrent layer with tanh, PyTorch's ``nn.RNN``: at each step
    ``t``, from the state before it::

        h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)

    Backward, with ``dh`` everything that reaches ``h_t`` (from the output at
    ``t`` and from step ``t + 1``)::

        da = dh * (1 - h_t**2)           (the pre-activation's gradient)
        dh_{t-1} = da W_hh               dW_hh += da^T h_{t-1}, dW_ih += da^T x_t
    {parameters}
    Example
    -------
    >>> Sequential([SimpleRNN(16), Dense(1)], input_shape=(50, 3))
    """

    GATES = 1

    def _step(self, t, prev, now, run, W_hh_T, b_hh) -> None:
        ops, h = self.ops, run["h"]
        h_now = h[now, ...]
        ops.matmul(h[prev, ...], W_hh_T, out=h_now)
        h_now += run["gi"][t, ...]  # gi holds both biases
        ops.tanh(h_now, out=h_now)

    def _step_back(self, t, prev, now, run, dstate, dgi, dgh, W_hh) -> None:
        ops, dh, h_now = self.ops, dstate["h"], run["h"][now, ...]
        ops.multiply(h_now, h_now, out=dgi)
        ops.subtract(1.0, dgi, out=dgi)
        dgi *= dh  # da = dh * (1 - h^2)
        ops.matmul(dgi, W_hh, out=dh)


@register_layer
class GRU(Recurrent):
    """Gated recurrent unit (Cho et al., 2014) in PyTorch's form, ``nn.GRU``:
    gates stacked ``r, z, n``, two biases, and the reset gate applied to the
    hidden product after its bias::

        gi = x_t W_ih^T + b_ih             gh = h_{t-1} W_hh^T + b_hh
        r = sigmoid(gi_r + gh_r)           (reset gate)
        z = sigmoid(gi_z + gh_z)           (update gate)
        n = tanh(gi_n + r * gh_n)          (candidate)
        h_t = (1 - z) * n + z * h_{t-1}

    Backward, with ``dh`` everything that reaches ``h_t``::

        dn = dh * (1 - z) * (1 - n**2)               dz = dh * (h_{t-1} - n) * z (1 - z)
        dr = dn * gh_n * r (1 - r)
        dgi = [dr, dz, dn]                           dgh = [dr, dz, dn * r]
        dh_{t-1} = dh * z + dgh W_hh                 dW_hh += dgh^T h_{t-1}, ...

    (ONNX's ``GRU`` with ``linear_before_reset=1`` computes the same, its
    gates ordered ``z, r, h``; Chainer's and some other GRUs differ.)
    {parameters}
    Example
    -------
    >>> Sequential([GRU(6, return_sequences=True, bidirectional=True),
    ...             Flatten(), Dense(10)], input_shape=(40, 1))
    """

    GATES = 3
    STEP_ARRAYS = (("gh", 3), ("rz", 2), ("n", 1))
    _separate_hidden_grad = True

    def _input_bias(self, b_ih, b_hh):
        return b_ih  # b_hh's n block sits inside the reset gate: added per step

    def _step(self, t, prev, now, run, W_hh_T, b_hh) -> None:
        ops, h = self.ops, run["h"]
        gh = run["gh"][t, ...]
        ops.matmul(h[prev, ...], W_hh_T, out=gh)
        gh += b_hh
        ops.gru_cell(
            run["gi"][t, ...],
            gh,
            h[prev, ...],
            run["rz"][t, ...],
            run["n"][t, ...],
            h[now, ...],
        )

    def _step_back(self, t, prev, now, run, dstate, dgi, dgh, W_hh) -> None:
        ops, dh = self.ops, dstate["h"]
        ops.gru_cell_backward(
            dh,
            run["h"][prev, ...],
            run["rz"][t, ...],
            run["n"][t, ...],
            run["gh"][t, ...],
            dgi,
            dgh,
        )  # dh is now dh * z
        through = self._buffer("dh_hidden", dh.shape, dh.dtype)
        dh += ops.matmul(dgh, W_hh, out=through)


@register_layer
class LSTM(Recurrent):
    """Long short-term memory (Hochreiter and Schmidhuber, 1997, with the
    forget gate of Gers et al., 2000) in PyTorch's form, ``nn.LSTM``: gates
    stacked ``i, f, g, o``, two biases, and a cell state ``c`` beside ``h``::

        a = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh      (n, 4 units)
        i = sigmoid(a_i)   f = sigmoid(a_f)   g = tanh(a_g)   o = sigmoid(a_o)
        c_t = f * c_{t-1} + i * g
        h_t = o * tanh(c_t)

    Backward, with ``dh`` and ``dc`` everything that reaches ``h_t`` and
    ``c_t``::

        dc = dc + dh * o * (1 - tanh(c_t)**2)
        da = [dc * g * i (1 - i), dc * c_{t-1} * f (1 - f),
              dc * i * (1 - g**2), dh * tanh(c_t) * o (1 - o)]
        dc_{t-1} = dc * f        dh_{t-1} = da W_hh        dW_hh += da^T h_{t-1}

    ``initial_state`` and ``learn_initial_state`` cover both ``h`` and ``c``
    (``h0``, ``c0``). ONNX's ``LSTM`` orders the gates ``i, o, f, c``.
    {parameters}
    Example
    -------
    >>> Sequential([LSTM(64), Dense(10)], input_shape=(50, 32))
    """

    GATES = 4
    STATES = ("h", "c")
    STEP_ARRAYS = (("gates", 4), ("tanh_c", 1))

    def _gate_scale(self, dtype) -> np.ndarray:
        # the steps take sigmoid(a) as 0.5 + 0.5 tanh(a / 2): the products
        # give a / 2 for the i, f and o gates straight away (ops.lstm_cell)
        return lstm_gate_scale(self.ops, self.units, dtype)

    def _step(self, t, prev, now, run, W_hh_T, b_hh) -> None:
        ops, h, c = self.ops, run["h"], run["c"]
        gates = run["gates"][t, ...]
        ops.matmul(h[prev, ...], W_hh_T, out=gates)
        gates += run["gi"][t, ...]  # gi holds both biases
        ops.lstm_cell(
            gates, c[prev, ...], c[now, ...], run["tanh_c"][t, ...], h[now, ...]
        )

    def _step_back(self, t, prev, now, run, dstate, dgi, dgh, W_hh) -> None:
        ops = self.ops
        ops.lstm_cell_backward(
            dstate["h"],
            dstate["c"],
            run["gates"][t, ...],
            run["c"][prev, ...],
            run["tanh_c"][t, ...],
            dgi,
            self._buffer("work", dgi.shape, dgi.dtype),
        )  # dstate["c"] is now dc_{t-1}
        ops.matmul(dgi, W_hh, out=dstate["h"])


for _cls, _states in ((SimpleRNN, "h0"), (GRU, "h0"), (LSTM, "h0 and c0")):
    _cls.__doc__ = _cls.__doc__.replace(
        "{parameters}", _PARAMETERS_DOC.replace("{states}", _states)
    )

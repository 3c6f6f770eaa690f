"""The backend contract: every array operation the engine needs, in one object.

A :class:`Backend` owns an array library's namespace (``xp``) and a device. The
engine (layers, losses, optimizers, the training loop) never names an array
library: it asks its backend, ``ops``, to allocate (``empty``, ``zeros``,
``asarray``), to compute (``ops.matmul(x, W, out=y)``) and, in one place, to read
a value back to the host (``to_float``).

The functions take NumPy's signatures, ``out=`` included, so that the NumPy
backend hands out NumPy's own functions and costs nothing. This class
implements them on any namespace that follows the Python array API standard,
which has no ``out=``: the result is computed, then copied into ``out`` by slice
assignment. ``erf``, which neither NumPy nor the standard has, is built from
elementary operations (:mod:`plainnet.backend.special`). The fused operations
at the end (the Adam step, the ReLU's backward, softmax with cross-entropy,
dropout masks, scatter-add and the steps of the recurrent cells), and the
sliding windows of convolution and pooling inherited from
:class:`plainnet.backend.windows.SlidingWindows` (im2col, col2im, max- and
average-pooling forward and backward), are written once from those functions;
a backend may replace one with a faster twin (compiled loops, a CuPy kernel)
computing the same.
"""

import contextlib
import math
from typing import Any

import numpy as np

from . import recurrent, special
from .windows import SlidingWindows


class DeviceError(ValueError):
    """Arrays of two devices (or array libraries) met in one call; the message
    names both."""


def _into(out, value):
    """``value`` written into ``out`` (and ``out`` returned), or ``value`` itself
    when there is no ``out``: the standard's stand-in for NumPy's ``out=``."""
    if out is None:
        return value
    out[...] = value
    return out


class Backend(SlidingWindows):
    """Array operations on the namespace ``xp`` (array API standard) and device
    ``device``.

    Attributes
    ----------
    name : str
        The device as users write it (``"cpu"``, ``"cuda:0"``,
        ``"array_api_strict:device1"``).
    xp : module
        The array namespace.
    device : object
        The library's own device object (``None`` for NumPy).
    """

    def __init__(self, name: str, xp, device=None) -> None:
        self.name, self.xp, self.device = name, xp, device

    @classmethod
    def shared(cls, *args) -> "Backend":
        """The one instance of this class for ``args`` (the constructor's), made
        on first use: every network on a device shares its backend."""
        instances = cls.__dict__.get("_instances")
        if instances is None:
            instances = cls._instances = {}
        if args not in instances:
            instances[args] = cls(*args)
            instances[args].args = args
        return instances[args]

    # -- arrays and the host ----------------------------------------------------------
    def dtype(self, dtype):
        """The library's dtype for a NumPy dtype or its name (``"float32"``);
        the library's own dtypes as they are."""
        if isinstance(dtype, (str, np.dtype, type)):
            return getattr(self.xp, np.dtype(dtype).name)
        return dtype

    def host_dtype(self, dtype) -> np.dtype:
        """The NumPy dtype of the library's ``dtype``."""
        for name in ("float32", "float64", "int64", "int32", "uint8", "bool"):
            if dtype == getattr(self.xp, name):
                return np.dtype(name)
        raise TypeError(f"no NumPy dtype for {dtype!r}")

    def empty(self, shape: tuple[int, ...], dtype):
        """A new array (contents undefined)."""
        return self.xp.empty(shape, dtype=self.dtype(dtype), device=self.device)

    def zeros(self, shape: tuple[int, ...], dtype):
        """A new array of zeros."""
        return self.xp.zeros(shape, dtype=self.dtype(dtype), device=self.device)

    def full(self, shape: tuple[int, ...], value: float, dtype):
        """A new array filled with ``value``."""
        return self.xp.full(shape, value, dtype=self.dtype(dtype), device=self.device)

    def owns(self, array) -> bool:
        """Whether ``array`` is an array of this backend (library and device)."""
        return hasattr(array, "__array_namespace__") and (
            array.__array_namespace__() is self.xp and array.device == self.device
        )

    def asarray(self, value, dtype=None):
        """``value`` (NumPy, a list, or an array of this backend) on this device,
        of ``dtype`` if given; copied only when it must be. An array of another
        device or library raises :class:`DeviceError` naming both."""
        if self.owns(value):
            if dtype is None or value.dtype == self.dtype(dtype):
                return value
            return self.xp.astype(value, self.dtype(dtype))
        host = np.asarray(self._host(value))
        if dtype is not None:
            host = host.astype(dtype, copy=False)
        return self.xp.asarray(host, device=self.device)

    def _host(self, value):
        """``value`` if the host can read it, else :class:`DeviceError`."""
        device = foreign_device(value)
        if device is not None:
            raise DeviceError(
                f"an array on {device} was given to a network on {self.name}; "
                f"move one of them (net.to({device!r}) or "
                f"asarray on {self.name!r})"
            )
        return value

    def to_numpy(self, array) -> np.ndarray:
        """A NumPy copy (or NumPy's own array) of ``array``, on the host."""
        return np.asarray(array.to_device(self._cpu()))

    def _cpu(self):
        return self.xp.__array_namespace_info__().default_device()

    def copy(self, array):
        """A new array equal to ``array``, on the same device."""
        return self.xp.asarray(array, copy=True)

    def to_float(self, value) -> float:
        """The one read of a value back to the host: a 0-d array as a float."""
        return float(value)

    def read(self, values: list) -> list[float]:
        """0-d arrays (or numbers) as floats on the host, in one transfer: the
        fit loop reads each epoch's costs this way."""
        arrays = [self.asarray(v) if isinstance(v, float) else v for v in values]
        return self.to_numpy(self.stack(arrays)).tolist()

    def all_finite(self, array) -> bool:
        """Whether every entry is finite (read back to the host)."""
        return bool(self.xp.all(self.xp.isfinite(array)))

    def scalar(self, value: float, dtype):
        """``value`` as a scalar that keeps ``dtype`` when it meets an array of it
        (a Python float: the standard's scalars are weakly typed)."""
        return float(value)

    def constant(self, value: float, dtype):
        """A fixed number of the math (0, 1) as an operand of ``dtype``
        (``ops.subtract(ops.constant(1.0, y.dtype), y, out=out)``): here
        :meth:`scalar`'s."""
        return self.scalar(value, dtype)

    def errstate(self, **settings):
        """NumPy's floating-point error state for a block (nothing elsewhere)."""
        return contextlib.nullcontext()

    def stacked_matmul(self, a, b, out):
        """``out[s] = a[s] @ b[s]``, a stack of products into ``out`` ``(n, m,
        p)`` (``a`` or ``b`` may be one matrix for every ``s``; a 2-D ``out``
        is one product): ``matmul``. A backend may share the stack among
        threads."""
        return self.matmul(a, b, out=out)

    def single_threaded(self):
        """A block whose matrix products run on one thread, where the library
        lets the caller choose (the CPU's BLAS); elsewhere nothing: for loops
        of small products, which gain nothing from more threads and lose much
        when those threads wait for a core."""
        return contextlib.nullcontext()

    # -- element-wise, with NumPy's out= -----------------------------------------------
    def add(self, a, b, out=None):
        return _into(out, a + b)

    def subtract(self, a, b, out=None):
        return _into(out, a - b)

    def multiply(self, a, b, out=None):
        return _into(out, a * b)

    def divide(self, a, b, out=None):
        return _into(out, a / b)

    def maximum(self, a, b, out=None):
        return _into(out, self.xp.maximum(a, b))

    def negative(self, a, out=None):
        return _into(out, -a)

    def square(self, a, out=None):
        return _into(out, a * a)

    def exp(self, a, out=None):
        return _into(out, self.xp.exp(a))

    def log(self, a, out=None):
        return _into(out, self.xp.log(a))

    def tanh(self, a, out=None):
        return _into(out, self.xp.tanh(a))

    def sqrt(self, a, out=None):
        return _into(out, self.xp.sqrt(a))

    def logaddexp(self, a, b, out=None):
        return _into(out, self.xp.logaddexp(a, b))

    def erf(self, a, out=None):
        """The error function, ``2/sqrt(pi) * integral from 0 to a of
        exp(-t**2) dt``, element-wise: W. J. Cody's rational approximations
        (:mod:`plainnet.backend.special`), within a few units in the last place."""
        return _into(out, special.erf(self, a))

    def greater(self, a, b, out=None):
        return _into(out, self.xp.greater(a, b))

    def greater_equal(self, a, b, out=None):
        return _into(out, self.xp.greater_equal(a, b))

    def equal(self, a, b, out=None):
        return _into(out, self.xp.equal(a, b))

    def where(self, condition, a, b, out=None):
        return _into(out, self.xp.where(condition, a, b))

    def matmul(self, a, b, out=None):
        return _into(out, self.xp.matmul(a, b))

    def dot(self, a, b, out=None):
        """``matmul`` for matrices and vectors only (1-D or 2-D ``a`` and
        ``b``), as NumPy's ``ndarray.dot``: ``out``, if given, C-contiguous and
        of the result's dtype. Two vectors give their inner product (0-d)."""
        return _into(out, self.xp.matmul(a, b))

    def vdot(self, a, b):
        """The dot product of ``a`` and ``b`` flattened (a 0-d array)."""
        return self.xp.reshape(a, (-1,)) @ self.xp.reshape(b, (-1,))

    def copyto(self, destination, source, where=None) -> None:
        """``destination[...] = source`` (only where ``where`` is true, if given)."""
        if where is not None:
            source = self.xp.where(where, source, destination)
        destination[...] = source

    def masked(self, values, mask, out=None):
        """``values * mask`` for a boolean ``mask``: each value where the mask
        is true, zero elsewhere (NaN and -0.0 as the product gives them)."""
        return self.where(mask, values, values * 0.0, out=out)

    # -- reductions and shapes ---------------------------------------------------------
    def sum(self, a, axis=None, out=None, keepdims=False):
        return _into(out, self.xp.sum(a, axis=axis, keepdims=keepdims))

    def mean(self, a, axis=None, out=None, keepdims=False):
        return _into(out, self.xp.mean(a, axis=axis, keepdims=keepdims))

    def channel_sum(self, a, out=None):
        """The sum of ``a``, ``(n, C, *rest)``, over every axis but the
        channels' (axis 1): ``(C,)``, a bias's or BatchNorm's gradient. Taken
        as two matrix-vector products, ``1 @ A @ 1`` with ``A`` as ``(n, C *
        rest)`` then ``(C, rest)``: a sum over axes 0 and 2 walks a
        channels-first array in short strided rows (3-20x slower on NumPy).
        With one sample (or a batch's gradient as one matrix, a channel a
        row), only the second."""
        n, channels = a.shape[0], a.shape[1]
        rest = math.prod(a.shape[2:])
        if n == 1:
            per_channel_position = self.xp.reshape(a, (channels, rest))
        else:
            ones = self.xp.ones((n,), dtype=a.dtype, device=self.device)
            if rest == 1:  # (n, C): one product
                return self.matmul(ones, self.xp.reshape(a, (n, channels)), out=out)
            per_position = ones @ self.xp.reshape(a, (n, channels * rest))
            per_channel_position = self.xp.reshape(per_position, (channels, rest))
        ones = self.xp.ones((rest,), dtype=a.dtype, device=self.device)
        return self.matmul(per_channel_position, ones, out=out)

    def max(self, a, axis=None, keepdims=False):
        return self.xp.max(a, axis=axis, keepdims=keepdims)

    def argmax(self, a, axis=None):
        return self.xp.argmax(a, axis=axis)

    def reshape(self, a, shape: tuple[int, ...]):
        return self.xp.reshape(a, shape)

    def transpose(self, a, axes: tuple[int, ...]):
        return self.xp.permute_dims(a, axes)

    def swapaxes(self, a, first: int, second: int):
        axes = list(range(a.ndim))
        axes[first], axes[second] = axes[second], axes[first]
        return self.xp.permute_dims(a, tuple(axes))

    def take(self, a, indices, axis: int = 0, out=None):
        """Rows (along ``axis``) of ``a`` at ``indices`` (any shape)."""
        flat = self.xp.reshape(indices, (-1,))
        taken = self.xp.take(a, flat, axis=axis)
        shape = (*a.shape[:axis], *indices.shape, *a.shape[axis + 1 :])
        return _into(out, self.xp.reshape(taken, shape))

    def concat(self, arrays, axis: int = 0):
        return self.xp.concat(arrays, axis=axis)

    def stack(self, arrays, axis: int = 0):
        return self.xp.stack(arrays, axis=axis)

    def arange(self, n: int):
        return self.xp.arange(n, device=self.device)

    # -- fused operations ------------------------------------------------------------
    def adam(self, w, g, m, v, work, *, lr, beta1, beta2, eps, weight_decay, t):
        """One Adam step on flat arrays in place, in twelve passes (see
        :mod:`plainnet.backend.kernels.adam` for the equations)."""
        decay, b1c, b2c, eps_hat, step = adam_constants(
            lr, beta1, beta2, eps, weight_decay, t
        )
        if decay != 1:
            w *= self.scalar(decay, w.dtype)
        self.subtract(g, m, out=work)
        work *= self.scalar(b1c, w.dtype)
        m += work  # m += (1 - beta1) (g - m)
        self.multiply(g, g, out=work)
        work -= v
        work *= self.scalar(b2c, w.dtype)
        v += work  # v += (1 - beta2) (g*g - v)
        self.sqrt(v, out=work)
        work += self.scalar(eps_hat, w.dtype)
        self.divide(m, work, out=work)
        work *= self.scalar(step, w.dtype)
        w -= work

    def relu(self, x, out):
        """``out = max(x, 0)``, NaN kept: the ReLU, against a zero of each
        sample's shape (which NumPy's ``maximum`` takes faster than a scalar)."""
        return self.maximum(x, self.zeros(x.shape[1:], x.dtype), out=out)

    def relu_gradient(self, y, grad_out, out):
        """``out = grad_out * (y > 0)``: the ReLU's backward from its output."""
        return self.masked(grad_out, self.greater(y, 0.0), out=out)

    def softmax_cross_entropy(self, z, target, grad):
        """Fill ``grad`` (like ``z``, ``(n, k)``) with ``P - T`` and return the
        per-sample losses ``(n,)``, for integer labels ``(n,)`` or rows of
        probabilities like ``z``; labels outside ``[0, k)`` raise
        ``IndexError``. With ``m_i`` each row's maximum::

            P_ij = exp(Z_ij - m_i) / s_i,       s_i = sum_j exp(Z_ij - m_i)
            loss_i = log(s_i) - sum_j T_ij (Z_ij - m_i)
        """
        n, k = z.shape
        labels = target.ndim == 1
        if labels:
            target = self.one_hot(target, k, z.dtype)
        self.subtract(z, self.max(z, axis=1, keepdims=True), out=grad)  # Z - m
        picked = self.sum(grad * target, axis=1)  # T_i . (Z_i - m_i)
        self.exp(grad, out=grad)
        total = self.matmul(grad, self.full((k, 1), 1.0, self.host_dtype(z.dtype)))
        grad /= total  # P = exp(Z - m) / s, s the row sums
        grad -= target
        return self.log(self.reshape(total, (n,))) - picked

    def one_hot(self, labels, k: int, dtype):
        """``(n, k)`` rows with a one at each label; ``IndexError`` for a label
        outside ``[0, k)`` (checked on the host)."""
        if labels.shape[0] and (
            self.to_float(self.xp.min(labels)) < 0
            or self.to_float(self.xp.max(labels)) >= k
        ):
            raise IndexError(f"class labels must be in [0, {k})")
        classes = self.xp.arange(k, device=self.device)
        return self.xp.astype(labels[:, None] == classes, self.dtype(dtype))

    def dropout_mask(self, rng, shape: tuple[int, ...], rate: float, out):
        """``out = (U >= rate) / (1 - rate)`` for ``U`` uniform in [0, 1), drawn
        from the NumPy generator ``rng`` on the host (so every device draws the
        same masks)."""
        mask = (rng.random(shape) >= rate).astype(self.host_dtype(out.dtype))
        mask *= mask.dtype.type(1 / (1 - rate))
        self.copyto(out, self.asarray(mask))
        return out

    def scatter_add(self, out, indices, values) -> None:
        """``out[indices[i]] += values[i]`` along the first axis, repeated
        indices adding up, in the order of ``indices`` (1-D)."""
        for i in range(indices.shape[0]):
            row = int(indices[i])
            out[row, ...] += values[i, ...]

    # -- recurrent cells: the equations in plainnet.backend.recurrent -----------------
    def gru_cell(self, gi, gh, h_prev, rz, n, h) -> None:
        """A GRU step's gates ``rz``, candidate ``n`` and state ``h``, from the
        step's products ``gi``, ``gh`` (see :func:`recurrent.gru_cell`)."""
        recurrent.gru_cell(self, gi, gh, h_prev, rz, n, h)

    def gru_cell_backward(self, dh, h_prev, rz, n, gh, dgi, dgh) -> None:
        """A GRU step backward (see :func:`recurrent.gru_cell_backward`)."""
        recurrent.gru_cell_backward(self, dh, h_prev, rz, n, gh, dgi, dgh)

    def lstm_cell(self, gates, c_prev, c, tanh_c, h) -> None:
        """An LSTM step's activated ``gates``, cell ``c`` and state ``h`` (see
        :func:`recurrent.lstm_cell`)."""
        recurrent.lstm_cell(self, gates, c_prev, c, tanh_c, h)

    def lstm_cell_state(self, gates, c_prev, c, scratch) -> None:
        """The LSTM's activated ``gates`` from their tanh pass, and its cell
        ``c`` (see :func:`recurrent.lstm_cell_state`)."""
        recurrent.lstm_cell_state(self, gates, c_prev, c, scratch)

    def lstm_cell_backward(self, dh, dc, gates, c_prev, tanh_c, dgates, work) -> None:
        """An LSTM step backward, ``work`` like ``dgates`` a scratch array (see
        :func:`recurrent.lstm_cell_backward`)."""
        recurrent.lstm_cell_backward(self, dh, dc, gates, c_prev, tanh_c, dgates, work)

    def __reduce__(self):
        # a module cannot be pickled: pickles and copies name the backend's
        # class and arguments, and unpickle as that process's shared instance
        return type(self).shared, getattr(self, "args", ())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


def adam_constants(lr, beta1, beta2, eps, weight_decay, t) -> tuple[float, ...]:
    """``(decay, 1 - beta1, 1 - beta2, eps_hat, step)`` of the Adam step ``t``:
    ``decay = 1 - lr * weight_decay``, ``eps_hat = eps * sqrt(c2)``, ``step = lr
    * sqrt(c2) / c1`` with ``c1 = 1 - beta1**t`` and ``c2 = 1 - beta2**t``."""
    c1, c2 = 1 - beta1**t, 1 - beta2**t
    return (
        1 - lr * weight_decay,
        1 - beta1,
        1 - beta2,
        eps * math.sqrt(c2),
        lr * math.sqrt(c2) / c1,
    )


def foreign_device(value) -> str | None:
    """The device of an array that the host cannot read directly (a GPU array,
    or one on array-api-strict's simulated devices), as users name it; None for
    NumPy arrays, lists and numbers."""
    if isinstance(value, (np.ndarray, np.generic)) or not hasattr(
        value, "__array_namespace__"
    ):
        return None
    return device_name(value)


def device_name(array: Any) -> str:
    """How users name the device of ``array`` (``"cuda:0"``,
    ``"array_api_strict:device1"``, ``"cpu"``)."""
    module = type(array).__module__.split(".")[0]
    device = getattr(array, "device", None)
    if module == "cupy":
        return f"cuda:{device.id}"
    if module == "array_api_strict":
        inner = str(device).split("'")[1] if "'" in str(device) else str(device)
        return f"array_api_strict:{inner}"
    return "cpu" if module == "numpy" else f"{module}:{device}"

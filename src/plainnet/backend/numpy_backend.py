"""The NumPy backend: the engine's operations are NumPy's own functions.

Every element-wise function, product and reduction of the contract is NumPy's,
handed out as it is (``ops.matmul is np.matmul``), so the engine pays nothing
for the seam. The fused operations run either as NumPy passes (the readable
reference) or as compiled loops from :mod:`plainnet.backend.kernels` when numba
is installed (the ``fast`` extra).
"""

import contextlib
import functools
import math
import os

import numpy as np

from . import stacks
from .base import Backend, DeviceError, foreign_device
from .kernels import KERNELS, numba_installed
from .layout import flat_in_memory
from .numpy_windows import CompiledWindows

KERNEL_CHOICES = ("auto", "numpy", "numba")

#: A recurrent step's state sizes (batch rows x units) up to which its forward
#: runs as a compiled loop (measured on a 2-core machine: the loop is faster
#: up to about a thousand values, NumPy's passes beyond two thousand)
CELL_LOOP_SIZE = 1024

#: NumPy's functions that the contract hands out unchanged
_NATIVE = (
    "add", "subtract", "multiply", "divide", "maximum", "negative", "square",
    "exp", "log", "tanh", "sqrt", "logaddexp", "greater", "greater_equal",
    "equal", "matmul", "vdot", "copyto", "sum", "mean", "concatenate", "stack",
    "argmax",
)  # fmt: skip


class NumpyBackend(CompiledWindows, Backend):
    """Arrays in host memory, computed by NumPy (and numba's loops).

    Parameters
    ----------
    kernels : {"auto", "numpy", "numba"}, optional
        Which twin of each fused operation runs: the NumPy passes, the compiled
        loops (``ImportError`` naming the extra without numba), or ``"auto"``,
        compiled when numba is installed. Default: the environment variable
        ``PLAINNET_KERNELS``, else ``"auto"``.
    """

    def __init__(self, kernels: str | None = None) -> None:
        super().__init__("cpu", np, None)
        self._constants: dict[float, dict] = {}
        for name in _NATIVE:
            setattr(self, name, getattr(np, name))
        # the method, not np.dot: it skips NumPy's dispatch to other array
        # types, half the cost of np.matmul on the seed's (4, 3) @ (3, 1)
        self.dot = np.ndarray.dot
        # the methods too for views, which the layers take several of per
        # call: NumPy's functions add a wrapper (0.6 us a reshape, 1.8 an
        # expand_dims) around the methods they call
        self.reshape = np.ndarray.reshape
        self.transpose = np.ndarray.transpose
        self.swapaxes = np.ndarray.swapaxes
        self.concat = np.concatenate
        self._stack_threads = stacks.blas_thread_count()
        self._blas_one = False  # inside single_threaded()
        self.use_kernels(kernels or os.environ.get("PLAINNET_KERNELS", "auto"))

    def use_kernels(self, kernels: str) -> None:
        """Choose the fused operations' twins (see the class's parameters)."""
        if kernels not in KERNEL_CHOICES:
            raise ValueError(
                f"unknown kernels {kernels!r} (PLAINNET_KERNELS or use_kernels); "
                f"expected one of {list(KERNEL_CHOICES)}"
            )
        self.choice = kernels
        compiled = kernels == "numba" or (kernels == "auto" and numba_installed())
        self.kernels = "numba" if compiled else "numpy"

    # -- arrays and the host ----------------------------------------------------------
    def dtype(self, dtype) -> np.dtype:
        return np.dtype(dtype)

    def host_dtype(self, dtype) -> np.dtype:
        return np.dtype(dtype)

    def empty(self, shape, dtype) -> np.ndarray:
        return np.empty(shape, dtype)

    def zeros(self, shape, dtype) -> np.ndarray:
        return np.zeros(shape, dtype)

    def full(self, shape, value, dtype) -> np.ndarray:
        return np.full(shape, value, dtype)

    def owns(self, array) -> bool:
        return isinstance(array, np.ndarray)

    def asarray(self, value, dtype=None) -> np.ndarray:
        if foreign_device(value) is not None:
            raise DeviceError(
                f"an array on {foreign_device(value)} was given to a network on "
                "cpu; move one of them (net.to(...) or the array to the host)"
            )
        return np.asarray(value, dtype=dtype)

    def to_numpy(self, array) -> np.ndarray:
        return np.asarray(array)

    def read(self, values: list) -> list[float]:
        return list(map(float, values))  # already on the host

    def copy(self, array) -> np.ndarray:
        return array.copy()

    def all_finite(self, array) -> bool:
        """A finite sum says so in one cheap pass with no full-size mask; only a
        sum that is not finite needs a closer look."""
        if array.size <= 4096:  # small: a mask is cheaper than the error state
            return bool(np.isfinite(array).all())
        with np.errstate(over="ignore", invalid="ignore"):
            if math.isfinite(np.add.reduce(array, axis=None)):
                return True
        return bool(np.isfinite(array).all())

    def scalar(self, value: float, dtype) -> np.generic:
        """``value`` as a NumPy scalar of ``dtype`` (a float64 scalar would make
        a float32 operation a slow casting loop)."""
        return np.dtype(dtype).type(value)

    def constant(self, value: float, dtype) -> np.ndarray:
        """A 0-d array of ``value`` and ``dtype``, made once for each (for
        the few fixed numbers of the math only): NumPy's functions take it
        about 0.2 microseconds faster than a Python float or a NumPy scalar,
        which counts in the seed's 15,000 steps on a few numbers each."""
        try:
            return self._constants[value][dtype]
        except KeyError:
            made = np.full((), value, dtype)
            made.flags.writeable = False
            self._constants.setdefault(value, {})[dtype] = made
            return made

    def errstate(self, **settings):
        return np.errstate(**settings)

    def stacked_matmul(self, a, b, out):
        """The stack cut in one part per BLAS thread, the parts multiplied at
        once, where each product is too small for OpenBLAS to share among its
        threads, or any while BLAS is held to one (see
        :mod:`plainnet.backend.stacks`)."""
        return stacks.stacked_matmul(a, b, out, self._stack_threads, self._blas_one)

    def single_threaded(self):
        """BLAS on one thread for the block, through threadpoolctl when it is
        installed (a dependency of scikit-learn); else nothing. A stack of
        products is then shared among threads whatever their size
        (:meth:`stacked_matmul`)."""
        return _one_blas_thread(self)

    def max(self, a, axis=None, keepdims=False):
        return a.max(axis=axis, keepdims=keepdims)

    def where(self, condition, a, b, out=None):
        result = np.where(condition, a, b)
        if out is None:
            return result
        np.copyto(out, result)
        return out

    def masked(self, values, mask, out=None):
        return np.multiply(values, mask, out=out)

    def take(self, a, indices, axis: int = 0, out=None):
        # with out=, mode "raise" would gather into a temporary first
        mode = "raise" if out is None else "clip"
        return np.take(a, indices, axis=axis, out=out, mode=mode)

    def arange(self, n: int) -> np.ndarray:
        return np.arange(n)

    # -- fused operations ------------------------------------------------------------
    def adam(self, w, g, m, v, work, *, lr, beta1, beta2, eps, weight_decay, t):
        if self.kernels == "numba":
            constants = adam_constants_in(
                w.dtype, lr, beta1, beta2, eps, weight_decay, t
            )
            KERNELS["adam"].compiled(w, g, m, v, *constants)
        else:
            super().adam(
                w, g, m, v, work, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                weight_decay=weight_decay, t=t,
            )  # fmt: skip

    def relu(self, x, out):
        """One compiled pass over arrays of one shape and one layout that fill
        their memory (C-contiguous, or channels last after a ``Conv1D``:
        ``layout.flat_in_memory``; the loop checks no bounds); else NumPy's
        ``maximum`` against a zero of each sample's shape, made once per
        shape."""
        flat = self.kernels == "numba" and flat_in_memory(x, out)
        if flat:
            KERNELS["relu"].compiled(flat[0], out.dtype.type(0), flat[1])
            return out
        return np.maximum(x, _zeros(x.shape[1:], x.dtype), out=out)

    def relu_gradient(self, y, grad_out, out):
        """One compiled pass over arrays of one shape and one layout that fill
        their memory (as :meth:`relu`); else NumPy's two: the mask ``y > 0``
        as 1.0 or 0.0 written into ``out`` itself (no temporary array, which
        in an epoch costs as much as the passes), then times ``grad_out``.
        Shapes that broadcast, or an ``out`` that is ``grad_out``, take a
        temporary."""
        flat = self.kernels == "numba" and flat_in_memory(y, grad_out, out)
        if flat:
            KERNELS["relu_gradient"].compiled(*flat)
            return out
        same_shape = y.shape == grad_out.shape == out.shape
        if same_shape and not np.may_share_memory(out, grad_out):
            np.greater(y, 0, out=out)
            return np.multiply(out, grad_out, out=out)
        return np.multiply(grad_out, y > 0, out=out)

    def erf(self, a, out=None):
        """One compiled call of ``math.erf`` per element for a C-contiguous
        ``out`` of ``a``'s shape; else the generic approximation."""
        fits = out is None or (out.shape == a.shape and out.flags.c_contiguous)
        if self.kernels == "numba" and fits:
            if out is None:
                out = np.empty(a.shape, a.dtype)
            flat = np.ascontiguousarray(a).reshape(-1)
            KERNELS["erf"].compiled(flat, out.reshape(-1))
            return out
        return super().erf(a, out=out)

    def softmax_cross_entropy(self, z, target, grad):
        labels = target.ndim == 1 and target.dtype.kind in "iu"
        fits = labels and len(target) == len(z) and grad.shape == z.shape
        if fits and self.kernels == "numba":
            losses = np.empty(len(z), z.dtype)
            KERNELS["softmax_cross_entropy"].compiled(z, target, grad, losses)
            return losses
        return _softmax_cross_entropy(z, target, grad)

    def dropout_mask(self, rng, shape, rate, out):
        np.greater_equal(rng.random(shape), rate, out=out)
        out *= out.dtype.type(1 / (1 - rate))
        return out

    def scatter_add(self, out, indices, values) -> None:
        np.add.at(out, indices, values)

    # The recurrent cells: a compiled loop makes a step one call instead of a
    # dozen or two. Backward, the loop wins at every size; forward, NumPy's
    # vectorised tanh wins once a step holds more than CELL_LOOP_SIZE values
    # (numba's exp is a scalar call), so larger layers keep NumPy's tanh
    # passes, and the LSTM's work between them is one loop (lstm_cell_state).
    def gru_cell(self, gi, gh, h_prev, rz, n, h) -> None:
        if self.kernels == "numba" and h.size <= CELL_LOOP_SIZE:
            KERNELS["gru_cell"].compiled(gi, gh, h_prev, rz, n, h)
        else:
            super().gru_cell(gi, gh, h_prev, rz, n, h)

    def gru_cell_backward(self, dh, h_prev, rz, n, gh, dgi, dgh) -> None:
        if self.kernels == "numba":
            KERNELS["gru_cell_backward"].compiled(dh, h_prev, rz, n, gh, dgi, dgh)
        else:
            super().gru_cell_backward(dh, h_prev, rz, n, gh, dgi, dgh)

    def lstm_cell(self, gates, c_prev, c, tanh_c, h) -> None:
        if self.kernels == "numba" and h.size <= CELL_LOOP_SIZE:
            KERNELS["lstm_cell"].compiled(gates, c_prev, c, tanh_c, h)
        else:
            super().lstm_cell(gates, c_prev, c, tanh_c, h)

    def lstm_cell_state(self, gates, c_prev, c, scratch) -> None:
        if self.kernels == "numba":  # the larger layers' middle of the step
            KERNELS["lstm_cell_state"].compiled(gates, c_prev, c)
        else:
            super().lstm_cell_state(gates, c_prev, c, scratch)

    def lstm_cell_backward(self, dh, dc, gates, c_prev, tanh_c, dgates, work) -> None:
        if self.kernels == "numba":  # one pass: the loop needs no scratch
            loop = KERNELS["lstm_cell_backward"].compiled
            loop(dh, dc, gates, c_prev, tanh_c, dgates)
        else:
            super().lstm_cell_backward(dh, dc, gates, c_prev, tanh_c, dgates, work)


@contextlib.contextmanager
def _one_blas_thread(backend: NumpyBackend):
    """:meth:`NumpyBackend.single_threaded`'s block."""
    controller = _blas_controller()
    limit = contextlib.nullcontext()
    if controller is not None:
        limit = controller.limit(limits=1, user_api="blas")
    before, backend._blas_one = backend._blas_one, controller is not None
    try:
        with limit:
            yield
    finally:
        backend._blas_one = before


@functools.cache
def _blas_controller():
    """threadpoolctl's view of the loaded BLAS (made once), or None without
    threadpoolctl."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController()


def adam_constants_in(dtype, *args) -> tuple:
    """The Adam step's constants as scalars of ``dtype`` (for the loop)."""
    from .base import adam_constants

    cast = np.dtype(dtype).type
    with np.errstate(over="ignore"):  # lr=1e300 in float32 is inf: divergence
        return tuple(cast(c) for c in adam_constants(*args))


def _softmax_cross_entropy(z, target, grad) -> np.ndarray:
    """The NumPy passes of softmax with cross-entropy (see the contract's
    docstring); labels index ``grad`` directly instead of one-hot rows."""
    labels = target.ndim == 1
    if labels and target.size and (target.min() < 0 or target.max() >= z.shape[1]):
        raise IndexError(f"class labels must be in [0, {z.shape[1]})")
    np.subtract(z, z.max(axis=1, keepdims=True), out=grad)  # Z - m
    if labels:  # where each sample's class sits in grad, as flat indices
        target = np.arange(0, grad.size, grad.shape[1]) + target
        picked = grad.take(target)  # T_i . (Z_i - m_i) for one-hot T
    else:
        picked = np.einsum("ij,ij->i", grad, target)
    np.exp(grad, out=grad)
    total = np.matmul(grad, np.ones(grad.shape[1], grad.dtype))  # s, row sums
    grad /= total[:, None]  # P
    if labels:
        grad.ravel()[target] -= 1
    else:
        grad -= target
    return np.log(total) - picked


@functools.lru_cache(maxsize=64)
def _zeros(shape: tuple[int, ...], dtype) -> np.ndarray:
    """A read-only array of zeros (the ReLU's, one sample's shape)."""
    zeros = np.zeros(shape, dtype)
    zeros.flags.writeable = False
    return zeros


__all__ = ["NumpyBackend"]

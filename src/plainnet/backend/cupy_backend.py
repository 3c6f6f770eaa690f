"""The CuPy backend: arrays in an NVIDIA GPU's memory.

CuPy follows NumPy's API, ``out=`` included, so the contract's functions are
CuPy's own; scatter-add is ``cupyx.scatter_add``. Random weights and shuffles
are drawn on the host with NumPy (every device starts identically); dropout
masks are drawn on the host too and sent over, one copy per batch. Needs the
``cuda`` extra (``pip install ".[cuda]"``, CuPy for CUDA 12); imported only when
a network asks for ``device="cuda"`` or ``"cuda:N"``.
"""

import numpy as np

from .base import Backend
from .numpy_backend import _NATIVE


class CupyBackend(Backend):
    """Arrays on GPU ``index``, computed by CuPy.

    ``module`` is the CuPy namespace; tests stand NumPy in for it to run this
    class's code on a machine without a GPU.
    """

    def __init__(self, index: int = 0, module=None) -> None:
        if module is None:
            module = _import_cupy(index)
        super().__init__(f"cuda:{index}", module, _device(module, index))
        for name in _NATIVE:
            setattr(self, name, getattr(module, name))
        self.dot = module.dot
        self.concat = module.concatenate

    def _on_device(self):
        """This backend's GPU as the current one, for a block."""
        return self.device if hasattr(self.device, "__enter__") else _NoDevice()

    def dtype(self, dtype) -> np.dtype:
        return np.dtype(dtype)

    def host_dtype(self, dtype) -> np.dtype:
        return np.dtype(dtype)

    def empty(self, shape, dtype):
        with self._on_device():
            return self.xp.empty(shape, dtype)

    def zeros(self, shape, dtype):
        with self._on_device():
            return self.xp.zeros(shape, dtype)

    def full(self, shape, value, dtype):
        with self._on_device():
            return self.xp.full(shape, value, dtype)

    def owns(self, array) -> bool:
        return isinstance(array, self.xp.ndarray) and _index(array) == _index_of(
            self.device
        )

    def asarray(self, value, dtype=None):
        if self.owns(value):
            return value if dtype is None else value.astype(dtype, copy=False)
        host = np.asarray(self._host(value), dtype=dtype)
        with self._on_device():
            return self.xp.asarray(host)

    def copy(self, array):
        return array.copy()

    def masked(self, values, mask, out=None):
        return self.xp.multiply(values, mask, out=out)

    def to_numpy(self, array) -> np.ndarray:
        return array.get() if hasattr(array, "get") else np.asarray(array)

    def all_finite(self, array) -> bool:
        return bool(self.xp.isfinite(array).all())

    def max(self, a, axis=None, keepdims=False):
        return a.max(axis=axis, keepdims=keepdims)

    def take(self, a, indices, axis: int = 0, out=None):
        return self.xp.take(a, indices, axis=axis, out=out)

    def arange(self, n: int):
        with self._on_device():
            return self.xp.arange(n)

    def scatter_add(self, out, indices, values) -> None:
        if self.xp is np:  # NumPy standing in for CuPy
            np.add.at(out, indices, values)
            return
        import cupyx

        cupyx.scatter_add(out, indices, values)

    def relu(self, x, out):
        return self.xp.maximum(x, 0, out=out)

    def relu_gradient(self, y, grad_out, out):
        return self.xp.multiply(grad_out, y > 0, out=out)


class _NoDevice:
    """A do-nothing device block (NumPy standing in for CuPy)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _import_cupy(index: int):
    """CuPy, or ``ImportError`` naming the extra and what is missing."""
    try:
        import cupy
    except ImportError:
        raise ImportError(
            f"device 'cuda:{index}' needs CuPy, which is not installed: "
            'pip install ".[cuda]" (from a checkout of plainnet; CuPy for CUDA 12)'
        ) from None
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as error:  # CuPy installed, but no driver or no GPU
        raise ImportError(
            f"device 'cuda:{index}' needs an NVIDIA GPU and its driver: CuPy "
            f"found none ({type(error).__name__}: {error})"
        ) from None
    if not 0 <= index < count:
        raise ImportError(
            f"device 'cuda:{index}' does not exist: this machine has {count} GPU(s)"
        )
    return cupy


def _device(module, index: int):
    return module.cuda.Device(index) if hasattr(module, "cuda") else None


def _index(array) -> int | None:
    device = getattr(array, "device", None)
    return getattr(device, "id", None)


def _index_of(device) -> int | None:
    return getattr(device, "id", None)


__all__ = ["CupyBackend"]

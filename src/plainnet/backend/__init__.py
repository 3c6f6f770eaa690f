"""Where the engine's arrays live: one backend object per array library and
device.

The engine asks its network's backend (``net.ops``) for every array and every
operation, so the same layers train on NumPy, on an NVIDIA GPU through CuPy, or
on array-api-strict's simulated devices (which the tests use to prove that the
engine names no array library). Devices, as users name them:

* ``"cpu"`` (or ``None``): NumPy, with numba's compiled loops when installed;
* ``"cuda"``, ``"cuda:1"``: CuPy on that GPU (the ``cuda`` extra);
* ``"array_api_strict"``, ``"array_api_strict:device1"``: the test backend.

>>> ops = backend.get("cpu")
>>> ops.matmul(X, W, out=Y)
"""

from numpy import ndarray

from .base import Backend, DeviceError, device_name, foreign_device
from .numpy_backend import NumpyBackend

__all__ = ["CPU", "Backend", "DeviceError", "NumpyBackend", "get", "of"]

#: The CPU backend (NumPy), shared by every network on the CPU.
CPU = NumpyBackend.shared()


def get(device: "str | Backend | None" = None) -> Backend:
    """The backend of ``device`` (see the module's docstring); a
    :class:`Backend` is returned as it is. An unknown name raises
    ``ValueError`` listing the known ones; a device whose library is missing
    raises ``ImportError`` naming the extra to install."""
    if isinstance(device, Backend):
        return device
    name = "cpu" if device is None else device
    if not isinstance(name, str):
        raise ValueError(
            f"device must be a string such as 'cpu' or 'cuda', got {device!r}"
        )
    return _shared(_canonical(name))


def _canonical(name: str) -> str:
    """``"cuda"`` as ``"cuda:0"``, ``"array_api_strict"`` as its CPU device."""
    if name == "cuda":
        return "cuda:0"
    if name == "array_api_strict":
        return "array_api_strict:CPU_DEVICE"
    return name


def _shared(name: str) -> Backend:
    """The shared backend of a device name, its library imported on first use."""
    kind, _, where = name.partition(":")
    if name == "cpu":
        return CPU
    if kind == "cuda" and where.isdigit():
        from .cupy_backend import CupyBackend

        return CupyBackend.shared(int(where))
    if kind == "array_api_strict" and where:
        from .strict import ArrayApiStrictBackend

        return ArrayApiStrictBackend.shared(where)
    raise ValueError(
        f"unknown device {name!r}; expected 'cpu', 'cuda', 'cuda:N', "
        "'array_api_strict' or 'array_api_strict:device1'"
    )


def of(array) -> Backend:
    """The backend that holds ``array`` (NumPy arrays and numbers: the CPU)."""
    if type(array) is ndarray:  # the common case first: it runs every batch
        return CPU
    device = foreign_device(array)
    return CPU if device is None else get(device)


def name_of(array) -> str:
    """The device of ``array`` as users name it (``"cpu"`` for NumPy)."""
    return device_name(array)

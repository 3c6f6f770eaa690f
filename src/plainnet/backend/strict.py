"""The test backend: array-api-strict, the standard's reference namespace, on
one of its simulated devices.

It computes with NumPy underneath but refuses everything the standard does not
define (``out=``, NumPy scalars, boolean arithmetic, fancy indexing) and never
mixes devices, so an engine that trains on it names no array library and reads
nothing back to the host by accident. Where NumPy is deterministic, it gives
NumPy's bits. Needs ``pip install array-api-strict``; imported only when a
network asks for the device ``"array_api_strict"`` or
``"array_api_strict:device1"``.
"""

from .base import Backend


class ArrayApiStrictBackend(Backend):
    """The contract's generic implementations on array-api-strict's ``device``
    (``"CPU_DEVICE"``, ``"device1"`` or ``"device2"``)."""

    def __init__(self, device: str = "CPU_DEVICE") -> None:
        try:
            import array_api_strict as xp
        except ImportError:
            raise ImportError(
                "the device 'array_api_strict' needs array-api-strict: "
                "pip install array-api-strict"
            ) from None
        super().__init__(f"array_api_strict:{device}", xp, xp.Device(device))

    def errstate(self, **settings):
        """NumPy's error state: array-api-strict computes with NumPy."""
        import numpy

        return numpy.errstate(**settings)

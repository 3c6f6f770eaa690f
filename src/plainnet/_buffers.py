"""Reusable work arrays, so that the training loop allocates once per batch size."""

import numpy as np


class BufferCache:
    """Mixin giving an object named work arrays that are reused between calls.

    A buffer is keyed by its name and shape, so a full batch and the smaller last
    batch of an epoch each keep their own array instead of reallocating every epoch.
    """

    def _buffer(self, name: str, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        """The work array ``name`` of ``shape`` and ``dtype`` (contents undefined)."""
        key = (name, shape, dtype)
        try:
            return self._buffers[key]
        except (AttributeError, KeyError):
            if "_buffers" not in self.__dict__:
                self._buffers: dict = {}
            array = self._buffers[key] = np.empty(shape, dtype=dtype)
            return array

    def _constant(
        self, name: str, shape: tuple[int, ...], dtype: np.dtype, value: float
    ) -> np.ndarray:
        """The work array ``name`` filled with ``value`` when it is first made
        (callers only read it)."""
        try:
            return self._buffers[name, shape, dtype]
        except (AttributeError, KeyError):
            array = self._buffer(name, shape, dtype)
            array.fill(value)
            return array

    def _clear_buffers(self) -> None:
        """Drop every work array (they are rebuilt on the next call)."""
        self.__dict__.pop("_buffers", None)

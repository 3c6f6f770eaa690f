"""Reusable work arrays, so that the training loop allocates once per batch size."""

from . import backend
from .backend import Backend


class BufferCache:
    """Mixin giving an object named work arrays that are reused between calls.

    A buffer is keyed by its name, shape and dtype, so a full batch and the
    smaller last batch of an epoch each keep their own array instead of
    reallocating every epoch. Arrays come from ``ops``, the backend the object
    computes with (the CPU unless it is told otherwise).
    """

    ops: Backend = backend.CPU

    def _buffer(self, name: str, shape: tuple[int, ...], dtype):
        """The work array ``name`` of ``shape`` and ``dtype`` (contents undefined)."""
        key = (name, shape, dtype)
        try:
            return self._buffers[key]
        except (AttributeError, KeyError):
            if "_buffers" not in self.__dict__:
                self._buffers: dict = {}
            array = self._buffers[key] = self.ops.empty(shape, dtype)
            return array

    def _constant(self, name: str, shape: tuple[int, ...], dtype, value: float):
        """The work array ``name`` filled with ``value`` when it is first made
        (callers only read it)."""
        try:
            return self._buffers[name, shape, dtype]
        except (AttributeError, KeyError):
            array = self._buffer(name, shape, dtype)
            array[...] = value
            return array

    def _fresh(self, name: str, shape: tuple[int, ...], dtype):
        """A new array, kept nowhere (``_buffer``'s stand-in when predicting:
        prediction keeps no buffers, which could be large)."""
        return self.ops.empty(shape, dtype)

    def _use(self, ops: Backend) -> None:
        """Compute with ``ops`` from now on (work arrays of another backend are
        dropped)."""
        if ops is not self.ops:
            self.ops = ops
            self._clear_buffers()

    def _clear_buffers(self) -> None:
        """Drop every work array (they are rebuilt on the next call)."""
        self.__dict__.pop("_buffers", None)

    def __getstate__(self) -> dict:
        # work arrays are not worth pickling or copying
        return {k: v for k, v in self.__dict__.items() if k != "_buffers"}

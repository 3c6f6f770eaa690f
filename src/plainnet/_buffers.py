"""Reusable work arrays, so that the training loop allocates once per batch size."""

from . import backend
from .backend import Backend
from .backend.layout import inverse, reordered


class BufferCache:
    """Mixin giving an object named work arrays that are reused between calls.

    A buffer is keyed by its name, shape and dtype, so that a full batch and
    the smaller last batch of an epoch each find theirs without reallocating
    every epoch; the smaller one is the first rows of the larger (when only
    the first axis differs), so the two take the larger's memory only. Arrays
    come from ``ops``, the backend the object computes with (the CPU unless it
    is told otherwise).
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
            array = self._buffers[key] = self._rows_of_larger(key)
            return array

    def _buffer_like(self, name: str, like, fresh: bool = False):
        """The work array ``name`` of ``like``'s shape and dtype, its memory in
        ``like``'s order of axes (``backend.layout``); a new array kept
        nowhere if ``fresh`` (see :meth:`_fresh`)."""
        try:  # C order, the common case, first
            order = None if like.flags.c_contiguous else reordered(like)
        except AttributeError:  # an array library that shows no layout
            order = None
        if order is not None:
            return self._buffer_in_order(name, like.shape, like.dtype, order, fresh)
        if fresh:
            return self._fresh(name, like.shape, like.dtype)
        return self._buffer(name, like.shape, like.dtype)

    def _buffer_in_order(self, name: str, shape, dtype, order, fresh=False):
        """The work array ``name`` of ``shape`` and ``dtype`` whose axes lie in
        memory in ``order`` (from the farthest apart; not the axes' own order):
        a transposed view of a C-contiguous array."""
        make = self._fresh if fresh else self._buffer
        memory = make(name, tuple(shape[axis] for axis in order), dtype)
        return self.ops.transpose(memory, inverse(order))

    def _rows_of_larger(self, key):
        """A new array for ``key``, or the first rows of a larger buffer of the
        same name and dtype whose shape differs in its first axis only."""
        name, shape, dtype = key
        for (other, larger, kind), array in self._buffers.items():
            if (
                (other, kind) == (name, dtype)
                and len(larger) == len(shape) > 0
                and larger[1:] == shape[1:]
                and larger[0] >= shape[0]
            ):
                return array[: shape[0], ...]
        return self.ops.empty(shape, dtype)

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

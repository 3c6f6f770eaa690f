"""The signal guards of training and saving, as context managers.

``StopOnInterrupt`` turns the first Ctrl-C during ``fit`` into a request to
stop at the next batch; ``SigtermAsInterrupt`` makes SIGTERM (a scheduler's
time limit, ``kill``) do what Ctrl-C does and remembers that it came;
``HoldSignals`` lets a short piece of work (a save) finish through either
signal and says which came. Each restores the previous handlers on exit, and
each is a no-op off the main thread, where Python cannot set handlers.
"""

import signal
import threading
from types import FrameType

#: The exit statuses a shell gives a process ended by each signal (128 + number).
STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143}


class _Guard:
    """Installs ``_handle`` for ``SIGNALS`` while active (on the main thread
    only) and puts the previous handlers back on exit."""

    SIGNALS: tuple[int, ...] = ()

    def __init__(self) -> None:
        self._previous: dict[int, object] = {}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        raise NotImplementedError

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for number in self.SIGNALS:
                self._previous[number] = signal.signal(number, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        for number, handler in self._previous.items():
            if handler is not None:  # None: set outside Python, cannot be restored
                signal.signal(number, handler)
        self._previous = {}


class StopOnInterrupt(_Guard):
    """While active, the first Ctrl-C only sets ``requested`` (training stops
    at the next batch boundary); a second one raises ``KeyboardInterrupt``."""

    SIGNALS = (signal.SIGINT,)

    def __init__(self) -> None:
        super().__init__()
        self.requested = False

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True


class SigtermAsInterrupt(_Guard):
    """While active, SIGTERM calls the current SIGINT handler (during ``fit``:
    stop at the next batch; elsewhere ``KeyboardInterrupt``). ``received``
    says whether it came, ``status`` the exit status to end with."""

    SIGNALS = (signal.SIGTERM,)

    def __init__(self) -> None:
        super().__init__()
        self.received = False

    @property
    def status(self) -> int:
        """143 after SIGTERM, else 130 (Ctrl-C)."""
        return STATUS[signal.SIGTERM if self.received else signal.SIGINT]

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.received = True
        handler = signal.getsignal(signal.SIGINT)
        if not callable(handler):  # ignored or default: stop as Ctrl-C would
            raise KeyboardInterrupt
        handler(signal.SIGINT, frame)


class HoldSignals(_Guard):
    """While active, the first Ctrl-C or SIGTERM waits for the work (a save,
    which is short) to finish: ``received`` says which came (None if none),
    ``status`` the exit status it asks for. A second one raises
    ``KeyboardInterrupt`` at once (an atomic save then removes its temporary
    file and keeps the old one)."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        super().__init__()
        self.received: int | None = None

    @property
    def status(self) -> int:
        """130 after Ctrl-C, 143 after SIGTERM."""
        return STATUS.get(self.received, STATUS[signal.SIGINT])

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.received is not None:
            raise KeyboardInterrupt
        self.received = signum

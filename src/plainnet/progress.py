"""A progress bar over epochs, as a ``fit`` callback (tqdm, on a terminal only)."""

import sys
from typing import IO


class ProgressBar:
    """Show training progress: one tick per epoch, with the latest costs.

    Use it as a ``callbacks`` entry of ``Sequential.fit`` and close it after
    (or use it as a context manager). It draws only when ``stream`` is a
    terminal, unless ``enabled`` says otherwise, and never stops training.

    Parameters
    ----------
    total : int
        Number of epochs expected.
    desc : str, default "training"
    enabled : bool or None, default None
        ``None`` shows the bar only if ``stream`` is a terminal.
    stream : file, default sys.stderr
    """

    def __init__(
        self,
        total: int,
        desc: str = "training",
        enabled: bool | None = None,
        stream: IO[str] | None = None,
    ) -> None:
        stream = sys.stderr if stream is None else stream
        if enabled is None:
            enabled = bool(getattr(stream, "isatty", lambda: False)())
        self._bar = None
        if enabled:
            from tqdm.auto import tqdm

            self._bar = tqdm(
                total=total,
                desc=desc,
                unit="epoch",
                file=stream,
                dynamic_ncols=True,
                leave=True,
            )

    def __call__(self, epoch: int, logs: dict) -> None:
        if self._bar is None:
            return
        self._bar.set_postfix(
            {k: f"{v:.4g}" for k, v in logs.items() if k != "epoch"}, refresh=False
        )
        self._bar.update(1)

    def close(self) -> None:
        """Finish the bar (a no-op when it is not shown)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> "ProgressBar":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

"""A one-line progress indicator on standard error for long confirmation runs (a terminal only).

Nothing is printed during the first second, nor when standard error is not a terminal; the line is rewritten in
place (`confirming 5 findings with Keras 3.15.1… 3/5`) and erased when the work is done.
"""
from __future__ import annotations

import threading
import time
from typing import TextIO

DELAY = 1.0  # seconds of silence before the line appears


class ProgressLine:
    """Call `update(done, total, what)` as work completes; `close()` erases the line."""

    def __init__(self, stream: TextIO, delay: float = DELAY) -> None:
        self.stream = stream
        self.delay = delay
        self.started = time.monotonic()
        self.shown = False
        self.text = ""
        self.lock = threading.Lock()
        self.timer: threading.Timer | None = None

    @classmethod
    def for_terminal(cls, stream: TextIO) -> "ProgressLine | None":
        """A progress line on `stream` when it is a terminal, else None."""
        isatty = getattr(stream, "isatty", None)
        return cls(stream) if isatty is not None and isatty() else None

    def update(self, done: int, total: int, what: str) -> None:
        """Record progress; show it once the delay has passed (a timer shows it while nothing completes)."""
        with self.lock:
            self.text = f"confirming {total} finding{'s' if total != 1 else ''} with {what}… {done}/{total}"
            due = time.monotonic() - self.started >= self.delay
            if due:
                self._draw()
            elif self.timer is None:
                self.timer = threading.Timer(self.delay - (time.monotonic() - self.started), self._on_timer)
                self.timer.daemon = True
                self.timer.start()

    def _on_timer(self) -> None:
        with self.lock:
            if self.text:
                self._draw()

    def _draw(self) -> None:
        self.stream.write("\r\033[K" + self.text)
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        """Erase the line (if it was ever shown) and stop the timer."""
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
            if self.shown:
                self.stream.write("\r\033[K")
                self.stream.flush()
            self.text = ""

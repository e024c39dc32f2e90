"""Progress of a run for the command line: the flow reports its steps and files; nobody listens in a served run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class Listener(Protocol):
    """Receives a run's progress."""

    def step(self, label: str, total: int | None) -> None:
        """A new step begins (with `total` items when known)."""

    def advance(self, n: int) -> None:
        """`n` more items of the current step are done."""


_listener: Listener | None = None


def step(label: str, total: int | None = None) -> None:
    """Report that a step of the run begins."""
    if _listener is not None:
        _listener.step(label, total)


def advance(n: int = 1) -> None:
    """Report that `n` items of the current step are done."""
    if _listener is not None and n:
        _listener.advance(n)


@contextmanager
def listening(listener: Listener) -> Iterator[Listener]:
    """Send the progress of runs in this process to `listener` while the block runs."""
    global _listener
    previous, _listener = _listener, listener
    try:
        yield listener
    finally:
        _listener = previous


class RichListener:
    """Draws each step of a run as a rich progress bar (on stderr, so stdout keeps the summary)."""

    def __init__(self, console) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.progress = Progress(SpinnerColumn(finished_text="[green]✓"), TextColumn("{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TimeElapsedColumn(), console=console)
        self._current = None

    def __enter__(self) -> RichListener:
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self._finish_current()
        self.progress.stop()

    def _finish_current(self) -> None:
        if self._current is not None:
            task = self.progress.tasks[-1]
            self.progress.update(self._current, total=task.total or 1, completed=task.total or 1)
            self._current = None

    def step(self, label: str, total: int | None) -> None:
        """Close the previous step's bar and open one for this step."""
        self._finish_current()
        self._current = self.progress.add_task(label, total=total if total else None)

    def advance(self, n: int) -> None:
        """Move the current bar forward."""
        if self._current is not None:
            self.progress.advance(self._current, n)

"""Progress of long commands on stderr: one line per stage, with counts and seconds.

On a terminal, each stage shows as a line that ticks while it runs and stays with its time when
it is done (``✓ blocking: 48 210 candidate pairs  0.8 s``); a stage that counts (entries
written) shows a bar and ``done/total``. When stderr is not a terminal (a pipe, a log file,
CI) or ``--json`` is given, nothing is shown: the output stays clean for scripts.

The matching engine reports its stages through its ``rapprochement.matching`` debug log;
:func:`engine_stages` turns those records into stages (blocking, features, groups, scoring,
assignment) for as long as a reconcile runs, without the engine knowing about the display.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

__all__ = ["Stages", "engine_stages", "stages"]


class Stages:
    """The stages of one command (see :func:`stages`)."""

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._task: TaskID | None = None
        self._text = ""
        self._t0 = time.perf_counter()

    def stage(self, text: str, total: int | None = None) -> None:
        """Close the current stage (with its time) and start ``text``."""
        self.done()
        self._text, self._t0 = text, time.perf_counter()
        if self._progress is not None:
            self._task = self._progress.add_task(text, total=total)

    def count(self, done: int, total: int | None = None) -> None:
        """The current stage has done ``done`` of ``total`` items."""
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=done, total=total)

    @property
    def shown(self) -> bool:
        """Whether anything is displayed."""
        return self._progress is not None

    def finished(self, text: str, at: float) -> None:
        """A stage someone else timed (the engine's, ``at`` seconds into its part): shown done
        at once."""
        if self._progress is not None:
            task = self._progress.add_task(f"  ✓ {text}  (at {at:.1f} s)", total=1)
            self._progress.update(task, completed=1)

    def done(self) -> None:
        """Close the current stage, if any."""
        if self._progress is not None and self._task is not None:
            seconds = time.perf_counter() - self._t0
            task = self._progress.tasks[self._task]
            self._progress.update(
                self._task,
                description=f"✓ {self._text}  {seconds:.1f} s",
                completed=task.total or 1,
                total=task.total or 1,
            )
        self._task = None


@contextmanager
def stages(console: Console, *, quiet: bool = False) -> Iterator[Stages]:
    """Stages shown on ``console`` (stderr) unless ``quiet`` or it is not a terminal."""
    if quiet or not console.is_terminal:
        yield Stages(None)
        return
    columns = (
        TextColumn("{task.description}", markup=False),
        BarColumn(bar_width=20),
        MofNCompleteColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        shown = Stages(progress)
        try:
            yield shown
        finally:
            shown.done()


#: Engine debug messages → the stage a person reads (the currency is kept in front).
_ENGINE = [
    (re.compile(r"(\w+): indexes ([\d.]+)s"), "{0}: blocking (indexes)"),
    (re.compile(r"(\w+): (\d+) candidate pairs ([\d.]+)s"), "{0}: blocking, {1} candidate pairs"),
    (re.compile(r"(\w+): features ([\d.]+)s"), "{0}: features"),
    (re.compile(r"(\w+): (\d+) groups ([\d.]+)s"), "{0}: groups, {1} found"),
    (re.compile(r"(\w+): scoring ([\d.]+)s"), "{0}: scoring"),
    (re.compile(r"(\w+): assignment ([\d.]+)s"), "{0}: assignment"),
]


class _EngineHandler(logging.Handler):
    def __init__(self, shown: Stages) -> None:
        super().__init__(logging.DEBUG)
        self.shown = shown

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        for pattern, text in _ENGINE:
            m = pattern.fullmatch(message)
            if m is not None:
                self.shown.finished(text.format(*m.groups()), float(m.groups()[-1]))
                return


@contextmanager
def engine_stages(shown: Stages) -> Iterator[None]:
    """While inside, the engine's stages show on ``shown`` (nothing when it shows nothing)."""
    if not shown.shown:
        yield
        return
    log = logging.getLogger("rapprochement.matching")
    handler, level = _EngineHandler(shown), log.level
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        log.removeHandler(handler)
        log.setLevel(level)

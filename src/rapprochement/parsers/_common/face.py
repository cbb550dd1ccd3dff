"""The public face every format package shows: ``sniff``, ``iter_events`` and ``read``.

A package ``rapprochement.parsers.<format>`` keeps its reader in ``reader.py`` (the module
protocol of :mod:`rapprochement.parsers._common`: ``FORMAT``, ``sniff`` answering yes or no,
``iter_events``, ``parse``) and shows the same three names as every other format, built here::

    sniff, iter_events, read = face(reader)

so that a caller, the registry (:mod:`rapprochement.parsers.registry`) or a test can treat
every format alike, as :class:`~rapprochement.StatementFormat` does for installed ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import ModuleType
from typing import TYPE_CHECKING, Any, BinaryIO

from rapprochement.parsers._common import Event

if TYPE_CHECKING:
    from rapprochement.model import Statement

__all__ = ["face"]

Sniff = Callable[[bytes], float]
IterEvents = Callable[..., Iterator[Event]]
Read = Callable[..., "list[Statement]"]


def face(reader: ModuleType) -> tuple[Sniff, IterEvents, Read]:
    """``sniff``, ``iter_events`` and ``read`` of the format read by module ``reader``."""
    fmt: str = reader.FORMAT

    def sniff(head: bytes) -> float:
        """Confidence, 0 or 1, that ``head`` (a file's first bytes, BOM and leading blanks
        removed) is this format."""
        return 1.0 if reader.sniff(head) else 0.0

    def iter_events(
        stream: BinaryIO, *, filename: str | None = None, member: str | None = None
    ) -> Iterator[Event]:
        """The event stream of a file of this format (see :mod:`rapprochement.parsers._common`)."""
        events: Iterator[Event] = reader.iter_events(stream, filename=filename, member=member)
        return events

    def read(source: Any, *, strict: bool = False) -> list[Statement]:
        """Every statement of ``source`` (a path, bytes or a binary file) read as this format:
        :func:`~rapprochement.read_statement` with ``format`` set."""
        from rapprochement.parsers import read_statement

        return read_statement(source, format=fmt, strict=strict)

    for fn in (sniff, iter_events, read):
        fn.__module__ = f"rapprochement.parsers.{fmt}"
        fn.__qualname__ = fn.__name__
    return sniff, iter_events, read

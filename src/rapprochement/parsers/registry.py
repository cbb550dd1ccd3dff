"""The statement formats: the built-in ones and those other packages install.

A format is anything that follows :class:`StatementFormat`: a ``name``, a ``sniff`` that says
how sure it is that the first bytes of a file are its format, and an ``iter_events`` that reads
the file into the event stream every built-in parser yields (see
:mod:`rapprochement.parsers._common`). :func:`~rapprochement.read_statement`,
:func:`~rapprochement.iter_statement`, ``rapprochement parse`` and ``rapprochement import``
all dispatch through :func:`formats`, so a format installed by another distribution is read
everywhere a built-in one is.

A distribution adds a format with an entry point in the group ``rapprochement.formats``
whose object is the format (a module, a class with no-argument constructor, or an instance)::

    [project.entry-points."rapprochement.formats"]
    norma43 = "norma43_reader:FORMAT"

See docs/parsing.md, "Writing a format".
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType
from typing import BinaryIO, Protocol, runtime_checkable

from rapprochement.errors import FormatPluginError, UnknownFormatError
from rapprochement.parsers._common import Event, StatementBegin

__all__ = [
    "BUILTIN_FORMATS",
    "ENTRY_POINT_GROUP",
    "Event",
    "StatementBegin",
    "StatementFormat",
    "formats",
    "get_format",
]

#: The entry-point group other distributions register their formats in.
ENTRY_POINT_GROUP = "rapprochement.formats"
#: Built-in format → its module in this package, in sniffing order.
_BUILTIN_MODULES = {
    "camt": "camt",  # packages: rapprochement.parsers.<module>
    "ofx": "ofx",
    "mt940": "mt940",
    "cfonb": "cfonb",
    "csv": "csv",
}
#: Names of the built-in formats, in sniffing order.
BUILTIN_FORMATS: tuple[str, ...] = tuple(_BUILTIN_MODULES)
#: How sure a built-in's yes is: a header-line CSV is a weaker guess than a tag grammar, so an
#: installed format that is sure of itself wins over it.
_BUILTIN_CONFIDENCE = {"csv": 0.5}


@runtime_checkable
class StatementFormat(Protocol):
    """What a statement format provides (built in, or installed through an entry point).

    Attributes:
        name: the short name ``format=`` and ``--format`` accept (``"norma43"``).
    """

    name: str

    def sniff(self, head: bytes) -> float:
        """How sure the format is that a file starting with ``head`` is its own: 0 (not mine)
        to 1 (certainly mine); a bool is read as 0 or 1. ``head`` is the file's first 4096
        bytes, byte-order mark and leading blanks removed. Must not raise."""
        ...

    def iter_events(
        self, stream: BinaryIO, *, filename: str | None, member: str | None
    ) -> Iterator[Event]:
        """Read ``stream`` and yield, per statement, a
        :class:`~rapprochement.parsers._common.StatementBegin`, each
        :class:`~rapprochement.Entry` (``fingerprint`` left empty), then the
        :class:`~rapprochement.Statement` with ``entries=()``. Problems a reader can describe
        go in findings; a file it cannot read raises a
        :class:`~rapprochement.errors.StatementError` subclass."""
        ...


class _Builtin:
    """A built-in parser module seen as a :class:`StatementFormat` (imported on first use)."""

    __slots__ = ("_confidence", "_module", "name")

    def __init__(self, name: str, module: str) -> None:
        self.name = name
        self._module = module
        self._confidence = _BUILTIN_CONFIDENCE.get(name, 1.0)

    def _mod(self) -> ModuleType:
        return importlib.import_module(f"rapprochement.parsers.{self._module}")

    def sniff(self, head: bytes) -> float:
        """See :meth:`StatementFormat.sniff`."""
        return self._confidence if self._mod().sniff(head) else 0.0

    def iter_events(
        self, stream: BinaryIO, *, filename: str | None, member: str | None
    ) -> Iterator[Event]:
        """See :meth:`StatementFormat.iter_events`."""
        events: Iterator[Event] = self._mod().iter_events(stream, filename=filename, member=member)
        return events


_cache: dict[str, StatementFormat] | None = None


def _load(ep: EntryPoint) -> StatementFormat:
    where = f"entry point {ep.name!r} ({ep.value}) in group {ENTRY_POINT_GROUP}"
    try:
        obj = ep.load()
        if isinstance(obj, type):
            obj = obj()
    except Exception as exc:
        raise FormatPluginError(
            f"cannot load {where}: {type(exc).__name__}: {exc}",
            hint="reinstall or uninstall the distribution that declares it",
        ) from exc
    if not isinstance(obj, StatementFormat) or not isinstance(getattr(obj, "name", None), str):
        raise FormatPluginError(
            f"{where} is not a statement format (needs name, sniff and iter_events)",
            hint="see docs/parsing.md, 'Writing a format'",
        )
    return obj


def formats(*, refresh: bool = False) -> dict[str, StatementFormat]:
    """Every format, by name, in sniffing order: the built-in ones, then the installed ones
    (entry points of the group ``rapprochement.formats``, by entry-point name).

    The entry points are read once; ``refresh=True`` reads them again (after installing a
    distribution in a running interpreter).

    Raises:
        FormatPluginError: an installed format does not load, does not follow
            :class:`StatementFormat`, or takes a name already in use.
    """
    global _cache
    if _cache is not None and not refresh:
        return _cache
    found: dict[str, StatementFormat] = {n: _Builtin(n, m) for n, m in _BUILTIN_MODULES.items()}
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        fmt = _load(ep)
        if fmt.name in found or fmt.name == "zip":
            raise FormatPluginError(
                f"entry point {ep.name!r} ({ep.value}) declares format {fmt.name!r},"
                " which is already known",
                hint="give the format another name",
            )
        found[fmt.name] = fmt
    _cache = found
    return found


def get_format(name: str) -> StatementFormat:
    """The format called ``name`` (what ``format=`` names).

    Raises:
        UnknownFormatError: no built-in or installed format has that name.
    """
    known = formats()
    fmt = known.get(name)
    if fmt is None:
        raise UnknownFormatError(
            f"unknown format {name!r}", hint=f"use one of {', '.join(known)} or leave it out"
        )
    return fmt


def sniff(head: bytes) -> str | None:
    """The name of the format most sure of ``head`` (ties: the first in sniffing order), or
    None when none claims it. ``head`` is already stripped of BOM and leading blanks."""
    best, best_name = 0.0, None
    for name, fmt in formats().items():
        try:
            confidence = float(fmt.sniff(head))
        except Exception:  # an installed format's sniff must not break reading other files
            if isinstance(fmt, _Builtin):
                raise
            continue
        if confidence > best:
            best, best_name = confidence, name
            if best >= 1.0:
                break
    return best_name

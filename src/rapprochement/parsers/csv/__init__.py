"""Bank CSV exports (web banking downloads with a header line): the package of the reader.

The modules: ``reader`` (dialect, columns, rows to entries) and ``values`` (amount and date
formats, cells).

Public face, the same for every format: ``sniff(head) -> confidence``, ``iter_events(...)``
and ``read(...)`` (:mod:`rapprochement.parsers._common.face`), plus ``FORMAT`` and ``parse``
as before.
"""

from __future__ import annotations

from rapprochement.parsers._common.face import face
from rapprochement.parsers.csv import reader
from rapprochement.parsers.csv.reader import FORMAT, parse

__all__ = ["FORMAT", "iter_events", "parse", "read", "sniff"]

sniff, iter_events, read = face(reader)

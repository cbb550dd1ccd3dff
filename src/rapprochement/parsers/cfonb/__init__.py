"""CFONB 120 (the French banks' 120-character statement): the package of the reader.

The modules: ``reader`` (records 01/04/05/07 to statements) and ``fields`` (the field
grammar, amounts, French IBANs, complements).

Public face, the same for every format: ``sniff(head) -> confidence``, ``iter_events(...)``
and ``read(...)`` (:mod:`rapprochement.parsers._common.face`), plus ``FORMAT`` and ``parse``
as before.
"""

from __future__ import annotations

from rapprochement.parsers._common.face import face
from rapprochement.parsers.cfonb import reader
from rapprochement.parsers.cfonb.reader import FORMAT, parse

__all__ = ["FORMAT", "iter_events", "parse", "read", "sniff"]

sniff, iter_events, read = face(reader)

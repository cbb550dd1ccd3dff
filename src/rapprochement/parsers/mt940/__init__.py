"""MT940 / MT942 (SWIFT customer statement text, bank dialects): the package of the reader.

Public face, the same for every format: ``sniff(head) -> confidence``, ``iter_events(...)``
and ``read(...)`` (:mod:`rapprochement.parsers._common.face`), plus ``FORMAT`` and ``parse``
as before. The modules: ``reader`` (tags, entries, statements), ``fields`` (``:61:``,
amounts, dates), ``field86`` (the ``:86:`` dialects), ``parties`` (Dutch counterparties
stated outside ``:86:``), ``statement`` (the statement being built) and ``build`` (models
without revalidation).
"""

from __future__ import annotations

from rapprochement.parsers._common.face import face
from rapprochement.parsers.mt940 import reader
from rapprochement.parsers.mt940.reader import FORMAT, parse

__all__ = ["FORMAT", "iter_events", "parse", "read", "sniff"]

sniff, iter_events, read = face(reader)

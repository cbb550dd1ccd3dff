"""OFX 1.x (SGML) and 2.x (XML) statements: the package of the reader.

Public face, the same for every format: ``sniff(head) -> confidence``, ``iter_events(...)``
and ``read(...)`` (:mod:`rapprochement.parsers._common.face`), plus ``FORMAT`` and ``parse``
as before. The modules: ``reader`` (the streaming reader), ``text`` (decoding, the tokenizer,
amounts and dates), ``entry`` (``STMTTRN`` → ``Entry``) and ``statement`` (the statement
aggregate).
"""

from __future__ import annotations

from rapprochement.parsers._common.face import face
from rapprochement.parsers.ofx import reader
from rapprochement.parsers.ofx.reader import FORMAT, parse

__all__ = ["FORMAT", "iter_events", "parse", "read", "sniff"]

sniff, iter_events, read = face(reader)

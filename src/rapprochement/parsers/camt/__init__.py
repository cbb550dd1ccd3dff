"""CAMT (ISO 20022 camt.052 / camt.053 / camt.054): the package of the CAMT reader.

Public face, the same for every format: ``sniff(head) -> confidence``, ``iter_events(...)``
and ``read(...)`` (:mod:`rapprochement.parsers._common.face`), plus ``FORMAT`` and ``parse``
as before. The modules: ``reader`` (the streaming reader), ``header`` (account, balances,
summary), ``tree`` (the ``Ntry`` index and the schema of what is read), ``entry``
(``Ntry`` → ``Entry``), ``tx`` (``TxDtls`` → ``Transaction``) and ``values`` (paths,
amounts, dates, remittance re-join, model building).
"""

from __future__ import annotations

from rapprochement.parsers._common.face import face
from rapprochement.parsers.camt import reader
from rapprochement.parsers.camt.reader import FORMAT, parse

__all__ = ["FORMAT", "iter_events", "parse", "read", "sniff"]

sniff, iter_events, read = face(reader)

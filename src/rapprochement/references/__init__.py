"""Payment references: make, validate and find them (one small module per scheme).

Schemes: ISO 11649 ``RF`` (:mod:`.rf`), Belgian OGM/VCS (:mod:`.ogm`), Swiss QR reference
(:mod:`.qr`), Finnish reference (:mod:`.fi`), Norwegian KID (:mod:`.kid`); each module has
``compact``, ``make`` and ``is_valid``. :func:`find_references` extracts them, and
invoice-number-like tokens, from free remittance text; :func:`normalize_token` is the key used
to compare tokens (case, separators and leading zeros do not matter).
"""

from __future__ import annotations

from rapprochement.references import fi, kid, ogm, qr, rf
from rapprochement.references.extract import Reference, find_references, normalize_token

__all__ = [
    "Reference",
    "fi_make",
    "find_references",
    "is_valid_fi",
    "is_valid_kid",
    "is_valid_ogm",
    "is_valid_qr",
    "is_valid_rf",
    "kid_make",
    "normalize_token",
    "ogm_make",
    "qr_make",
    "rf_make",
]

rf_make = rf.make
ogm_make = ogm.make
qr_make = qr.make
fi_make = fi.make
kid_make = kid.make
is_valid_rf = rf.is_valid
is_valid_ogm = ogm.is_valid
is_valid_qr = qr.is_valid
is_valid_fi = fi.is_valid
is_valid_kid = kid.is_valid

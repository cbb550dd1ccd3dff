"""Recognizing returns, rejects and reversals on a bank line (pure; the ledger links them).

Strong signals make a line a return by themselves: the CAMT reversal indicator (``RvslInd``) or
MT940 ``RC``/``RD`` mark, a return reason code (``RtrInf/Rsn``, MT940 ``RTRN``, CFONB reject
code), or a bank transaction code for returned or rejected payments. A ``RETOUR`` / ``REJET`` /
``IMPAYE`` text alone is weak: it makes a return only when the line is linked to the payment it
returns (a customer may well write "retour" on a real payment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapprochement.reasons import RETURN_REASONS, reason_text
from rapprochement.rules.match import LineFacts, fold

__all__ = ["REASONS", "RETURN_CODES", "ReturnSignal", "reason_text", "return_signal"]

#: Bank transaction codes of returns and reversals, by scheme (``*`` = any part).
RETURN_CODES: dict[str, tuple[str, ...]] = {
    # ISO 20022 sub-families: UPDD unpaid direct debit, PRDD reversal of a direct debit, RRTN
    # reversal due to payment return, RPCR reversal due to a cancellation request
    "camt": ("*/*/UPDD", "*/*/PRDD", "*/*/RRTN", "*/*/RPCR"),
    # SWIFT transaction type RTI: returned item
    "mt940": ("NRTI", "SRTI", "FRTI"),
    # DFÜ GVC: 108/109 direct debit charged back, 159 credit transfer returned
    "gvc": ("108", "109", "159"),
}
_CODE_RX = {
    scheme: [re.compile(p.replace("*", "[^/]*"), re.IGNORECASE) for p in pats]
    for scheme, pats in RETURN_CODES.items()
}
_TEXT = re.compile(
    r"\b(RETOUR|REJET|REJETE|IMPAYE|RUCKLASTSCHRIFT|RUECKLASTSCHRIFT|RETOURE|RETURN(ED)?|"
    r"UNPAID|REVERSAL|CONTRE[- ]PASSATION)\b",
    re.IGNORECASE,
)
_REASON_CODE = re.compile(
    r"\b(AM0[45]|AC0[146]|AG0[12]|MD0[1267]|MS0[23]|SL01|RR0[1-4]|FOCR|DUPL)\b"
)

#: SEPA return and reject reason codes, in words (English; see :mod:`rapprochement.reasons`).
REASONS: dict[str, str] = {code: words[0] for code, words in RETURN_REASONS.items()}


@dataclass(frozen=True)
class ReturnSignal:
    """Why a line looks like a return: ``strong`` signals suffice on their own."""

    strong: bool
    signals: tuple[str, ...]
    reason_code: str

    def describe(self) -> str:
        """The signals, joined."""
        return ", ".join(self.signals)


def return_signal(line: LineFacts) -> ReturnSignal | None:
    """The return signals of a line, or None when it shows none."""
    strong: list[str] = []
    weak: list[str] = []
    code = line.return_reason.strip().upper()
    if line.reversal:
        strong.append("reversal indicator")
    if code:
        strong.append(f"return reason {reason_text(code)}")
    for scheme, value in line.codes.items():
        if any(rx.fullmatch(value) for rx in _CODE_RX.get(scheme, ())):
            strong.append(f"return code {scheme}:{value}")
    text = fold(line.text)
    m = _TEXT.search(text)
    if m:
        weak.append(f"text {m.group(0)!r}")
        if not code:
            rc = _REASON_CODE.search(text.upper())
            if rc:
                code = rc.group(0)
                weak.append(f"reason {reason_text(code)} in the text")
    if not strong and not weak:
        return None
    return ReturnSignal(bool(strong), tuple(strong + weak), code)

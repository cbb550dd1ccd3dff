"""Short, readable text for the statement models (their ``repr`` and ``str``).

The repr of a statement used to be the whole model (122 KB for a month of a busy account); it
is now one line naming what a person checks first. ``str(balance)`` reads
``5.66 EUR (closing, 2026-03-31)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rapprochement.model import Balance, Entry, Statement

__all__ = ["balance_kind", "balance_text", "entry_text", "statement_text"]

#: Bank balance codes (CAMT, MT940 tags, OFX) → the word a reader expects.
_KINDS = {
    "OPBD": "opening", "PRCD": "opening", "60F": "opening", "60M": "opening (intermediate)",
    "CLBD": "closing", "62F": "closing", "62M": "closing (intermediate)", "LEDGERBAL": "closing",
    "CLAV": "available", "64": "available", "AVAILBAL": "available", "ITBD": "interim",
    "ITAV": "interim available", "FWAV": "forward available", "65": "forward available",
}  # fmt: skip


def balance_kind(code: str | None) -> str:
    """``closing`` for ``CLBD`` / ``62F`` / ``LEDGERBAL``…; the code itself when unknown."""
    if not code:
        return "balance"
    return _KINDS.get(code.upper(), code)


def balance_text(balance: Balance, currency: str | None) -> str:
    """``5.66 EUR (closing, 2026-03-31)``; the currency is the statement's."""
    money = f"{balance.amount} {currency}" if currency else f"{balance.amount}"
    when = f", {balance.date.isoformat()}" if balance.date else ""
    return f"{money} ({balance_kind(balance.type)}{when})"


def _short(text: str | None, width: int = 40) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def entry_text(entry: Entry) -> str:
    """``2026-03-02 1200.00 EUR booked, ACME SA: Facture FA-001 (ref R1)``."""
    day = entry.booking_date or entry.value_date
    head = f"{day.isoformat() if day else '(no date)'} {entry.amount} {entry.currency}"
    tx = entry.transactions[0] if entry.transactions else None
    who = _short(tx.counterparty_name, 30) if tx else ""
    what = _short(tx.remittance_info if tx else entry.additional_info)
    parts = [f"{head} {entry.status}" + (" reversal" if entry.reversal else "")]
    if who or what:
        parts.append(": ".join(p for p in (who, what) if p))
    if len(entry.transactions) > 1:
        parts.append(f"{len(entry.transactions)} payments")
    text = ", ".join(parts)
    return f"{text} (ref {entry.bank_reference})" if entry.bank_reference else text


def statement_text(st: Statement) -> str:
    """``camt.053 FR76… EUR 2026-03-01..2026-03-31: 42 entries, opening 1000.00, closing
    5.66, 2 findings``."""
    period = f"{st.period_start or '?'}..{st.period_end or '?'}"
    head = " ".join(p for p in (st.source_format, st.account or "(no account)",
                                st.currency or "", period) if p)  # fmt: skip
    parts = [f"{len(st.entries)} entries"]
    for name, bal in (("opening", st.opening_balance), ("closing", st.closing_balance)):
        if bal is not None:
            parts.append(f"{name} {bal.amount}")
    if st.findings:
        parts.append(f"{len(st.findings)} finding(s)")
    return f"{head}: {', '.join(parts)}"

"""Zero-weight explanation rows about the payer of an allocation: customer records merged as
one entity (:mod:`.entities`), a customer number quoted in the text (:mod:`.customer_numbers`).
Each is a compact JSON object, or ``""`` when it does not apply."""

from __future__ import annotations

import json
from typing import Any

from rapprochement.matching.customer_numbers import number_keys, quoted_number_of, quoted_numbers

__all__ = ["entity_row", "number_row"]


def entity_row(invs: list[int], records: Any, names: Any) -> str:
    """The explanation row of a payment whose allocations (to the items ``invs``) span
    customer records merged as one entity (:mod:`.entities`), or ``""``."""
    seen = sorted({(str(records[i]), str(names[i])) for i in invs})
    if len({r for r, _ in seen}) < 2:
        return ""
    value = "one customer, several records: " + " = ".join(f"{n} ({r})" for r, n in seen)
    return json.dumps({"feature": "entity", "value": value, "weight": 0.0}, separators=(",", ":"))


def number_row(text: str, record: str, name: str, keys: dict[str, set[str]] | None = None) -> str:
    """The explanation row of a payer identified by the customer number its text quotes
    (:mod:`.customer_numbers`), or ``""``: its ``iban = known`` term then stands for that.
    ``keys``: a cache of :func:`.customer_numbers.number_keys` per record (one book's)."""
    if keys is None:
        num = quoted_number_of(text, record) if text else None
    elif not text:
        num = None
    else:  # quoted_number_of, with the record's keys read once per record
        mine = keys.get(record)
        if mine is None:
            mine = keys[record] = number_keys(record)
        num = next((n for n in quoted_numbers(text) if n in mine), None) if mine else None
    if num is None:
        return ""
    value = f"customer number {num} quoted in the text: {name} ({record})"
    return json.dumps({"feature": "payer", "value": value, "weight": 0.0}, separators=(",", ":"))

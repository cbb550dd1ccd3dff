"""Bank lines that are not customer payments, in the ledger: line details, versioned rule
sets, categories, and the lines reconcile leaves out.

Rules run at import and before each reconcile (:func:`apply_line_rules`), over the booked
lines that nothing has been allocated to: the same rules on the same lines give the same
categories (idempotent), and a new rule set version re-reads the lines it has not settled. A
new ledger uses the starter rules (:func:`~rapprochement.rules.starter_rules`) until a rule set
is saved; saving an empty set turns categorization off.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Select, delete, insert, select, union

from rapprochement.model import Statement
from rapprochement.money import from_minor
from rapprochement.rules.facts import entry_text, iter_lines, line_codes
from rapprochement.rules.match import Categorization, LineFacts, categorize
from rapprochement.rules.model import RuleSet
from rapprochement.rules.starter import starter_rules
from rapprochement.store import schema as t

__all__ = [
    "LineRulesSummary",
    "apply_line_rules",
    "create_line_tables",
    "current_rules",
    "excluded_lines",
    "forget_category",
    "open_line_facts",
    "own_ibans",
    "save_rules",
    "store_line_details",
]

_TABLES = (
    t.line_details,
    t.rule_sets,
    t.line_categories,
    t.line_returns,
    t.undone_allocations,
    t.pair_rejections,
)
_CHUNK = 500
#: Open lines the rules read at once (memory grows with this, not with the ledger).
PAGE = 5_000


def create_line_tables(conn: Connection) -> None:
    """Schema migration 5: the tables of this module, returns and undo."""
    for table in _TABLES:
        table.create(conn, checkfirst=True)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class LineRulesSummary:
    """What one application of the rules and return detection changed."""

    rule_set_version: int
    categorized: dict[str, int] = field(default_factory=dict)
    uncategorized: int = 0
    returns_new: int = 0
    returns_linked: int = 0
    invoices_reopened: list[str] = field(default_factory=list)


def store_line_details(conn: Connection, statements: Sequence[Statement]) -> int:
    """Keep what rules read beyond the ``transactions`` table (bank codes by scheme, the
    entry's text, reversal flag, return reason) for the lines of ``statements`` the ledger
    holds and has no details of; returns how many were added."""
    rows: dict[str, dict[str, Any]] = {}
    for st, entry, j, tx in iter_lines(statements):
        if not entry.fingerprint:
            continue
        rows.setdefault(
            f"{entry.fingerprint}-{j}",
            {
                "codes": json.dumps(line_codes(st.source_format, entry, tx), sort_keys=True),
                "entry_text": entry_text(entry, tx),
                "reversal": entry.reversal,
                "return_reason": (tx.return_reason or tx.extra.get("reject_code", ""))[:40],
            },
        )
    ids = sorted(rows)
    added = 0
    x, d = t.transactions.c, t.line_details.c
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        known = set(
            conn.execute(select(x.transaction_id).where(x.transaction_id.in_(chunk))).scalars()
        )
        done = set(
            conn.execute(select(d.transaction_id).where(d.transaction_id.in_(chunk))).scalars()
        )
        new = [{"transaction_id": k, **rows[k]} for k in chunk if k in known and k not in done]
        if new:
            conn.execute(insert(t.line_details), new)
            added += len(new)
    return added


def current_rules(conn: Connection) -> tuple[int, RuleSet]:
    """(version, rules) in force: the latest saved set, else the starter rules (version 0)."""
    r = t.rule_sets.c
    row = conn.execute(select(r.version, r.rules).order_by(r.version.desc()).limit(1)).first()
    if row is None:
        return 0, starter_rules()
    return int(row.version), RuleSet.model_validate_json(row.rules)


def save_rules(conn: Connection, rules: RuleSet, *, by: str, note: str = "") -> int:
    """Store ``rules`` as the next version; returns it."""
    version, _ = current_rules(conn)
    conn.execute(
        insert(t.rule_sets).values(
            version=version + 1,
            rules=rules.model_dump_json(exclude_defaults=True),
            note=note,
            created_by=by,
            created_at=_now(),
        )
    )
    return version + 1


def excluded_lines() -> Select[Any]:
    """Transaction ids reconcile never offers to invoices: categorized lines, returns, and the
    payments they return."""
    c, r = t.line_categories.c, t.line_returns.c
    return (
        union(
            select(c.transaction_id),
            select(r.transaction_id),
            select(r.original_id).where(r.original_id.is_not(None)),
        )
        .subquery()
        .select()
    )


def forget_category(conn: Connection, transaction_id: str) -> None:
    """Drop a line's category (a person allocated it: their decision overrides the rule)."""
    c = t.line_categories.c
    conn.execute(delete(t.line_categories).where(c.transaction_id == transaction_id))


def own_ibans(conn: Connection) -> set[str]:
    """The ledger's own accounts that are IBANs."""
    return {a for a in conn.execute(select(t.accounts.c.account)).scalars() if a[:2].isalpha()}


def open_line_facts(
    conn: Connection, *, open_only: bool = True, after: str | None = None, limit: int | None = None
) -> list[LineFacts]:
    """Facts of the booked lines nothing is allocated to and that are not returns (with
    ``open_only=False``: of every booked line), by transaction id; a page of ``limit`` lines
    after the id ``after`` when given."""
    x, d, r = t.transactions.c, t.line_details.c, t.line_returns.c
    q = (
        select(
            x.transaction_id, x.amount_minor, x.currency, x.counterparty_name,
            x.counterparty_iban, x.remittance_info, x.end_to_end_id,
            d.codes, d.entry_text, d.reversal, d.return_reason,
        )
        .select_from(t.transactions.outerjoin(t.line_details, d.transaction_id == x.transaction_id))
        .where(x.status == "booked")
    )  # fmt: skip
    if open_only:
        q = q.where(x.allocated_minor == 0).where(
            x.transaction_id.not_in(select(r.transaction_id)),
            x.transaction_id.not_in(select(r.original_id).where(r.original_id.is_not(None))),
        )
    if after is not None:
        q = q.where(x.transaction_id > after)
    q = q.order_by(x.transaction_id)
    if limit is not None:
        q = q.limit(limit)
    out = []
    for row in conn.execute(q):
        text = " ".join(p for p in (row.remittance_info, row.entry_text or "") if p)
        out.append(
            LineFacts(
                transaction_id=row.transaction_id,
                amount=from_minor(row.amount_minor, row.currency),
                currency=row.currency,
                counterparty_name=row.counterparty_name,
                counterparty_iban=row.counterparty_iban,
                text=text,
                codes=json.loads(row.codes) if row.codes else {},
                reversal=bool(row.reversal),
                return_reason=row.return_reason or "",
                end_to_end_id=row.end_to_end_id,
            )
        )
    return out


def write_categories(
    conn: Connection, facts: list[LineFacts], rules: RuleSet, version: int
) -> dict[str, int]:
    """Categorize ``facts`` and bring ``line_categories`` in line (lines no rule takes lose a
    stale category); returns the lines per category."""
    cats = categorize(facts, rules, own_ibans=own_ibans(conn))
    c = t.line_categories.c
    ids = [f.transaction_id for f in facts]
    stored: dict[str, tuple[str, str, int]] = {}
    for i in range(0, len(ids), _CHUNK):
        q = select(c.transaction_id, c.rule_id, c.reason, c.rule_set_version).where(
            c.transaction_id.in_(ids[i : i + _CHUNK])
        )
        stored.update({r[0]: (r[1], r[2], r[3]) for r in conn.execute(q)})
    stale = [k for k, v in stored.items() if k not in cats or _key(cats[k], version) != v]
    for i in range(0, len(stale), _CHUNK):
        conn.execute(delete(t.line_categories).where(c.transaction_id.in_(stale[i : i + _CHUNK])))
    now = _now()
    new = [
        _row(cat, version, now) for k, cat in sorted(cats.items()) if k not in stored or k in stale
    ]
    if new:
        conn.execute(insert(t.line_categories), new)
    counts: dict[str, int] = {}
    for cat in cats.values():
        counts[cat.category] = counts.get(cat.category, 0) + 1
    return dict(sorted(counts.items()))


def _key(cat: Categorization, version: int) -> tuple[str, str, int]:
    return (cat.rule_id, cat.reason, version)


def _row(cat: Categorization, version: int, now: dt.datetime) -> dict[str, Any]:
    return {
        "transaction_id": cat.transaction_id,
        "category": cat.category,
        "account_code": cat.account_code,
        "rule_id": cat.rule_id,
        "rule_set_version": version,
        "reason": cat.reason,
        "created_at": now,
    }


def _pages(conn: Connection, page: int) -> Iterator[list[LineFacts]]:
    """The open lines, ``page`` at a time, by transaction id."""
    after: str | None = None
    while facts := open_line_facts(conn, after=after, limit=page):
        yield facts
        after = facts[-1].transaction_id


def apply_line_rules(conn: Connection, *, by: str, page: int = PAGE) -> LineRulesSummary:
    """Detect and link returns, then categorize the remaining open lines (see module doc).

    The open lines are read ``page`` at a time (twice: returns first, then categories, so a
    return found late still keeps its original out of the categories): memory stays flat in
    the size of the ledger."""
    from rapprochement.store.returns import detect_returns

    version, rules = current_rules(conn)
    returns_new = linked = 0
    reopened: set[str] = set()
    for n, facts in enumerate(_pages(conn, page)):
        new, n_linked, opened = detect_returns(conn, facts, by=by, retry_unlinked=n == 0)
        returns_new += len(new)
        linked += n_linked
        reopened.update(opened)
    r = t.line_returns.c
    taken = set(conn.execute(select(r.transaction_id)).scalars())
    taken |= set(conn.execute(select(r.original_id).where(r.original_id.is_not(None))).scalars())
    c = t.line_categories.c
    conn.execute(delete(t.line_categories).where(c.transaction_id.in_(excluded_lines())))
    counts: dict[str, int] = {}
    uncategorized = 0
    for facts in _pages(conn, page):
        rest = [f for f in facts if f.transaction_id not in taken]
        page_counts = write_categories(conn, rest, rules, version)
        for k, v in page_counts.items():
            counts[k] = counts.get(k, 0) + v
        uncategorized += len(rest) - sum(page_counts.values())
    return LineRulesSummary(
        rule_set_version=version,
        categorized=dict(sorted(counts.items())),
        uncategorized=uncategorized,
        returns_new=returns_new,
        returns_linked=linked,
        invoices_reopened=sorted(reopened),
    )

"""The reliability probe of issue 18 as a standing test: hostile input through ``read_statement``.

Files of every format built from drawn values (huge and malformed amounts, rich markup such as
``[/bold]`` and ``[link=http://x]`` in names and remittance, NUL bytes, bad currencies, missing
dates), then damaged (tests/mutations.py); and ZIP archives of them, damaged the ways real and
forged archives are (truncated, bytes flipped, a compression method changed, a member name that
is not the UTF-8 it claims, directory entries listed twice, end records that lie, bombs within
small ``ZipLimits``). Whatever comes in:

* only :class:`~rapprochement.errors.StatementError` subclasses escape, and never the catch-all
  that wraps an exception a parser did not foresee (a bug to fix, not a typed error);
* every amount in the models is within ``MAX_ABS_MINOR`` minor units, every currency is ISO 4217
  (or ``XXX`` on an entry, with its finding), every booked entry with a value date has a
  booking date, and the models validate;
* every finding names its place (a line or an XPath).

The CI run is small (about 300 examples, a few seconds). A longer campaign by hand:
``RAPPROCHEMENT_FUZZ_EXAMPLES=20000 pytest tests/parsers/test_fuzz_read_statement.py``.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
from decimal import Decimal

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from rapprochement import (
    MalformedStatementError,
    Statement,
    StatementError,
    ZipLimits,
    read_statement,
)
from rapprochement.parsers import _common
from rapprochement.parsers._common.checks import largest_amount
from rapprochement.parsers._common.values import usable_currency
from tests.mutations import mutated_files
from tests.parsers import samples

#: Examples per test in a long campaign (0: the CI numbers below).
CAMPAIGN = int(os.environ.get("RAPPROCHEMENT_FUZZ_EXAMPLES", "0"))


def _settings(ci_examples: int) -> settings:
    return settings(
        max_examples=CAMPAIGN or ci_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


#: Small bounds, so that bombs and big members are met within a test's time.
LIMITS = ZipLimits(members=8, member_bytes=200_000, total_bytes=400_000, ratio=40,
                   ratio_floor=20_000)  # fmt: skip

MARKUP = ["[/bold]", "[link=http://x]pay[/link]", "[bold red]", "\x00", "\x00NUL\x00", "[/]"]
NAMES = st.one_of(
    st.sampled_from(["DUPONT SARL", *MARKUP]),
    st.text(alphabet=st.characters(codec="latin-1"), max_size=40),
    st.builds(lambda a, b: a + b, st.sampled_from(MARKUP), st.text(max_size=20)),
)
BIG = ["92233720368547758.08", "9223372036854775808", "99999999999999", "1" + "0" * 40,
       "9999999999999.99", "10000000000000.00", "0.001"]  # fmt: skip
JUNK = ["1e3", "NaN", "Infinity", "1_000", "-0", "+5", "1 000,00", "\u0661\u0662", ""]
AMOUNTS = st.one_of(
    st.sampled_from(BIG + JUNK),
    st.decimals(min_value=-(10**20), max_value=10**20, places=2, allow_nan=False).map(str),
    st.integers(-(2**70), 2**70).map(lambda n: f"{n / 100:.2f}" if abs(n) < 2**52 else str(n)),
)
CURRENCIES = st.sampled_from(["EUR", "EUR", "JPY", "KWD", "ABC", "XXX", "eur", "E\x00R"])


def _xml_text(text: str) -> str:
    """Text XML can carry (control characters are refused by any XML parser: the mutated
    files bring those)."""
    return (
        "".join(c for c in text if c >= " " or c in "\t\n")
        .replace("&", "&amp;")
        .replace("<", "&lt;")
    )


def _comma(text: str) -> str:
    return text.replace("-", "").replace(".", ",")


def _cfonb_amount(text: str) -> str:
    digits = "".join(c for c in text if c.isdigit())[-14:].rjust(14, "0")
    return digits[:-1] + "{ABCDEFGHI"[int(digits[-1])]


@st.composite
def statement_files(draw: st.DrawFn) -> bytes:
    """One file of a drawn format, its values drawn from the hostile lists above."""
    fmt = draw(st.sampled_from(samples.FORMATS))
    amount = draw(AMOUNTS)
    balance = draw(AMOUNTS)
    name = draw(NAMES)
    text = draw(NAMES)
    ccy = draw(CURRENCIES)
    if fmt == "mt940":
        return samples.mt940(
            amount=_comma(amount),
            entry_date=draw(st.sampled_from(["0102", "", "0231"])),
            currency=ccy,
            closing=_comma(balance),
            info=f"/NAME/{name}/REMI/{text}",
        )
    if fmt == "camt":
        dates = draw(st.sampled_from(["", "<ValDt><Dt>2026-01-02</Dt></ValDt>"]))
        return samples.camt(
            amount=amount,
            currency=ccy,
            closing=balance,
            name=_xml_text(name),
            remittance=_xml_text(text),
            detail_amount=draw(st.sampled_from([None, amount, "1e3"])),
            charges=draw(st.sampled_from([None, balance])),
            **({} if draw(st.booleans()) else {"dates": dates}),
        )
    if fmt == "ofx":
        return samples.ofx(
            amount=amount,
            currency=ccy,
            balance=balance,
            name=name.replace("<", " "),
            memo=text.replace("<", " "),
            dates=draw(st.sampled_from(["<DTPOSTED>20260102", "<DTUSER>20260102", ""])),
        )
    if fmt == "cfonb":
        return samples.cfonb(
            amount=_cfonb_amount(amount),
            currency=ccy,
            decimals=draw(st.sampled_from(["2", "0", "x"])),
            label=name,
            closing=_cfonb_amount(balance),
        )
    return samples.csv(
        amount=_comma(amount),
        currency=ccy,
        balance=_comma(balance),
        label=f"{name} {text}".replace(";", " ").replace("\n", " "),
        booking=draw(st.sampled_from(["02/01/2026", "", "31/02/2026"])),
    )


SEEDS = [samples.mt940(), samples.camt(), samples.ofx(), samples.cfonb(), samples.csv()]
INSERTS = [
    b"\x00",
    b"[/bold]",
    b"[link=http://x]",
    b":61:",
    b"<Ntry>",
    b"<STMTTRN>",
    b"\n",
    b"9" * 30,
]


def hostile_files() -> st.SearchStrategy[bytes]:
    """Drawn statement files, some of them damaged further."""
    return st.one_of(
        statement_files(),
        statement_files().flatmap(lambda b: mutated_files([b], INSERTS, min_ops=1, max_ops=3)),
        mutated_files(SEEDS, INSERTS, min_ops=1, max_ops=4),
    )


# -- ZIP archives -------------------------------------------------------------------------------

_CENTRAL = b"PK\x01\x02"
_EOCD = b"PK\x05\x06"
_METHODS = [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED, zipfile.ZIP_LZMA, zipfile.ZIP_BZIP2]


def _archive(members: list[tuple[str, bytes]], method: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as z:
        for name, data in members:
            z.writestr(name, data)
    return buf.getvalue()


def _damage(data: bytes, kind: str, at: int, value: int) -> bytes:
    out = bytearray(data)
    if kind == "truncate":
        return bytes(out[: at % max(len(out), 1)])
    if kind == "flip" and out:
        out[at % len(out)] ^= (value & 0xFF) or 1
        return bytes(out)
    central, eocd = data.find(_CENTRAL), data.rfind(_EOCD)
    has_central = central >= 0 and central + 47 <= len(out)
    has_eocd = eocd >= 0 and eocd + 22 <= len(out)
    if kind == "method" and has_central:
        struct.pack_into("<H", out, central + 10, value)
        struct.pack_into("<H", out, 8, value)
    elif kind == "version" and has_central:
        struct.pack_into("<H", out, central + 6, value)
    elif kind == "name" and has_central:
        out[central + 46] = 0xFF  # not UTF-8...
        struct.pack_into("<H", out, central + 8, 0x800)  # ...but flagged so
    elif kind == "duplicate" and has_central and has_eocd and eocd > central:
        entry = bytes(out[central:eocd]).split(_CENTRAL)[1]
        copies = 1 + value % 40
        directory = (_CENTRAL + entry) * copies
        tail = bytearray(out[eocd:])
        struct.pack_into("<HHI", tail, 8, copies, copies, len(directory))
        return bytes(out[:central]) + directory + bytes(tail)
    elif kind == "count" and has_eocd:
        struct.pack_into("<HH", out, eocd + 8, value, value)
    elif kind == "offset" and has_eocd:
        struct.pack_into("<I", out, eocd + 16, value * 997)
    return bytes(out)


@st.composite
def zip_archives(draw: st.DrawFn) -> bytes:
    """An archive of drawn statement files (and noise, and bombs), maybe damaged."""
    members = []
    for k in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["statement", "statement", "bomb", "noise"]))
        if kind == "statement":
            data = draw(hostile_files())
        elif kind == "bomb":  # a valid statement with a long, highly compressible tail
            data = draw(st.sampled_from(SEEDS)) + b"\r\n" * draw(st.integers(10_000, 400_000))
        else:
            data = draw(st.binary(max_size=200))
        name = draw(st.sampled_from([f"m{k}.sta", f"dir/m{k}.xml", f"__MACOSX/x{k}", f"é{k}.ofx"]))
        members.append((name, data))
    data = _archive(members, draw(st.sampled_from(_METHODS)))
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(
            st.sampled_from(
                ["truncate", "flip", "method", "version", "name", "duplicate", "count", "offset"]
            )
        )
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        value = draw(st.sampled_from([0, 1, 8, 9, 12, 14, 84, 99, 0xFFFF, 20_000]))
        data = _damage(data, kind, at, value)
    return data


# -- the invariants -----------------------------------------------------------------------------


def _check(data: bytes) -> None:
    error: StatementError | None = None
    try:
        statements = read_statement(data, zip_limits=LIMITS)
    except StatementError as exc:
        error, statements = exc, []
    if error is not None:
        event(f"error: {type(error).__name__}")
        # the catch-all around parsers: an exception a parser did not foresee is a bug
        unforeseen = isinstance(error, MalformedStatementError) and error.message.startswith(
            "unreadable "
        )
        assert not unforeseen, error
        return
    event(f"read: {'some' if any(s.entries for s in statements) else 'no'} entries")
    for stmt in statements:
        _check_statement(stmt)
    # The same file held compactly (as a statement of a million entries is) reads alike.
    threshold = _common.COMPACT_MIN_ENTRIES
    _common.COMPACT_MIN_ENTRIES = 1
    try:
        again = read_statement(data, zip_limits=LIMITS)
    finally:
        _common.COMPACT_MIN_ENTRIES = threshold
    assert again == statements
    assert [s.model_dump_json() for s in again] == [s.model_dump_json() for s in statements]


def _check_statement(stmt: Statement) -> None:
    assert Statement.model_validate(stmt.model_dump()) == stmt
    assert stmt.currency is None or usable_currency(stmt.currency), stmt.currency
    balances = [stmt.opening_balance, stmt.closing_balance, stmt.available_balance]
    for balance in [*balances, *stmt.other_balances]:
        if balance is not None:
            assert abs(balance.amount) <= largest_amount(stmt.currency)
    for entry in stmt.entries:
        assert entry.currency == "XXX" or usable_currency(entry.currency), entry.currency
        limit = largest_amount(entry.currency)
        assert abs(entry.amount) <= limit
        if entry.status == "booked" and entry.value_date is not None:
            assert entry.booking_date is not None
        for tx in entry.transactions:
            assert tx.currency == "XXX" or usable_currency(tx.currency), tx.currency
            for value in (tx.amount, tx.charges):
                assert value is None or abs(value) <= largest_amount(tx.currency)
            if tx.instructed_currency is not None:
                assert usable_currency(tx.instructed_currency)
    for finding in stmt.findings:
        assert finding.source is not None, finding
        assert finding.source.line is not None or finding.source.xpath is not None, finding


@_settings(200)
@given(hostile_files())
def test_hostile_statement_files_give_bounded_models_or_a_typed_error(data: bytes) -> None:
    _check(data)


@_settings(100)
@given(zip_archives())
def test_hostile_zip_archives_give_bounded_models_or_a_typed_error(data: bytes) -> None:
    _check(data)


def test_the_hostile_values_reach_the_models() -> None:
    """The strategies are not vacuous: markup, NUL and the largest amount come through."""
    [stmt] = read_statement(samples.ofx(name="[/bold]", memo="a\x00b [link=http://x]"))
    tx = stmt.entries[0].transactions[0]
    assert (tx.counterparty_name, tx.remittance_info) == ("[/bold]", "a\x00b [link=http://x]")
    [stmt] = read_statement(samples.camt(amount="9999999999999.99", opening="0", closing="0"))
    assert stmt.entries[0].amount == Decimal("9999999999999.99")

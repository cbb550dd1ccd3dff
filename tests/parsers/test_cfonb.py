"""CFONB 120: golden files, the field grammar, findings, sniffing and mutated files."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schwifty import IBAN

from rapprochement import RapprochementError, read_statement
from rapprochement.errors import MalformedStatementError, StrictModeError
from rapprochement.model import Statement
from rapprochement.parsers import sniff_format
from rapprochement.parsers.cfonb import reader as cfonb
from rapprochement.parsers.cfonb.fields import (
    AmountError,
    Complements,
    french_iban,
    label_party,
    parse_amount,
    parse_date,
)
from tests.golden import assert_golden
from tests.mutations import mutated_files

HERE = Path(__file__).resolve().parent.parent / "fixtures" / "cfonb"
FIXTURES = sorted(HERE.glob("*.txt"))


def test_fixtures_are_present() -> None:
    assert len(FIXTURES) >= 3


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.name for f in FIXTURES])
def test_cfonb_fixture_matches_its_golden_file(fixture: Path) -> None:
    assert_golden(fixture)


# -- field grammar ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "decimals", "expected"),
    [
        ("0000000012345E", 2, "1234.55"),
        ("0000000000920}", 2, "-92.00"),
        ("0000000000117O", 3, "-1.176"),
        ("0000000001234{", 2, "123.40"),
        ("0000000000000{", 2, "0.00"),
        ("0000000000000}", 2, "0.00"),  # a "negative zero" is zero
        ("0000000000012R", 0, "-129"),
        ("9999999999999I", 2, "999999999999.99"),
    ],
)
def test_amounts_carry_their_sign_in_the_last_character(
    text: str, decimals: int, expected: str
) -> None:
    got = parse_amount(text, decimals)
    assert got == Decimal(expected)
    assert str(got) == expected  # exact, with the record's decimals
    assert not got.is_signed() or got < 0


@pytest.mark.parametrize("text", ["0000000012345X", "00000A0012345E", "", "E", "0000000012345 "])
def test_a_bad_amount_is_an_amount_error(text: str) -> None:
    with pytest.raises(AmountError):
        parse_amount(text, 2)


@given(st.integers(-(10**14) + 1, 10**14 - 1), st.integers(0, 4))
def test_amounts_round_trip_through_the_signed_encoding(minor: int, decimals: int) -> None:
    digits = f"{abs(minor):014d}"
    sign_chars = "{ABCDEFGHI" if minor >= 0 else "}JKLMNOPQR"
    text = digits[:-1] + sign_chars[int(digits[-1])]
    assert parse_amount(text, decimals) == Decimal(minor).scaleb(-decimals)


def test_dates_are_ddmmyy_and_impossible_ones_are_none() -> None:
    assert str(parse_date("021126")) == "2026-11-02"
    assert str(parse_date("311299")) == "1999-12-31"
    assert parse_date("311126") is None  # 31 November
    assert parse_date("      ") is None
    assert parse_date("0211２6") is None  # not ASCII digits


def test_the_iban_is_computed_from_the_rib_without_its_key() -> None:
    # The French IBAN of the banks' own documentation examples.
    assert french_iban("30006", "00001", "12345678901") == "FR7630006000011234567890189"
    assert french_iban("3000X", "00001", "12345678901") is None
    assert french_iban("30006", "00001", "1234567890") is None  # 10 characters


@given(
    st.from_regex(r"[0-9]{5}", fullmatch=True),
    st.from_regex(r"[0-9]{5}", fullmatch=True),
    st.from_regex(r"[0-9A-Z]{11}", fullmatch=True),
)
def test_computed_ibans_pass_an_independent_rib_key_check(
    bank: str, desk: str, account: str
) -> None:
    iban = french_iban(bank, desk, account)
    assert iban is not None
    # schwifty checks the IBAN check digits and the national RIB key on its own.
    assert IBAN(iban, validate_bban=True).bban == f"{bank}{desk}{account}{iban[-2:]}"


def test_complements_map_to_the_counterparty_of_the_direction() -> None:
    c = Complements()
    c.add("NPY", "PAYER SA".ljust(70))
    c.add("NBE", "PAYEE SARL".ljust(70))
    c.add("RCN", "NOTPROVIDED".ljust(35) + "SALA".ljust(35))
    c.add("FEE", "EUR200000000000150".ljust(70))
    credit, debit = c.fields(credit=True), c.fields(credit=False)
    assert credit["counterparty_name"] == "PAYER SA"
    assert debit["counterparty_name"] == "PAYEE SARL"
    assert "end_to_end_id" not in credit  # NOTPROVIDED is no id
    assert credit["purpose"] == "SALA"
    assert credit["charges"] == Decimal("1.50")
    assert credit["extra"]["FEE"].startswith("EUR2")  # parsed in part: kept verbatim too


def test_an_rcn_with_a_blank_end_to_end_id_keeps_the_purpose_in_place() -> None:
    c = Complements()
    c.add("RCN", " " * 35 + "SUPP".ljust(35))
    fields = c.fields(credit=True)
    assert "end_to_end_id" not in fields
    assert fields["purpose"] == "SUPP"


# -- files ------------------------------------------------------------------------------------


def test_statements_reconcile_and_carry_the_computed_iban() -> None:
    first, second = read_statement(HERE / "two_accounts.txt")
    assert first.source_format == "cfonb120"
    assert first.account_iban == "FR7630004008230001024687561"
    assert first.reconciles() is True
    assert [str(e.amount) for e in first.entries] == ["1200.00", "-84.57", "-15.50", "450.00"]
    assert second.account_iban == "FR1730004008240002011AB1286"
    assert second.entries == ()
    assert second.opening_balance is not None
    assert second.opening_balance.amount == Decimal("-50.00")


def test_remittance_cut_at_70_characters_is_rejoined_without_inventing_a_space() -> None:
    entry = read_statement(HERE / "two_accounts.txt")[0].entries[0]
    tx = entry.transactions[0]
    assert tx.remittance_info.endswith("DU 15/10/2026 MERCI")
    assert tx.counterparty_iban == "FR7630006000011234567890189"
    assert tx.end_to_end_id == "E2E-DUPONT-20261102"
    assert entry.source.line == 2


def test_latin1_records_end_to_end_are_split_and_decoded() -> None:
    (stmt,) = read_statement(HERE / "latin1_continuous.txt")
    (entry,) = stmt.entries
    assert entry.transactions[0].counterparty_name == "GARAGE DE L'ÉTOILE SÀRL"
    assert stmt.reconciles() is True


def test_problems_become_findings_with_their_line() -> None:
    first, second = read_statement(HERE / "problems.txt")
    found = {(f.code, f.source.line if f.source else None) for f in first.findings}
    assert ("orphan-complement", 2) in found
    assert ("bad-date", 3) in found
    assert ("bad-entry", 4) in found
    assert any(code == "balance-mismatch" for code, _ in found)
    assert len(first.entries) == 1  # the entry with a bad amount is skipped, the rest is read
    assert [f.code for f in second.findings] == ["no-closing-balance"]
    assert second.closing_balance is None
    with pytest.raises(StrictModeError):
        read_statement(HERE / "problems.txt", strict=True)


def test_sniffing_tells_cfonb_from_the_other_formats() -> None:
    data = (HERE / "two_accounts.txt").read_bytes()
    assert sniff_format(data[:4096]) == "cfonb"
    assert cfonb.sniff(data)
    for other in (HERE.parent / "mt940").glob("*.sta"):
        assert not cfonb.sniff(other.read_bytes())
    for other in (HERE.parent / "ofx").glob("*.ofx"):
        assert not cfonb.sniff(other.read_bytes())


def test_a_file_without_any_statement_record_is_malformed() -> None:
    with pytest.raises(MalformedStatementError, match="no CFONB 120 statement"):
        cfonb.parse(b"99 nothing here\n", filename="x.txt")


# -- mutated files ----------------------------------------------------------------------------

SAMPLES = [f.read_bytes() for f in FIXTURES]


def mutated() -> st.SearchStrategy[bytes]:
    return mutated_files(SAMPLES, [b"\n", b"05", b"04", b"\x00", b"}", b"\xc3"], min_ops=1)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_files_give_statements_or_a_typed_error(data: bytes) -> None:
    try:
        # The module itself: read_statement would wrap a stray exception into a typed error.
        statements = cfonb.parse(data, filename="mutated.txt")
    except RapprochementError:
        return
    for s in statements:
        assert Statement.model_validate(s.model_dump()) == s
        for e in s.entries:
            assert e.transactions[0].amount == e.amount


def test_non_ascii_digits_are_not_digits() -> None:
    # Found by fuzzing: str.isdigit() accepts "²", which int() refuses.
    assert french_iban("3²004", "00823", "00010246875") is None
    assert parse_date("0²1126") is None
    with pytest.raises(AmountError):
        parse_amount("000000001²345E", 2)
    record = (HERE / "two_accounts.txt").read_bytes().decode("latin-1").splitlines()
    record[0] = record[0][:19] + "²" + record[0][20:]
    (stmt, _) = cfonb.parse("\n".join(record).encode("utf-8"))
    assert "no-decimals" in {f.code for f in stmt.findings}


@pytest.mark.parametrize(
    ("label", "credit", "expected"),
    [
        ("VIR SEPA RECU /DE DUPONT SARL /MOTIF FA-12 /REF X", True, "DUPONT SARL"),
        ("Vir Sepa Recu /De Garage de l'Étoile /Motif x", True, "Garage de l'Étoile"),
        ("VIR SEPA EMIS /A FOURNISSEUR X /MOTIF Y", False, "FOURNISSEUR X"),
        ("VIR SEPA RECU /DE DUPONT", False, None),  # the payer is not the payee of a debit
        ("VIREMENT RECU DE GARAGE MARTIN", True, "GARAGE MARTIN"),
        ("PRLV SEPA EDF SA", False, "EDF SA"),
        ("PRLV SEPA EDF SA", True, None),
        ("FRAIS TENUE DE COMPTE", False, None),
        ("CARTE 12/11 DE LA POSTE", True, None),
        # no "/KEY" after the name: it ends at a reference or a remittance word
        ("VIREMENT RECU DE SARL DUPONT FACTURE FA-12", True, "SARL DUPONT"),
        ("PRLV SEPA EDF SA RF18539007547034", False, "EDF SA"),
        ("VIR SEPA RECU /DE MARTIN SAS 2026-0420", True, "MARTIN SAS"),
    ],
)
def test_the_label_names_the_counterparty_when_no_complement_does(
    label: str, credit: bool, expected: str | None
) -> None:
    assert label_party(label, credit) == expected


def test_a_name_complement_wins_over_the_label() -> None:
    entry = read_statement(HERE / "two_accounts.txt")[0].entries[0]
    assert entry.additional_info == "VIR SEPA RECU /DE SARL DUPONT"
    assert entry.transactions[0].counterparty_name == "SARL DUPONT ET FILS"  # NPY
    label_only = read_statement(HERE / "label_only.txt")[0].entries
    assert [e.transactions[0].counterparty_name for e in label_only] == [
        "BOULANGERIE MARTIN",  # the label continued by LIB across the 31-character cut
        "ORANGE SA",
    ]

"""Free payment references and the payer named in a bank text."""

from __future__ import annotations

import pytest

from rapprochement.matching.keys import free_key, free_text_keys, payer_in_text, text_tokens


@pytest.mark.parametrize(
    ("reference", "key"),
    [
        ("pay_7Hq2Lx9", "F:PAY7HQ2LX9"),
        ("dossier-lemoine-B", "F:DOSSIERLEMOINEB"),
        ("FA-2026-0001", "F:FA20260001"),
        ("SERVICES", None),  # a word, not an identifier
        ("123456789", None),  # a number alone: the number keys find it
        ("ab-1", None),  # too short
    ],
)
def test_free_key_is_for_identifiers_only(reference: str, key: str | None) -> None:
    assert free_key(reference) == key


def test_free_text_keys_join_up_to_four_words() -> None:
    keys = set(free_text_keys(["VIR REF DOSSIER LEMOINE B", "PAIEMENT PAY_7HQ2LX9"])["key"])
    assert {"F:DOSSIERLEMOINEB", "F:REFDOSSIERLEMOINEB", "F:PAY7HQ2LX9", "F:PAIEMENT"} <= keys
    assert "F:VIRREFDOSSIERLEMOINEB" not in keys  # five words


@pytest.mark.parametrize(
    ("text", "payer"),
    [
        ("VIR SEPA RECU /DE ACME INDUSTRIES /MOTIF ACOMPTE", "ACME INDUSTRIES"),
        ("VIREMENT RECU DE SARL DUPONT ET FILS", "SARL DUPONT ET FILS"),
        ("/NAME/MULLER GMBH/REMI/RECHNUNG 123", "MULLER GMBH"),
        ("ZAHLUNG VON Müller GmbH REF 123", "MULLER GMBH"),
        ("TRANSFER FROM ACME CORP INVOICE 778", "ACME CORP"),
        ("PAIEMENT FACTURE 123", ""),
        ("FACTURE DEUTSCHE BANK", ""),  # DE inside a word is no label
    ],
)
def test_payer_in_text_reads_the_labelled_name(text: str, payer: str) -> None:
    assert payer_in_text(text) == payer


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("REGLEMENT DU 12/03 MONTANT 1203.00 EUR", []),  # a day and month, a sum of money
        ("PAID 1,203.00", []),
        ("MONTANT 1 203,00 EUR", []),
        ("FACT 2026/00417 1250.00", ["FACT 2026/00417", "2026/00417", "00417"]),
        ("EUR 1.234,56 FA 7788", ["FA 7788", "7788"]),
        ("FA 4471 12.50 FA 4472", ["FA 4471", "4471", "FA 4472", "4472"]),
        ("RE 4711 VOM 12.03.", ["RE 4711", "4711"]),
    ],
)
def test_sums_of_money_and_days_of_a_month_name_no_invoice(text: str, tokens: list[str]) -> None:
    assert text_tokens(text)[1] == tokens


def test_an_invoice_number_glued_to_a_year_still_counts() -> None:
    assert "2026.01" in text_tokens("FA-2026.01 x")[1]  # glued to a prefix: not a sum

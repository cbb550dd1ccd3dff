"""Payer names written in abbreviations (:mod:`rapprochement.matching.abbrev`)."""

from __future__ import annotations

import numpy as np
import pytest

from rapprochement.matching.abbrev import ABBREVIATED_MAX, abbreviated, expand_abbreviations
from rapprochement.matching.candidates import CustomerIndex
from rapprochement.matching.keys import normalize_name


@pytest.mark.parametrize(
    ("payer", "customer", "expanded"),
    [
        ("INTL INDL SUP", "INTERNATIONAL INDUSTRIAL SUPPLY", "INTERNATIONAL INDUSTRIAL SUPPLY"),
        ("AMER BLDG MATLS", "AMERICAN BUILDING MATERIALS", "AMERICAN BUILDING MATERIALS"),
        ("NATL MEDICAL GRO", "NATIONAL MEDICAL GROUP", "NATIONAL MEDICAL GROUP"),
        # another first letter, letters out of order, initials: not abbreviations
        ("BLDG SUPPLY", "GREEN BUILDING SUPPLY", "BUILDING SUPPLY"),
        ("MTLAS", "ATLAS MATERIALS", "MTLAS"),
        ("AB", "ACME BOLTS", "AB"),
        ("ACME SUPPLY", "ACME SUPPLY", "ACME SUPPLY"),
    ],
)
def test_words_that_abbreviate_a_word_of_the_customer_are_read_as_it(
    payer: str, customer: str, expanded: str
) -> None:
    assert expand_abbreviations(payer, customer) == expanded


def test_each_customer_word_is_used_once() -> None:
    assert expand_abbreviations("SYS SYS", "SOUTHERN SYSTEMS") == "SYSTEMS SYS"
    assert expand_abbreviations("STH SYS", "SOUTHERN SYSTEMS") == "SOUTHERN SYSTEMS"


def test_an_abbreviated_name_is_high_never_exact() -> None:
    got = abbreviated(["AMER BLDG MATLS"], ["AMERICAN BUILDING MATERIALS"], np.array([71.4]))
    assert got[0] == ABBREVIATED_MAX
    same = abbreviated(["ACME"], ["ACME"], np.array([100.0]))
    assert same[0] == 100.0


def test_the_customer_index_reads_abbreviated_payer_names() -> None:
    import pandas as pd

    inv = pd.DataFrame(
        {
            "customer_id": ["C1", "C2"],
            "customer_iban": ["", ""],
            "customer_name": ["American Building Materials LLC", "Amber Blinds Ltd"],
        }
    )
    idx = CustomerIndex(inv, None)
    norm = normalize_name("AMER BLDG MATLS")
    assert idx.similarity(norm, "C1") >= 85
    assert idx.similarity(norm, "C2") < 85

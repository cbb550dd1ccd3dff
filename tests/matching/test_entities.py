"""Which customer records are merged as one entity for matching."""

from __future__ import annotations

import pandas as pd
import pytest

from rapprochement.matching.entities import entities
from rapprochement.matching.legal_forms import form_position


def _inv(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_id", "customer_name", "customer_iban"])


@pytest.mark.parametrize(
    ("a", "b", "merged"),
    [
        ("Menuiserie Lefèvre SARL", "Menuiserie Lefebre SARL", True),  # one letter
        ("Cabinet Moreau & Associés SAS", "CABINET MOREAU ASSOCIES SAS", True),  # print forms
        ("Dupont Industrie SA", "Dupont Industrie SARL", False),  # two legal forms
        ("Jeanne Martinez", "Jeanne Martines", False),  # people, not companies
        ("Garage Lemoine SA", "Garage Lemaire SA", False),  # two edits
        ("ABC SA", "ABD SA", False),  # too short to tell
        ("SARL Dupont Bâtiment", "Dupont Bâtiment SARL", False),  # the form moved: namesakes
    ],
)
def test_records_merge_only_when_almost_surely_one(a: str, b: str, merged: bool) -> None:
    got = entities(_inv(("C1", a, ""), ("C2", b, "")))
    assert (got == {"C1": "C1", "C2": "C1"}) is merged


def test_different_ibans_are_two_payers() -> None:
    got = entities(
        _inv(
            ("C1", "Menuiserie Lefèvre SARL", "FR7630006000011234567890189"),
            ("C2", "Menuiserie Lefebre SARL", "DE89370400440532013000"),
        )
    )
    assert got == {}


def test_form_position_reads_where_the_form_is_stated() -> None:
    assert form_position("SARL Dupont Bâtiment") == "front"
    assert form_position("DUPONT BATIMENT SARL 12 RUE DU PORT") == "back"
    assert form_position("Dupont Bâtiment") == ""

"""Customer numbers quoted by the payer and legal forms that tell namesakes apart."""

from __future__ import annotations

import unicodedata

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rapprochement.matching import customer_numbers
from rapprochement.matching.customer_numbers import CustomerNumbers, quoted_numbers
from rapprochement.matching.legal_forms import cap_namesakes, conflicting, legal_form


def test_quoted_numbers_read_customer_labels_not_order_labels() -> None:
    assert quoted_numbers("VIR SEPA CLIENT 000937") == ["000937"]
    assert quoted_numbers("RE 2026-1 Kd-Nr. 12345") == ["12345"]
    assert quoted_numbers("Client No. 000247") == ["000247"]
    assert quoted_numbers("PO 4500012345 FACTURE 123") == []


def test_a_number_names_one_customer_or_none() -> None:
    cn = CustomerNumbers([("C000036", "C000036"), ("C000937", "C000900"), ("D000036", "D000036")])
    assert cn.named("CLIENT C000937") == "C000900"  # a merged record names its entity
    assert cn.named("CLIENT 000937") == "C000900"
    assert cn.named("CLIENT 000036") is None  # the digits of two customers
    assert cn.named("CLIENT 36") is None
    assert cn.named("VIREMENT") is None


def test_legal_forms_conflict_only_when_both_state_one() -> None:
    assert legal_form("Wolf GmbH & Co. KG") == "CO GMBH KG"
    assert conflicting(legal_form("EURL NOEL ET ASSOCIES"), [legal_form("Noël et Associés SNC")])
    assert not conflicting(legal_form("NOEL ET ASSOCIES"), [legal_form("Noël et Associés SNC")])
    assert not conflicting(legal_form("DUPONT SAS"), [legal_form("Dupont SASU")])  # cut short
    assert not conflicting(legal_form("DUPONT SA"), [legal_form("Dupont SARL"), "SA"])


def test_cap_namesakes_caps_conflicting_pairs_only() -> None:
    sims = np.array([100.0, 100.0, 90.0])
    names = np.array(["EURL NOEL ASSOCIES", "NOEL ASSOCIES"], dtype=object)
    t = np.array([0, 1, 0])
    cids = np.array(["SNC", "SNC", "EURL"], dtype=object)
    cap_namesakes(sims, names, t, cids, {"SNC": {"SNC"}, "EURL": {"EURL"}})
    assert sims.tolist() == [84.0, 100.0, 90.0]


@settings(max_examples=300)
@given(st.text(max_size=30) | st.text(alphabet="abcXYZ09 -/éÉßﬁ", max_size=30))
def test_ascii_fast_path_is_the_decomposition(text: str) -> None:
    # an ASCII text skips the NFKD decomposition: the same as decomposing it
    flat = unicodedata.normalize("NFKD", text)
    assert customer_numbers._ascii(text) == "".join(c for c in flat if c.isascii()).upper()

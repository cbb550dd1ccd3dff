"""Name agreements resting only on common words (matching/name_words.py)."""

from __future__ import annotations

import numpy as np

from rapprochement.matching.keys import normalize_name
from rapprochement.matching.name_words import (
    COMMON_MAX,
    cap_common_words,
    rests_on_common_words,
)

COMMON = {"ROSSI": 5, "WAGNER": 4, "MEIER": 3, "FITZGERALD": 1}


def _rests(payer: str, name: str) -> bool:
    return rests_on_common_words(normalize_name(payer), normalize_name(name), COMMON)


def test_one_common_word_and_nothing_else_in_common() -> None:
    assert _rests("ROSSI AND FITZGERALD", "Pacific Coast Rossi Products Inc.")
    assert _rests("MEIER ET MULLER GMBH", "Meier & Meier GmbH")  # words counted with repeats


def test_a_rare_shared_word_or_agreeing_other_words_are_real_agreement() -> None:
    assert not _rests("ROSSI AND FITZGERALD", "Rossi & Fitzgerald Ltd")
    assert not _rests("WAGNER H.", "Wagner Handel e.K.")  # an initial
    assert not _rests("WAGNER HNDL", "Wagner Handel e.K.")  # an abbreviation
    assert not _rests("WAGNER HANDLE", "Wagner Handel e.K.")  # a typo
    assert not _rests("ROSSI 12 RUE DU PORT", "Rossi SARL")  # the payer only adds words
    assert not _rests("DUPONT AND FITZGERALD", "Pacific Coast Dupont")  # DUPONT is rare


def test_cap_common_words_caps_high_pairs_only() -> None:
    sims = np.array([90.0, 90.0, 60.0])
    norms = np.array(["ROSSI FITZGERALD"] * 3, dtype=object)
    cids = np.array(["C1", "C2", "C1"], dtype=object)
    names = {"C1": {"PACIFIC COAST ROSSI PRODUCTS"}, "C2": {"ROSSI FITZGERALD"}}
    counts = {"ROSSI": 3, "FITZGERALD": 1}  # customers holding each word
    cap_common_words(sims, norms, cids, names, counts)
    assert sims.tolist() == [COMMON_MAX, 90.0, 60.0]

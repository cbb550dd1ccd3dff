"""Blocking at scale: compact key index, distinct-text work and chunked joins give the same
candidates as the straightforward definitions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from benchmarks.generator import generate

from rapprochement.matching import candidates, engine, refindex
from rapprochement.matching.config import MatchConfig
from rapprochement.matching.keys import expand, invoice_key_frame, text_key_frame, text_keys


def _invoices() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "invoice_id": ["FA-2026-000123", "INV0042", "FA-2026-000124", "X-1"],
            "reference": ["RF18539007547034", "", "+++090/9337/55493+++", "ÉCOLE 2026/77"],
        }
    )


def test_expand_lists_the_selected_csr_rows_in_order_with_repeats() -> None:
    starts, counts = np.array([0, 2, 5]), np.array([2, 3, 0])
    assert expand(starts, counts, np.array([1, 0, 2, 1])).tolist() == [2, 3, 4, 0, 1, 2, 3, 4]
    assert expand(starts, counts, np.zeros(0, dtype=np.int64)).tolist() == []


def test_key_index_finds_exactly_the_keys_invoices_hold() -> None:
    inv = _invoices()
    index = refindex.KeyIndex(inv)
    frame = invoice_key_frame(inv["invoice_id"], inv["reference"])
    codes = index.codes(frame["key"].to_numpy(dtype=object))
    assert (codes >= 0).all()
    # the invoices and levels of each key, in frame order
    order = np.argsort(codes, kind="stable")
    assert index.inv.tolist() == frame["inv"].to_numpy()[order].tolist()
    assert index.lvl.tolist() == frame["lvl"].to_numpy()[order].tolist()
    # a prefix, an extension or another prefix of a key held is not found
    held = str(frame["key"].iat[0])
    assert index.codes([held[:-1], held + "0", "Q" + held[1:], ""]).tolist() == [-1] * 4


def test_key_index_subset_groups_invoices_by_key() -> None:
    inv = _invoices()
    index = refindex.KeyIndex(inv)
    frame = invoice_key_frame(inv["invoice_id"], inv["reference"])
    wanted = {"C:FA2026000123", "L:123", "C:NOPE"}
    got = index.subset(wanted)
    sub = frame[frame["key"].isin(wanted)]
    expected: dict[str, list[tuple[int, int]]] = {}
    for k, i, lvl in zip(sub["key"], sub["inv"], sub["lvl"], strict=True):
        expected.setdefault(k, []).append((int(i), int(lvl)))
    assert dict(got) == expected


def test_repeated_texts_get_the_keys_of_their_first_copy() -> None:
    texts = ["FA-2026-000123 merci", "", "RF18539007547034", "FA-2026-000123 merci", "INV 42"]
    frame = text_key_frame(texts)
    per_row = {
        r: set(zip(g["key"], g["lvl"], strict=True)) for r, g in frame.groupby("row", sort=True)
    }
    assert per_row[0] == per_row[3]
    assert 1 not in per_row
    assert {k for k, _ in per_row[2]} >= set(text_keys(texts[2]))


@pytest.mark.parametrize("chunk", [1, 7, 1000])
def test_candidate_pairs_do_not_depend_on_the_chunk_sizes(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    ds = generate(7, 300, "hard")
    tx, inv, _ = engine.prepare(ds.transactions, ds.invoices)
    part = engine.partitions(tx, inv, None)[0]
    config = MatchConfig()

    def pairs() -> pd.DataFrame:
        idx = candidates.CustomerIndex(part.inv, ds.customers)
        out, _ = candidates.candidate_pairs(
            part.tx, part.inv, idx, candidates.key_index(part.inv), config
        )
        return out

    whole = pairs()
    monkeypatch.setattr(refindex, "_CHUNK", chunk)
    monkeypatch.setattr(candidates, "_PAIR_CHUNK", chunk)
    pd.testing.assert_frame_equal(pairs(), whole)
    assert len(whole)
    assert whole[["tx", "inv"]].duplicated().sum() == 0


def test_an_iban_paying_for_many_customers_links_none_of_them() -> None:
    factor = "FR7630001007941234567890185"
    n = 12
    inv = pd.DataFrame(
        {
            "invoice_id": [f"FA-{k:03d}" for k in range(n)],
            "customer_id": [f"C{k:02d}" for k in range(n)],
            "customer_name": [f"Client numero {k}" for k in range(n)],
            "customer_iban": [""] * n,
        }
    )
    learned = pd.DataFrame(
        {"customer_id": [f"C{k:02d}" for k in range(n)], "iban": [factor] * n, "name": [""] * n}
    )
    idx = candidates.CustomerIndex(inv, learned)
    tx = pd.DataFrame({"iban": [factor], "name": ["BNP PARIBAS FACTOR"]})
    cut = candidates.customer_links(tx, idx, MatchConfig(max_iban_customers=10))
    assert not cut["iban_link"].any()
    wide = candidates.customer_links(tx, idx, MatchConfig(max_iban_customers=n))
    assert int(wide["iban_link"].sum()) == n

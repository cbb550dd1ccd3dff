"""The invoice side of a partition is built once and shared by every payment shard (issue 16):
a shard's blocking and group search read the shared indexes (:class:`.BlockIndex`,
:class:`.GroupIndex`), never the whole open-item frame again, so a shard costs what its
payments cost; and the shared indexes hold what the per-call code built."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd
import pytest
from benchmarks.generator import generate

from rapprochement.matching import engine
from rapprochement.matching.advice_groups import _line_keys
from rapprochement.matching.candidates import CustomerIndex, key_index
from rapprochement.matching.config import MatchConfig
from rapprochement.matching.executor import InProcess
from rapprochement.matching.features import single_features
from rapprochement.matching.group_context import GroupIndex
from rapprochement.matching.keys import free_text_keys, text_keys
from rapprochement.matching.partition import as_entities
from rapprochement.matching.shards import InvoiceSide, sharded_blocking, sharded_groups


class _Sealed(pd.DataFrame):
    """An open-item frame whose columns may not be read (its length may)."""

    @property
    def _constructor(self) -> Any:
        return pd.DataFrame

    def __getitem__(self, key: Any) -> Any:
        raise AssertionError(f"a shard read the open items' column {key!r}")


def _partition(seed: int, n: int) -> tuple[engine.Partition, pd.DataFrame]:
    ds = generate(seed, n, "hard")
    tx, inv, rem = engine.prepare(ds.transactions, ds.invoices, ds.remittances)
    one, customers = as_entities(inv, ds.customers)
    part = next(p for p in engine.partitions(tx, one, rem) if len(p.inv))
    return part, customers


@pytest.mark.parametrize("shards", [1, 3])
def test_a_shard_reads_the_shared_indexes_not_the_open_items(shards: int) -> None:
    part, customers = _partition(5, 150)
    config = MatchConfig()
    side = InvoiceSide(
        part.inv, CustomerIndex(part.inv, customers), key_index(part.inv), config, part.currency
    )
    pairs, links = sharded_blocking(part.tx, side, InProcess())
    singles = single_features(pairs, part.tx, part.inv, config, part.currency)
    groups = sharded_groups(part.tx, pairs, singles, links, part.remits, side, InProcess())
    sealed = InvoiceSide(
        _Sealed(part.inv),
        side.customers,
        side.keys,
        config,
        part.currency,
        block=side.block,
        groups=side.groups,
    )
    pairs2, links2 = sharded_blocking(part.tx, sealed, InProcess(shards))
    pd.testing.assert_frame_equal(pairs, pairs2)
    pd.testing.assert_frame_equal(links, links2)
    got = sharded_groups(part.tx, pairs, singles, links, part.remits, sealed, InProcess(shards))
    assert len(groups)
    pd.testing.assert_frame_equal(groups, got)


def test_group_index_holds_each_payers_items_by_due_date() -> None:
    part, _ = _partition(3, 300)
    inv = part.inv
    index = GroupIndex(inv)
    due = inv["due_day"].to_numpy()
    items: dict[str, list[int]] = defaultdict(list)
    for k, c in enumerate(inv["customer_id"]):
        items[c].append(k)
    for c in items:
        items[c].sort(key=lambda k: (due[k], k))
    assert dict(index.items) == dict(items)
    assert index.items["no such payer"] == []
    assert "no such payer" not in index.items  # reading never writes the shared index
    opens = inv["open"].to_numpy()
    assert index.netting == {c for c, ks in items.items() if any(opens[k] < 0 for k in ks)}
    assert index.netting  # the hard book has payers with an open credit note


def test_advice_line_keys_equal_one_line_at_a_time() -> None:
    lines = pd.DataFrame(
        {
            "reference": ["INV-2026-0042", "pay_7Hq2Lx9", "INV-2026-0042", "", "dossier B"],
            "memo": ["", "charge 4QD88NLKWSI72P6FW", "", "REF DOSSIER LEMOINE B", "x"],
        }
    )
    tokens: dict[str, set[str]] = {}  # each token's keys, kept across the calls
    for free in (False, True):
        texts = [f"{r} {m}" for r, m in zip(lines["reference"], lines["memo"], strict=True)]
        got = dict(zip(texts, _line_keys(texts, free), strict=True))
        cached = dict(zip(texts, _line_keys(texts, free, tokens), strict=True))
        assert [list(v.items()) for v in cached.values()] == [list(v.items()) for v in got.values()]
        # the texts read before (by :mod:`.claimed`) are read again as they were, unchanged
        known = {text: text_keys(text) for text in texts[:3]}
        before = {text: dict(keys) for text, keys in known.items()}
        again = dict(zip(texts, _line_keys(texts, free, tokens, known), strict=True))
        assert [list(v.items()) for v in again.values()] == [list(v.items()) for v in got.values()]
        assert known == before
        for text in texts:
            want = text_keys(text)
            if free:
                found = free_text_keys([text])
                for k, lvl in zip(found["key"], found["lvl"], strict=True):
                    want[str(k)] = min(int(lvl), want.get(str(k), 99))
            assert got[text] == want
            assert list(got[text]) == list(want)  # in the same order

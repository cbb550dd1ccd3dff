"""CAMT fast path: the pruned entry index, direct model building and flat memory.

The entry reader indexes only the paths it reads (``camt_tree.ENTRY_SCHEMA``) and builds its
models with ``Constructor.full``; these tests check that neither changes a single output value.
"""

from __future__ import annotations

import io
from typing import Any

import pytest

from rapprochement import read_statement
from rapprochement.model import Entry, SourceRef, Transaction
from rapprochement.parsers.camt import entry as camt_entry
from rapprochement.parsers.camt import reader as camt
from rapprochement.parsers.camt.tree import ENTRY_SCHEMA, WANTED, build_node, everything
from tests.conftest import FIXTURES
from tests.parsers.camt_samples import camt_paths

_NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"

#: Entries of unusual shapes: leaf or empty details, foreign-namespace children, comments,
#: CDATA, leaf groups where subtrees are expected, several Strd/RfrdDocInf, charges, FX.
_ODD = (
    '<Ntry><Amt Ccy="EUR">10.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
    "<NtryDtls><TxDtls/></NtryDtls></Ntry>"
    '<Ntry><Amt Ccy="EUR">10.00</Amt><NtryDtls>x</NtryDtls><NtryDtls><Btch><NbOfTxs>2'
    '</NbOfTxs></Btch><TxDtls><Amt Ccy="EUR">4.00</Amt></TxDtls><TxDtls>text</TxDtls>'
    "</NtryDtls></Ntry>"
    '<Ntry><x:Amt xmlns:x="urn:other" Ccy="EUR">7.00</x:Amt><!-- c --><CdtDbtInd>'
    "<![CDATA[DBIT]]></CdtDbtInd><Sts><Prtry>PDNG</Prtry></Sts><BkTxCd>PMNT</BkTxCd>"
    "<NtryDtls><TxDtls><RmtInf><Ustrd>a</Ustrd><Ustrd><b>x</b></Ustrd><Strd/><Strd>"
    "<CdtrRefInf><Ref>RF18</Ref></CdtrRefInf><RfrdDocInf><Nb>A</Nb></RfrdDocInf><RfrdDocInf>"
    '<Nb>B</Nb></RfrdDocInf><RfrdDocAmt><RmtdAmt Ccy="EUR">5.00</RmtdAmt></RfrdDocAmt>'
    "</Strd></RmtInf><RltdPties><Cdtr><Agt><FinInstnId><Nm>BANK</Nm></FinInstnId></Agt>"
    "<Id><PrvtId><Othr><Id>DE98ZZZ</Id><SchmeNm><Prtry>SEPA</Prtry></SchmeNm></Othr></PrvtId>"
    "</Id></Cdtr><CdtrAcct><Id><Othr><Id>ACC</Id></Othr></Id></CdtrAcct></RltdPties>"
    "<RltdAgts><CdtrAgt><FinInstnId><BICFI>COBADEFFXXX</BICFI></FinInstnId></CdtrAgt>"
    "</RltdAgts></TxDtls></NtryDtls></Ntry>"
    '<Ntry><Amt Ccy="EUR">1.00</Amt><Chrgs><Rcrd><Amt Ccy="EUR">1.00</Amt></Rcrd></Chrgs>'
    '<AmtDtls><InstdAmt><Amt Ccy="USD">1.10</Amt><CcyXchg><XchgRate>1.1</XchgRate></CcyXchg>'
    "</InstdAmt></AmtDtls><Sts><Cd><X/></Cd></Sts><RvslInd><a/></RvslInd></Ntry>"
    '<Ntry><Amt Ccy="EUR"><X>1</X></Amt></Ntry>'
)


def _odd_document() -> bytes:
    acct = "<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>"
    return (
        f'<?xml version="1.0"?>\n<Document xmlns="{_NS}"><BkToCstmrStmt><Stmt><Id>S</Id>'
        f"{acct}{_ODD}</Stmt></BkToCstmrStmt></Document>"
    ).encode()


def _samples() -> list[tuple[str, bytes]]:
    paths = camt_paths()
    return [(p.name, p.read_bytes()) for p in paths] + [("odd.xml", _odd_document())]


SAMPLES = _samples()


def _dump(data: bytes) -> list[dict[str, Any]] | str:
    try:
        return [s.model_dump(mode="json") for s in read_statement(data)]
    except Exception as exc:  # the same error either way is part of the comparison
        return f"{type(exc).__name__}: {exc}"


@pytest.mark.parametrize(("name", "data"), SAMPLES, ids=[n for n, _ in SAMPLES])
def test_the_pruned_index_reads_what_a_full_index_reads(
    name: str, data: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = _dump(data)
    full = everything()  # every looked-up name at every depth: the index before pruning
    monkeypatch.setattr(camt_entry, "build_node", lambda el: build_node(el, full))
    assert _dump(data) == fast


def test_the_schema_names_are_the_wanted_names() -> None:
    def names(schema: dict[str, Any]) -> set[str]:
        return set(schema).union(*(names(s) for s in schema.values()))

    assert names(ENTRY_SCHEMA) == WANTED


def test_models_are_built_like_model_construct() -> None:
    """Every field set, in declaration order (the dump order), as ``model_construct`` does."""
    statements = [s for p in sorted((FIXTURES / "camt").glob("*.xml")) for s in read_statement(p)]
    statements += read_statement(_odd_document())
    entries = [e for s in statements for e in s.entries]
    assert entries
    for entry in entries:
        for model, cls in [(entry, Entry), (entry.source, SourceRef)] + [
            (t, Transaction) for t in entry.transactions
        ]:
            reference = cls.model_construct(**dict(model))  # type: ignore[attr-defined]
            assert list(model.__dict__) == list(cls.model_fields)
            assert model.model_dump_json() == reference.model_dump_json()
            assert cls.model_validate(model.model_dump()) == model


def test_the_tree_stays_small_while_streaming(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each entry is freed once read, the emptied elements every few entries.

    The parser reads ahead (tens of kilobytes), so the statement element holds the entries
    parsed ahead plus at most 64 emptied ones: a bound that does not grow with the file.
    """
    sizes: list[int] = []
    original = camt_entry.EntryReader.read

    def spy(self: camt_entry.EntryReader, ntry: Any, xpath: str) -> Entry | None:
        sizes.append(len(ntry.getparent()))
        return original(self, ntry, xpath)

    monkeypatch.setattr(camt_entry.EntryReader, "read", spy)

    def largest_statement_element(n: int) -> int:
        body = "".join(
            f'<Ntry><Amt Ccy="EUR">{i}.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
            f"<NtryDtls><TxDtls><RmtInf><Ustrd>INV {i}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
            for i in range(1, n + 1)
        )
        data = (
            f'<Document xmlns="{_NS}"><BkToCstmrStmt><Stmt><Id>S</Id>{body}</Stmt>'
            "</BkToCstmrStmt></Document>"
        ).encode()
        sizes.clear()
        events = list(camt.iter_events(io.BytesIO(data), filename="big.xml", member=None))
        assert sum(isinstance(e, Entry) for e in events) == n
        return max(sizes)

    small, large = largest_statement_element(1_000), largest_statement_element(8_000)
    assert large < 1_000  # never all 8 000 entries at once
    assert large <= small + 64  # the bound does not grow with the number of entries

"""Large statement files for the parser benchmark, built from real corpus entries.

For each format, entries are taken from the corpus (CAMT ``Ntry`` elements, MT940 ``:61:`` /
``:86:`` pairs, OFX ``STMTTRN`` aggregates, ASCII-only so one encoding fits the whole file),
their amount, direction, dates and bank reference replaced from a seeded random stream, and
wrapped in a statement whose balances add up. When no corpus is found, small templates written
here are used instead. The generator knows the truth: entry count, signed total, credits and
debits.
"""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

__all__ = ["FORMATS", "BenchFile", "build"]

FORMATS = ("camt", "mt940", "ofx")


@dataclass(frozen=True)
class BenchFile:
    """A generated statement file and what a correct parser must find in it."""

    format: str
    data: bytes
    entries: int
    total: Decimal
    credits: Decimal
    debits: Decimal
    origin: str


def _amounts(rng: random.Random, n: int) -> list[int]:
    """Signed amounts in cents: 60 % credits, 0.01 to 5 000.00."""
    return [rng.randint(1, 500_000) * (1 if rng.random() < 0.6 else -1) for _ in range(n)]


def _fmt(cents: int, sep: str = ".") -> str:
    return f"{abs(cents) // 100}{sep}{abs(cents) % 100:02d}"


def _days(rng: random.Random, n: int) -> list[tuple[int, int]]:
    """Sorted (month, day) pairs within 2025."""
    return sorted((rng.randint(1, 12), rng.randint(1, 28)) for _ in range(n))


def _truth(fmt: str, data: bytes, amounts: list[int], origin: str) -> BenchFile:
    credits = sum(a for a in amounts if a > 0)
    debits = -sum(a for a in amounts if a < 0)
    return BenchFile(
        format=fmt,
        data=data,
        entries=len(amounts),
        total=Decimal(credits - debits) / 100,
        credits=Decimal(credits) / 100,
        debits=Decimal(debits) / 100,
        origin=origin,
    )


# --- CAMT -------------------------------------------------------------------------------------

_CAMT_NS_RE = re.compile(r'xmlns="(urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.\d+)"')
_NTRY_RE = re.compile(r"<Ntry>.*?</Ntry>", re.S)
_CAMT_AMT = re.compile(r'<Amt Ccy="[A-Z]{3}">[^<]*</Amt>')
_CAMT_CDI = re.compile(r"<CdtDbtInd>(?:CRDT|DBIT)</CdtDbtInd>")
_CAMT_DATE = re.compile(r"(<(?:BookgDt|ValDt)>\s*<Dt>)[^<]*")
_CAMT_DATETIME = re.compile(r"(<(?:BookgDt|ValDt)>\s*<DtTm>)[^<]*")
_CAMT_REF = re.compile(r"<AcctSvcrRef>[^<]*</AcctSvcrRef>")
_CAMT_FALLBACK_NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
_CAMT_FALLBACK = (
    '<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
    "<BookgDt><Dt>2025-01-01</Dt></BookgDt><ValDt><Dt>2025-01-01</Dt></ValDt>"
    "<AcctSvcrRef>REF</AcctSvcrRef><BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd>"
    "<SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd><NtryDtls><TxDtls><Refs>"
    '<EndToEndId>E2E-1</EndToEndId></Refs><AmtDtls><TxAmt><Amt Ccy="EUR">1.00</Amt></TxAmt>'
    "</AmtDtls><RltdPties><Dbtr><Nm>DUPONT ET FILS SARL</Nm></Dbtr><DbtrAcct><Id><IBAN>"
    "FR1420041010050500013M02606</IBAN></Id></DbtrAcct></RltdPties><RmtInf><Ustrd>"
    "FACTURE FA-2025-00123</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
)


def _camt_templates(corpus: Path | None) -> tuple[str, list[str], str]:
    by_ns: dict[str, list[str]] = {}
    origins: dict[str, set[str]] = {}
    if corpus is not None:
        for path in sorted((corpus / "camt053").rglob("*.xml")):
            raw = path.read_bytes()
            if not raw.isascii():
                continue
            text = raw.decode("ascii")
            found = _CAMT_NS_RE.search(text)
            if found is None:
                continue
            file_ns = found.group(1)
            for ntry in _NTRY_RE.findall(text):
                simple = ntry.count("<TxDtls>") <= 1 and "<Chrgs>" not in ntry
                if simple and "RvslInd>true" not in ntry and "BOOK" in ntry:
                    by_ns.setdefault(file_ns, []).append(ntry)
                    origins.setdefault(file_ns, set()).add(path.name)
    if not by_ns:
        return _CAMT_FALLBACK_NS, [_CAMT_FALLBACK], "embedded template"
    ns = max(by_ns, key=lambda k: (len(by_ns[k]), k))
    names = ", ".join(sorted(origins[ns])[:4])
    return ns, by_ns[ns], f"{len(by_ns[ns])} corpus Ntry ({names}...)"


def _camt_balance(code: str, cents: int, date: str) -> str:
    ind = "CRDT" if cents >= 0 else "DBIT"
    return (
        f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
        f'<Amt Ccy="EUR">{_fmt(cents)}</Amt><CdtDbtInd>{ind}</CdtDbtInd>'
        f"<Dt><Dt>{date}</Dt></Dt></Bal>"
    )


def build_camt(n: int, seed: int, corpus: Path | None) -> BenchFile:
    """A camt.053 statement of ``n`` entries."""
    rng = random.Random(seed)
    ns, templates, origin = _camt_templates(corpus)
    amounts = _amounts(rng, n)
    opening = rng.randint(0, 10_000_000)
    parts = [
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{ns}"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>BENCH-{seed}</MsgId><CreDtTm>2025-12-31T23:00:00</CreDtTm></GrpHdr>"
        "<Stmt><Id>BENCH-1</Id><ElctrncSeqNb>1</ElctrncSeqNb><CreDtTm>2025-12-31T23:00:00"
        "</CreDtTm><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>",
        _camt_balance("OPBD", opening, "2025-01-01"),
        _camt_balance("CLBD", opening + sum(amounts), "2025-12-31"),
        "\n",
    ]
    for i, ((month, day), cents) in enumerate(zip(_days(rng, n), amounts, strict=True)):
        ntry = templates[rng.randrange(len(templates))]
        date = f"2025-{month:02d}-{day:02d}"
        ntry = _CAMT_AMT.sub(f'<Amt Ccy="EUR">{_fmt(cents)}</Amt>', ntry)
        ind = "CRDT" if cents > 0 else "DBIT"
        ntry = _CAMT_CDI.sub(f"<CdtDbtInd>{ind}</CdtDbtInd>", ntry)
        ntry = _CAMT_DATE.sub(rf"\g<1>{date}", ntry)
        ntry = _CAMT_DATETIME.sub(rf"\g<1>{date}T12:00:00", ntry)
        ntry = _CAMT_REF.sub(f"<AcctSvcrRef>BENCH{i:08d}</AcctSvcrRef>", ntry, count=1)
        parts.append(ntry)
        parts.append("\n")
    parts.append("</Stmt></BkToCstmrStmt></Document>\n")
    return _truth("camt", "".join(parts).encode("utf-8"), amounts, origin)


# --- MT940 ------------------------------------------------------------------------------------

_TAG_LINE = re.compile(r"^:(\d\d[A-Z]?):", re.M)
_LINE61 = re.compile(r"^:61:(\d{6})(\d{4})?([CD])([A-Z]?)(\d+,\d{0,2})([NFS][A-Z0-9]{3}.*)$", re.S)
_MT940_FALLBACK = [
    (
        ":61:2501010101C1,00NTRFNONREF//BENCH\n",
        ":86:166?00GUTSCHRIFT?109310?20EREF+FA-2025-00123?21SVWZ+Rechnung FA-2025-00123?22"
        " vom 02.01.2025?30COBADEFFXXX?31DE89370400440532013000?32Mueller Buerobedarf GmbH\n",
    ),
    (
        ":61:2501010101D1,00NDDTNONREF\n",
        ":86:/EREF/E2E-REF-1//MARF/MNDT-77//REMI/USTD//INVOICE 2025-044/"
        "/NAME/ACME BV/IBAN/NL91ABNA0417164300/\n",
    ),
]


def _mt940_templates(corpus: Path | None) -> tuple[list[tuple[str, str]], str]:
    found: list[tuple[str, str]] = []
    names: set[str] = set()
    if corpus is not None:
        for path in sorted((corpus / "mt940").rglob("*")):
            if not path.is_file() or path.suffix in {".json", ".yml", ".pydata", ".md"}:
                continue
            raw = path.read_bytes()
            if not raw.isascii() or b":61:" not in raw:
                continue
            text = raw.decode("ascii").replace("\r\n", "\n")
            starts = [m.start() for m in _TAG_LINE.finditer(text)] + [len(text)]
            fields = [text[a:b] for a, b in itertools.pairwise(starts)]
            for this, nxt in itertools.pairwise(fields):
                # One-line :61: only: the supplementary-details line some banks add makes the
                # mt-940 peer raise, and the benchmark compares speed on files every peer reads.
                one_line = "\n" not in this.rstrip("\n")
                if this.startswith(":61:") and nxt.startswith(":86:") and one_line:
                    if "\n-" in nxt or "}" in nxt:  # statement trailer glued to the :86:
                        continue
                    if not _LINE61.match(this):
                        continue
                    found.append((this if this.endswith("\n") else this + "\n", nxt))
                    names.add(path.name)
    if not found:
        return _MT940_FALLBACK, "embedded template"
    return found, f"{len(found)} corpus :61:/:86: pairs ({', '.join(sorted(names)[:4])}...)"


def build_mt940(n: int, seed: int, corpus: Path | None) -> BenchFile:
    """An MT940 statement of ``n`` entries (one :20: block)."""
    rng = random.Random(seed)
    templates, origin = _mt940_templates(corpus)
    amounts = _amounts(rng, n)
    opening = rng.randint(0, 10_000_000)
    closing = opening + sum(amounts)
    parts = [
        f":20:BENCH{seed}\n:25:DE89370400440532013000\n:28C:1/1\n",
        f":60F:{'C' if opening >= 0 else 'D'}250101EUR{_fmt(opening, ',')}\n",
    ]
    for (month, day), cents in zip(_days(rng, n), amounts, strict=True):
        line61, line86 = templates[rng.randrange(len(templates))]
        m = _LINE61.match(line61)
        assert m is not None
        entry_date = f"{month:02d}{day:02d}" if m.group(2) else ""
        mark = "C" if cents > 0 else "D"
        parts.append(
            f":61:25{month:02d}{day:02d}{entry_date}{mark}{m.group(4)}{_fmt(cents, ',')}"
            f"{m.group(6)}"
        )
        parts.append(line86 if line86.endswith("\n") else line86 + "\n")
    parts.append(f":62F:{'C' if closing >= 0 else 'D'}251231EUR{_fmt(closing, ',')}\n-\n")
    return _truth("mt940", "".join(parts).encode("ascii"), amounts, origin)


# --- OFX --------------------------------------------------------------------------------------

_STMTTRN_RE = re.compile(r"<STMTTRN>.*?</STMTTRN>", re.S)
_OFX_LEAF = {
    key: re.compile(rf"<{key}>[^<\r\n]*") for key in ("TRNAMT", "DTPOSTED", "FITID", "TRNTYPE")
}
_OFX_EMPTY_LEAF = re.compile(r"<(NAME|MEMO|FITID|TRNTYPE|TRNAMT|DTPOSTED)>[ \t]*(?:</\1>|\r?\n|<)")
_OFX_FALLBACK = [
    "<STMTTRN>\n<TRNTYPE>CREDIT\n<DTPOSTED>20250101120000.000[-5:EST]\n<TRNAMT>1.00\n"
    "<FITID>X\n<NAME>DUPONT ET FILS SARL\n<MEMO>VIR SEPA FACTURE FA-2025-00123\n</STMTTRN>",
    "<STMTTRN>\n<TRNTYPE>DEBIT\n<DTPOSTED>20250101\n<TRNAMT>-1.00\n<FITID>Y\n"
    "<CHECKNUM>0001234\n<NAME>ELECTRICITE DE FRANCE\n<MEMO>PRLV SEPA EDF 2025-01\n</STMTTRN>",
]
_OFX_HEAD = (
    "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\n"
    "COMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n<OFX>\n<SIGNONMSGSRSV1>\n<SONRS>\n"
    "<STATUS>\n<CODE>0\n<SEVERITY>INFO\n</STATUS>\n<DTSERVER>20251231235959\n<LANGUAGE>ENG\n"
    "</SONRS>\n</SIGNONMSGSRSV1>\n<BANKMSGSRSV1>\n<STMTTRNRS>\n<TRNUID>1\n<STATUS>\n<CODE>0\n"
    "<SEVERITY>INFO\n</STATUS>\n<STMTRS>\n<CURDEF>USD\n<BANKACCTFROM>\n<BANKID>121000248\n"
    "<ACCTID>4100012345\n<ACCTTYPE>CHECKING\n</BANKACCTFROM>\n<BANKTRANLIST>\n"
    "<DTSTART>20250101\n<DTEND>20251231\n"
)


def _ofx_templates(corpus: Path | None) -> tuple[list[str], str]:
    found: list[str] = []
    names: set[str] = set()
    if corpus is not None:
        for path in sorted((corpus / "ofx").rglob("*")):
            if not path.is_file() or path.suffix not in {".ofx", ".xml", ".sgml"}:
                continue
            raw = path.read_bytes()
            if not raw.isascii() or b"<INVSTMTRS>" in raw or b"<STMTRS>" not in raw:
                continue
            text = raw.decode("ascii").replace("\r\n", "\n")
            if "<!--" in text:
                continue
            for trn in _STMTTRN_RE.findall(text):
                # Deliberately broken fixtures (empty NAME...) make the ofxparse peer raise.
                if _OFX_EMPTY_LEAF.search(trn) or "fail_nice" in path.parts:
                    continue
                if all(f"<{k}>" in trn for k in ("TRNAMT", "DTPOSTED", "FITID")):
                    found.append(trn)
                    names.add(path.name)
    if not found:
        return _OFX_FALLBACK, "embedded template"
    return found, f"{len(found)} corpus STMTTRN ({', '.join(sorted(names)[:4])}...)"


def build_ofx(n: int, seed: int, corpus: Path | None) -> BenchFile:
    """An OFX 1.0.2 SGML bank statement of ``n`` entries."""
    rng = random.Random(seed)
    templates, origin = _ofx_templates(corpus)
    amounts = _amounts(rng, n)
    closing = rng.randint(0, 10_000_000) + sum(amounts)
    parts = [_OFX_HEAD]
    for i, ((month, day), cents) in enumerate(zip(_days(rng, n), amounts, strict=True)):
        trn = templates[rng.randrange(len(templates))]
        sign = "-" if cents < 0 else ""
        trn = _OFX_LEAF["TRNAMT"].sub(f"<TRNAMT>{sign}{_fmt(cents)}", trn)
        trn = _OFX_LEAF["DTPOSTED"].sub(f"<DTPOSTED>2025{month:02d}{day:02d}120000", trn)
        trn = _OFX_LEAF["FITID"].sub(f"<FITID>BENCH{i:08d}", trn)
        trn = _OFX_LEAF["TRNTYPE"].sub(f"<TRNTYPE>{'CREDIT' if cents > 0 else 'DEBIT'}", trn)
        parts.append(trn.strip())
        parts.append("\n")
    sign = "-" if closing < 0 else ""
    parts.append(
        f"</BANKTRANLIST>\n<LEDGERBAL>\n<BALAMT>{sign}{_fmt(closing)}\n<DTASOF>20251231\n"
        "</LEDGERBAL>\n</STMTRS>\n</STMTTRNRS>\n</BANKMSGSRSV1>\n</OFX>\n"
    )
    return _truth("ofx", "".join(parts).encode("ascii"), amounts, origin)


def build(fmt: str, n: int, seed: int = 0, corpus: Path | None = None) -> BenchFile:
    """A ``fmt`` statement file of ``n`` entries (``corpus=None``: embedded templates)."""
    builders = {"camt": build_camt, "mt940": build_mt940, "ofx": build_ofx}
    if fmt not in builders:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return builders[fmt](n, seed, corpus)

"""The :86: information field: bank dialects parsed into Transaction fields.

Dialects, tried in this order:

German ``?nn`` subfields (DFÜ-Abkommen, Deutsche Kreditwirtschaft)
    ``166?00GUTSCHRIFT?100399?20EREF+...?21SVWZ+...?30BIC?31IBAN?32NAME``: the first three
    characters are the GVC business code, ``?00`` posting text, ``?10`` prima nota, ``?20``-``?29``
    and ``?60``-``?63`` remittance lines, ``?30`` bank code or BIC, ``?31`` account or IBAN,
    ``?32``/``?33`` name, ``?34`` text-key extension. Inside the remittance, the SEPA keywords
    ``EREF+ KREF+ MREF+ CRED+ SVWZ+ ABWA+ ABWE+ IBAN+ BIC+ DEBT+ PURP+`` split it into fields.
Dutch slash keys (ING, Rabobank, ABN AMRO, ASN, Knab, SNS, Triodos...)
    ``/EREF/.../ORDP//NAME/.../IBAN/.../REMI/.../CSID/.../MARF/...`` and ABN AMRO's
    ``/TRTP/SEPA OVERBOEKING/IBAN/.../BIC/.../NAME/.../REMI/.../EREF/...``.
Polish ``KEY: value;`` (mBank)
    ``911 TRANSAKCJA IPH; Z RACH.: <account>; OD: <name, address>; TYT.: <title>; TNR: ...``.
Free text
    The whole field is the remittance (SEPA keywords still split it when present).

Line joining (the wrap rule): a line that fills the field's width (65 characters for :86: lines,
the ``:86:`` tag not counted; 27 for ``?2x`` subfields) was cut by the bank mid-text and is joined
to the next with nothing; a shorter line ended where the text ended and is joined with one space.
Whitespace already at either side of the break is kept as it is and no space is added, so no
space is ever lost or invented. In the ``?nn`` dialect the raw lines are joined with nothing: the
subfield marks carry the structure and line breaks there are not text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from stdnum import iso11649

from rapprochement.parsers._common.ident import compact_iban

__all__ = [
    "LINE_WIDTH",
    "SUBFIELD_WIDTH",
    "join_wrapped",
    "parse_86",
    "parse_german",
    "parse_polish",
    "parse_slash",
    "split_sepa_keywords",
]

LINE_WIDTH = 65
SUBFIELD_WIDTH = 27


def join_wrapped(parts: Sequence[str], width: int, first_width: int | None = None) -> str:
    """Re-join lines wrapped at ``width``: full lines with ``""``, shorter ones with a space.

    Args:
        parts: the lines, without line ends.
        width: the wrap width; a line at least this long was cut mid-text.
        first_width: the width of the first line when it differs (never needed for :86:,
            whose tag is not counted).
    """
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0].strip()
    text = prev = parts[0]
    limit = width if first_width is None else first_width
    for part in parts[1:]:
        if not part:
            continue
        if len(prev) >= limit or not prev or prev[-1] == " " or part[0] == " ":
            text += part
        else:
            text += " " + part
        prev = part
        limit = width
    return text.strip()


_SEPA_KEYS = "EREF|KREF|MREF|CRED|SVWZ|ABWA|ABWE|IBAN|BIC|DEBT|PURP|COAM|OAMT|SQTP|RTRN"
_SEPA_RE = re.compile(rf"({_SEPA_KEYS})\+")
_RF_RE = re.compile(r"\bRF\d{2}(?: ?[0-9A-Za-z]{1,4}){1,6}\b")
_NO_REF = frozenset({"NOTPROVIDED", "NONREF", "NOT PROVIDED", ""})


def split_sepa_keywords(text: str) -> tuple[str, dict[str, str]]:
    """Text before the first SEPA keyword, and each keyword's value (``SVWZ+`` -> ``SVWZ``)."""
    if "+" not in text:  # every keyword ends with "+": skip the scan
        return text, {}
    parts = _SEPA_RE.split(text)
    if len(parts) == 1:
        return text, {}
    head = parts[0].strip()
    values: dict[str, str] = {}
    for i in range(1, len(parts) - 1, 2):
        key, value = parts[i], parts[i + 1].strip()
        values[key] = f"{values[key]} {value}" if key in values else value
    return head, values


def structured_reference(text: str) -> str | None:
    """A valid ISO 11649 RF creditor reference found in ``text`` (spaces removed), else None."""
    if "RF" not in text:
        return None
    for m in _RF_RE.finditer(text):
        ref = m.group(0).replace(" ", "").upper()
        if iso11649.is_valid(ref):
            return ref
    return None


#: SEPA keyword -> Transaction field, for keywords whose value is taken as it is.
_SEPA_FIELD = {"MREF": "mandate_id", "CRED": "creditor_id", "PURP": "purpose"}


def _apply_sepa(fields: dict[str, Any], text: str, credit: bool) -> None:
    head, kw = split_sepa_keywords(text)
    if not kw:
        fields["remittance_info"] = text
        return
    svwz = kw.get("SVWZ")
    # Without SVWZ+ the keywords carry no separate purpose text: keep the whole text, lose nothing.
    if svwz is None:
        fields["remittance_info"] = text
    else:  # head and purpose, one space between when both are there
        fields["remittance_info"] = f"{head} {svwz}" if head and svwz else head or svwz
    extra = fields.setdefault("extra", {})
    for key, value in kw.items():
        if not value or key == "SVWZ":
            continue
        target = _SEPA_FIELD.get(key)
        if target is not None:
            fields[target] = value
        elif key == "EREF":
            if value not in _NO_REF:
                fields["end_to_end_id"] = value
        elif key == "IBAN":
            if "counterparty_iban" not in fields:
                iban = compact_iban(value)
                if iban:
                    fields["counterparty_iban"] = iban
                else:
                    fields.setdefault("counterparty_account", value)
        elif key == "BIC":
            fields.setdefault("counterparty_bic", value.replace(" ", ""))
        else:
            # ABWA+ (different payer) is the ultimate party of a credit, ABWE+ (different payee)
            # of a debit; both are also kept verbatim.
            extra[key] = value
            if key == ("ABWA" if credit else "ABWE") or (
                key in ("ABWA", "ABWE") and "ultimate_party_name" not in fields
            ):
                fields["ultimate_party_name"] = value


_SUBFIELD = {"?": re.compile(r"\?(\d\d)"), ">": re.compile(r">(\d\d)")}
_GERMAN = re.compile(r"\s*\d{3}\s*([?>])\d\d")


_GERMAN_EXTRA = {"00": "posting_text", "10": "prima_nota", "34": "text_key_ext"}


def parse_german(text: str, credit: bool, mark: str = "?") -> dict[str, Any]:
    """Fields of a German ``?nn`` :86: (``text`` = the raw lines joined with nothing).

    ``mark`` is the subfield mark: ``?`` (DFÜ standard) or ``>`` (Triodos uses the same layout).
    """
    parts = _SUBFIELD[mark].split(text)
    gvc = parts[0].strip()
    fields: dict[str, Any] = {}
    extra: dict[str, str] = {"gvc": gvc} if gvc else {}
    fields["extra"] = extra
    remittance: list[str] = []
    names: list[str] = []
    for code, value in zip(parts[1::2], parts[2::2], strict=False):
        # Two-digit codes compare as strings: "20" <= code <= "29" is ?20-?29.
        if "20" <= code <= "29" or "60" <= code <= "63":
            remittance.append(value)
        elif code == "32" or code == "33":
            names.append(value)
        elif code in _GERMAN_EXTRA:
            v = value.strip()
            if v:
                extra[_GERMAN_EXTRA[code]] = v
        elif code == "30":
            v = value.strip()
            if v[:4].isalpha():
                fields["counterparty_bic"] = v
            elif v:
                extra["bank_code"] = v
        elif code == "31":
            v = value.strip()
            iban = compact_iban(v)
            if iban:
                fields["counterparty_iban"] = iban
            elif v:
                fields["counterparty_account"] = v
        else:
            v = value.strip()
            if v:
                extra[mark + code] = v
    if names:
        fields["counterparty_name"] = join_wrapped(names, SUBFIELD_WIDTH) or None
    fields["remittance_lines"] = tuple(remittance)
    _apply_sepa(fields, join_wrapped(remittance, SUBFIELD_WIDTH), credit)
    return fields


_SLASH_KEYS = frozenset(
    [
        "EREF",
        "ORDP",
        "BENM",
        "NAME",
        "IBAN",
        "BIC",
        "REMI",
        "CSID",
        "MARF",
        "TRTP",
        "ADDR",
        "RTRN",
        "PREF",
        "ULTC",
        "ULTD",
        "ULTB",
        "PURP",
        "CDTRREF",
        "CDTRREFTP",
        "CD",
        "ISSR",
        "CUR",
        "STRD",
        "USTD",
        "CNTP",
        "ISDT",
        "SUM",
        "SVCL",
        "NRTX",
        "COAM",
        "OAMT",
        "EXCH",
        "CHGS",
        "RTYP",
        "BUSP",
        "ACCW",
        "ORIG",
        "INFO",
        "ORDB",
        "ID",
    ]
)
_SLASH = re.compile(r"\s*/([A-Z]{2,9})/")
# A key is a whole token between slashes: "/NAME/" starts a field, "/NAMES/" or "NAME" do not.
_SLASH_SPLIT = re.compile(
    r"/\s*(" + "|".join(sorted(_SLASH_KEYS, key=len, reverse=True)) + r")\s*(?=/|$)"
)
_PARTY_KEYS = frozenset({"ORDP", "BENM", "CNTP", "TRTP"})
_ULTIMATE_KEYS = frozenset({"ULTC", "ULTD", "ULTB"})
_ISSUER_REF = re.compile(r"ISSUER:\s*CUR\s+REF:\s*(\S+)")


def parse_slash(text: str, credit: bool) -> dict[str, Any]:
    """Fields of a Dutch ``/KEY/value/`` :86: (``text`` = lines re-joined by the wrap rule)."""
    parts = _SLASH_SPLIT.split(text)
    pairs = [(parts[i], parts[i + 1]) for i in range(1, len(parts) - 1, 2)]
    fields: dict[str, Any] = {}
    extra: dict[str, str] = {}
    fields["extra"] = extra
    context = "party"
    for key, raw in pairs:
        value = raw.strip(" /")
        if key in _PARTY_KEYS:
            context = "party"
            if key == "TRTP" and value:
                extra["TRTP"] = value
            elif key == "CNTP" and value:
                _cntp(fields, value)
            continue
        if key in _ULTIMATE_KEYS:
            context = "ultimate"
            continue
        if not value:
            continue
        if key == "NAME":
            target = "ultimate_party_name" if context == "ultimate" else "counterparty_name"
            fields.setdefault(target, value)
        elif key == "IBAN" and context == "party":
            iban = compact_iban(value)
            if iban:
                fields.setdefault("counterparty_iban", iban)
            else:
                fields.setdefault("counterparty_account", value)
        elif key == "BIC" and context == "party":
            fields.setdefault("counterparty_bic", value)
        elif key in ("REMI", "USTD"):
            fields["remittance_info"] = value
        elif key == "EREF":
            if value not in _NO_REF:
                fields["end_to_end_id"] = value
        elif key == "MARF":
            fields["mandate_id"] = value
        elif key == "CSID":
            fields["creditor_id"] = value
        elif key == "PURP":
            fields["purpose"] = value
        elif key == "RTRN":
            fields["return_reason"] = value
        elif key in ("CDTRREF", "CUR"):
            fields["structured_reference"] = value
        else:
            extra[key] = value
    remi = fields.get("remittance_info", "")
    if "structured_reference" not in fields and remi:
        m = _ISSUER_REF.search(remi)
        if m:
            fields["structured_reference"] = m.group(1)
    return fields


def _cntp(fields: dict[str, Any], value: str) -> None:
    # ING (old): /CNTP/<account>/<BIC>/<name>/<place>/
    account, bic, name = ([*value.split("/"), "", "", ""])[:3]
    iban = compact_iban(account)
    if iban:
        fields["counterparty_iban"] = iban
    elif account:
        fields["counterparty_account"] = account
    if bic:
        fields["counterparty_bic"] = bic
    if name:
        fields["counterparty_name"] = name


_POLISH = re.compile(r"\s*\d{3} [^;]*;.*\b(?:TYT\.|Z RACH\.|NA RACH\.|OD|DLA):", re.DOTALL)
_POLISH_ITEM = re.compile(r";\s*([A-Z][A-Z .]{0,20}?)\s*:\s*")


def parse_polish(text: str) -> dict[str, Any]:
    """Fields of the Polish ``KEY: value;`` :86: (mBank): ``Z RACH.:``/``NA RACH.:`` account,
    ``OD:``/``DLA:`` counterparty (name and address), ``TYT.:`` title (the remittance)."""
    parts = _POLISH_ITEM.split(";" + text)
    fields: dict[str, Any] = {}
    extra: dict[str, str] = {}
    fields["extra"] = extra
    head = parts[0].strip(" ;")
    if head:
        extra["posting_text"] = head
    for key, raw in zip(parts[1::2], parts[2::2], strict=False):
        value = raw.strip(" ;")
        if not value:
            continue
        if key in ("Z RACH.", "NA RACH."):
            compact = value.replace(" ", "")
            iban = compact_iban(compact) or (
                compact_iban("PL" + compact) if compact.isdigit() else None
            )
            if iban:
                fields["counterparty_iban"] = iban
            else:
                fields["counterparty_account"] = value
        elif key in ("OD", "DLA"):
            fields["counterparty_name"] = value
        elif key == "TYT.":
            fields["remittance_info"] = value
        else:
            extra[key.rstrip(".")] = value
    fields.setdefault("remittance_info", text)
    return fields


def parse_86(lines: Sequence[str], credit: bool) -> dict[str, Any]:
    """Transaction fields from the lines of one :86: field (first line without its tag)."""
    german = _GERMAN.match(lines[0])
    if german:
        fields = parse_german("".join(lines), credit, german.group(1))
    else:
        text = join_wrapped(lines, LINE_WIDTH, LINE_WIDTH - len(":86:"))
        if _SLASH.match(text):
            fields = parse_slash(text, credit)
        elif ";" in text and _POLISH.match(text):
            fields = parse_polish(text)
            fields["remittance_lines"] = tuple([s.strip() for s in lines if s.strip()])
        else:
            fields = {"remittance_lines": tuple([s.strip() for s in lines if s.strip()])}
            _apply_sepa(fields, text, credit)
    if "structured_reference" not in fields:
        text = fields.get("remittance_info", "")
        ref = structured_reference(text) if "RF" in text else None  # the check, before a call
        if ref:
            fields["structured_reference"] = ref
    return fields

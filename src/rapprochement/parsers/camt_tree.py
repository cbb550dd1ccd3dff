"""CAMT entry trees: a ``Ntry`` subtree indexed by local name in one pass, and its lookups.

One Python pass over the subtree is several times cheaper than dozens of namespaced lxml
``find`` calls, and makes every lookup namespace-agnostic (``.001.01`` to ``.001.13``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lxml.etree import _Element

__all__ = [
    "WANTED",
    "Node",
    "NodePaths",
    "build_node",
    "node_all",
    "node_first_text",
    "node_get",
    "node_text",
    "node_texts",
]


#: A parsed element: child local name → children (a nested :data:`Node` or a leaf element).
Node = dict[str, list[Any]]

_SPLIT: dict[str, tuple[str, ...]] = {}

#: Every local name the entry reader looks up (camt_entry.py). Anything else (addresses,
#: tax, card and securities data, organisation ids...) is not indexed, which makes indexing an
#: entry several times cheaper on real bank files. A test checks that every path component
#: used in camt_entry.py is listed here.
WANTED = frozenset(
    {
        "Amt", "CdtDbtInd", "Sts", "Cd", "Prtry", "RvslInd", "BookgDt", "ValDt", "Dt", "DtTm",
        "AcctSvcrRef", "NtryRef", "AddtlNtryInf", "NtryDtls", "TxDtls", "Btch", "NbOfTxs", "BkTxCd",
        "Domn", "Fmly", "SubFmlyCd", "AmtDtls", "TxAmt", "InstdAmt", "CcyXchg", "XchgRate",
        "CntrValAmt", "Chrgs", "TtlChrgsAndTaxAmt", "Rcrd", "RmtInf", "Ustrd", "Strd", "CdtrRefInf",
        "Ref", "AddtlRmtInf", "RfrdDocInf", "RfrdDocAmt", "Nb", "Tp", "CdOrPrtry", "RltdDt",
        "RmtdAmt", "DuePyblAmt", "DscntApldAmt", "CdtNoteAmt", "AdjstmntAmtAndRsn", "Refs",
        "EndToEndId", "MndtId", "InstrId", "TxId", "PmtInfId", "MsgId", "UETR", "ClrSysRef",
        "AddtlTxInf", "RtrInf", "AddtlInf", "Rsn", "Purp", "RltdPties", "Dbtr", "Cdtr", "Nm", "Pty",
        "Agt", "FinInstnId", "DbtrAcct", "CdtrAcct", "Id", "IBAN", "Othr", "RltdAgts", "DbtrAgt",
        "CdtrAgt", "BIC", "BICFI", "UltmtDbtr", "UltmtCdtr", "PrvtId", "SchmeNm",
    }
)  # fmt: skip


def _wanted_name(tag: object) -> str | None:
    """The local name of ``tag`` when the entry reader uses it, else None."""
    if type(tag) is not str:
        return None
    name = tag[tag.find("}") + 1 :]
    return name if name in WANTED else None


#: Full tag (``"{namespace}Amt"``) → wanted local name or None. Bounded: a hostile file with
#: endless distinct tags only stops filling the cache.
_NAMES: dict[Any, str | None] = {}
_NAMES_MAX = 4096


def build_node(el: _Element) -> Node:
    """Index ``el``'s subtree by local names in one pass (leaves stay lxml elements).

    One Python pass over the subtree is several times cheaper than dozens of namespaced
    ``find`` calls on it, and makes every lookup namespace-agnostic.
    """
    node: Node = {}
    names = _NAMES
    for child in el:
        tag = child.tag
        try:
            name = names[tag]
        except KeyError:
            name = _wanted_name(tag)
            if len(names) < _NAMES_MAX:
                names[tag] = name
        if name is None:
            continue
        value = build_node(child) if len(child) else child
        bucket = node.get(name)
        if bucket is None:
            node[name] = [value]
        else:
            bucket.append(value)
    return node


def _split(path: str) -> tuple[str, ...]:
    try:
        return _SPLIT[path]
    except KeyError:
        parts = _SPLIT[path] = tuple(path.split("/"))
        return parts


def node_get(node: Node, path: str) -> Any:
    """The first node or leaf element at ``path`` (``"Refs/EndToEndId"``), None when absent."""
    cur: Any = node
    for name in _SPLIT.get(path) or _split(path):
        if type(cur) is not dict:
            return None
        bucket = cur.get(name)
        if bucket is None:
            return None
        cur = bucket[0]
    return cur


def node_all(node: Node, path: str) -> list[Any]:
    """Every node or leaf at the last step of ``path`` (earlier steps take the first match)."""
    *head, last = _split(path)
    cur: Any = node
    for name in head:
        if type(cur) is not dict:
            return []
        bucket = cur.get(name)
        if bucket is None:
            return []
        cur = bucket[0]
    if type(cur) is not dict:
        return []
    found: list[Any] = cur.get(last, [])
    return found


def node_text(node: Node, path: str) -> str | None:
    """Stripped text of the leaf at ``path``, None when absent, blank or not a leaf."""
    cur: Any = node
    for name in _SPLIT.get(path) or _split(path):  # node_get, inlined: the hottest lookup
        if type(cur) is not dict:
            return None
        bucket = cur.get(name)
        if bucket is None:
            return None
        cur = bucket[0]
    if type(cur) is dict:
        return None
    text: str | None = cur.text
    if text is None:
        return None
    text = text.strip()
    return text or None


def node_first_text(node: Node, *paths: str) -> str | None:
    """Text of the first of ``paths`` present."""
    for path in paths:
        text = node_text(node, path)
        if text is not None:
            return text
    return None


def node_texts(node: Node, path: str) -> list[str]:
    """Texts (verbatim, blank ones dropped) of every leaf at ``path``."""
    return [
        t
        for leaf in node_all(node, path)
        if type(leaf) is not dict and (t := leaf.text) and t.strip()
    ]


class NodePaths:
    """The :class:`Paths` interface over :data:`Node` trees (see :func:`build_node`)."""

    __slots__ = ()

    text = staticmethod(node_text)
    first_text = staticmethod(node_first_text)
    find = staticmethod(node_get)
    findall = staticmethod(node_all)
    texts = staticmethod(node_texts)

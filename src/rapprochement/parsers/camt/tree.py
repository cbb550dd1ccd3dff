"""CAMT entry trees: a ``Ntry`` subtree indexed by local name in one pass, and its lookups.

One Python pass over the subtree is several times cheaper than dozens of namespaced lxml
``find`` calls, and makes every lookup namespace-agnostic (``.001.01`` to ``.001.13``).

The pass follows :data:`ENTRY_SCHEMA`, the tree of every path the entry reader looks up
(``camt_entry.py``, ``camt_tx.py``): an element is indexed only where the reader can ask for
it, so postal addresses, organisation ids, proprietary references, tax, card and securities
data... are skipped without being visited. A lookup of a path outside the schema would find
nothing: a test checks that the reader gives the same result on a tree indexed without the
schema (every name at every depth).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lxml.etree import _Element

__all__ = [
    "ENTRY",
    "ENTRY_SCHEMA",
    "WANTED",
    "Level",
    "Node",
    "NodePaths",
    "build_node",
    "compile_schema",
    "everything",
    "leaf_text",
    "node_all",
    "node_first_text",
    "node_get",
    "node_text",
    "node_texts",
    "sub1",
    "text1",
]


#: A parsed element: child local name → children (a nested :data:`Node` or a leaf element).
Node = dict[str, list[Any]]

#: A schema level: child local name → the schema of that child ({} for a leaf).
Schema = dict[str, "Schema"]

_LEAF: Schema = {}
_AMOUNT: Schema = {"Amt": _LEAF}
_CODE: Schema = {"Cd": _LEAF, "Prtry": _LEAF}
_XCHG: Schema = {"CcyXchg": {"XchgRate": _LEAF}}
_FX: Schema = {
    "InstdAmt": {"Amt": _LEAF, **_XCHG},
    "TxAmt": {"Amt": _LEAF, **_XCHG},
    "CntrValAmt": _XCHG,
}
_CHARGES: Schema = {"TtlChrgsAndTaxAmt": _AMOUNT, "Amt": _LEAF, "Rcrd": _AMOUNT}
_DATE: Schema = {"Dt": _LEAF, "DtTm": _LEAF}
_SCHEME_ID: Schema = {"PrvtId": {"Othr": {"Id": _LEAF, "SchmeNm": {"Prtry": _LEAF}}}}
_STRUCTURED: Schema = {
    "CdtrRefInf": {"Ref": _LEAF},
    "AddtlRmtInf": _LEAF,
    "RfrdDocInf": {
        "Nb": _LEAF,
        "Tp": {"CdOrPrtry": _CODE},
        "RltdDt": {"Dt": _LEAF},
    },
    "RfrdDocAmt": {
        "RmtdAmt": _AMOUNT,
        "DuePyblAmt": _AMOUNT,
        "DscntApldAmt": _AMOUNT,
        "CdtNoteAmt": _AMOUNT,
        "AdjstmntAmtAndRsn": _AMOUNT,
    },
}
_NAME: Schema = {"Nm": _LEAF, "Pty": {"Nm": _LEAF}}
_ACCOUNT: Schema = {"Id": {"IBAN": _LEAF, "Othr": {"Id": _LEAF}}}
_AGENT: Schema = {"FinInstnId": {"BIC": _LEAF, "BICFI": _LEAF}}
_PARTIES: Schema = {
    "Dbtr": {**_NAME, "Agt": {"FinInstnId": {"Nm": _LEAF}}},
    "Cdtr": {
        "Nm": _LEAF,
        "Pty": {"Nm": _LEAF, "Id": _SCHEME_ID},
        "Agt": {"FinInstnId": {"Nm": _LEAF}},
        "Id": _SCHEME_ID,
    },
    "DbtrAcct": _ACCOUNT,
    "CdtrAcct": _ACCOUNT,
    "UltmtDbtr": _NAME,
    "UltmtCdtr": _NAME,
}
_TRANSACTION: Schema = {
    "Amt": _LEAF,
    "CdtDbtInd": _LEAF,
    "AmtDtls": _FX,
    "Chrgs": _CHARGES,
    "RmtInf": {"Ustrd": _LEAF, "Strd": _STRUCTURED},
    "Refs": dict.fromkeys(
        (
            "EndToEndId",
            "MndtId",
            "InstrId",
            "AcctSvcrRef",
            "TxId",
            "PmtInfId",
            "MsgId",
            "UETR",
            "ClrSysRef",
        ),
        _LEAF,
    ),
    "AddtlTxInf": _LEAF,
    "RtrInf": {"AddtlInf": _LEAF, "Rsn": _CODE},
    "Purp": _CODE,
    "RltdPties": _PARTIES,
    "RltdAgts": {"DbtrAgt": _AGENT, "CdtrAgt": _AGENT},
}

#: Every path the entry reader looks up below ``Ntry``, as a tree of local names.
ENTRY_SCHEMA: Schema = {
    "Amt": _LEAF,
    "CdtDbtInd": _LEAF,
    "Sts": _CODE,
    "RvslInd": _LEAF,
    "BookgDt": _DATE,
    "ValDt": _DATE,
    "AcctSvcrRef": _LEAF,
    "NtryRef": _LEAF,
    "AddtlNtryInf": _LEAF,
    "BkTxCd": {"Domn": {"Cd": _LEAF, "Fmly": {"Cd": _LEAF, "SubFmlyCd": _LEAF}}, "Prtry": _CODE},
    "NtryDtls": {"Btch": {"NbOfTxs": _LEAF}, "TxDtls": _TRANSACTION},
    "AmtDtls": _FX,
    "Chrgs": _CHARGES,
}


def _names(schema: Schema, into: set[str]) -> set[str]:
    for name, sub in schema.items():
        into.add(name)
        _names(sub, into)
    return into


#: Every local name the entry reader looks up (a test checks the reader's literals against it).
WANTED = frozenset(_names(ENTRY_SCHEMA, set()))

#: Bound of each level's tag cache: a hostile file with endless distinct tags only stops
#: filling it.
_CACHE_MAX = 1024


class Level(dict[object, "tuple[str, Level, bool] | None"]):
    """One level of the schema: a cache from a child's full tag (``"{ns}Amt"``) to its local
    name, its own level and whether anything below it is read (None: the child is not read).

    Filled on first sight of each tag (``__missing__``), so a lookup is one dict hit.
    """

    __slots__ = ("children",)

    def __init__(self) -> None:
        super().__init__()
        #: Local name → level of the children that are read.
        self.children: dict[str, Level] = {}

    def __missing__(self, tag: object) -> tuple[str, Level, bool] | None:
        hit: tuple[str, Level, bool] | None = None
        if type(tag) is str:
            name = tag[tag.find("}") + 1 :]
            sub = self.children.get(name)
            if sub is not None:
                hit = (name, sub, bool(sub.children))
        if len(self) < _CACHE_MAX:
            self[tag] = hit
        return hit


def compile_schema(schema: Schema, done: dict[int, Level] | None = None) -> Level:
    """The :class:`Level` tree of ``schema`` (shared sub-schemas give shared levels)."""
    done = {} if done is None else done
    level = done.get(id(schema))
    if level is None:
        level = done[id(schema)] = Level()
        for name, sub in schema.items():
            level.children[name] = compile_schema(sub, done)
    return level


#: The compiled :data:`ENTRY_SCHEMA`, the level of a ``Ntry`` element.
ENTRY = compile_schema(ENTRY_SCHEMA)


def everything() -> Level:
    """A level that indexes every name of :data:`WANTED` at every depth (for tests)."""
    level = Level()
    level.children = dict.fromkeys(WANTED, level)
    return level


def build_node(el: _Element, level: Level = ENTRY) -> Node:
    """Index ``el``'s subtree by local names along ``level`` (leaves stay lxml elements).

    A child with children becomes a :data:`Node` (even when none of them is read, so that a
    text lookup on it finds no text, as it should), a child without becomes a leaf.
    """
    node: Node = {}
    for child in el:
        hit = level[child.tag]
        if hit is None:
            continue
        name, sub, deep = hit
        if len(child):
            value: Any = build_node(child, sub) if deep else {}
        else:
            value = child
        if name in node:
            node[name].append(value)
        else:
            node[name] = [value]
    return node


_SPLIT: dict[str, tuple[str, ...]] = {}


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


def leaf_text(leaf: Any) -> str | None:
    """Stripped text of a leaf element, None when absent, blank or not a leaf."""
    if leaf is None or type(leaf) is dict:
        return None
    text: str | None = leaf.text
    if not text:
        return None
    return text.strip() or None


def text1(node: Node, name: str) -> str | None:
    """Stripped text of the first child ``name`` of ``node`` when it is a leaf, else None."""
    bucket = node.get(name)
    return None if bucket is None else leaf_text(bucket[0])


def sub1(node: Node, name: str) -> Node | None:
    """The first child ``name`` of ``node`` when it has children, else None."""
    bucket = node.get(name)
    if bucket is None:
        return None
    first = bucket[0]
    return first if type(first) is dict else None


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
    if not text:
        return None
    return text.strip() or None


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


#: lxml options of every ISO 20022 reader: no network, no DTD, no entity expansion, no huge
#: trees; comments and processing instructions dropped.
SAFE_XML: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}

"""Reading rule sets from JSON or TOML (files, text or Python data), with errors that name the
rule and the field.

JSON: ``{"rules": [{"id": …, "category": …, …}, …]}`` or just the list. TOML: an array of
tables ``[[rule]]`` (or ``[[rules]]``)::

    [[rule]]
    id = "urssaf"
    category = "social_charges"
    name = "URSSAF"
    direction = "out"
    account_code = "431"
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rapprochement.errors import ConfigError
from rapprochement.rules.model import RuleSet

__all__ = ["RuleSource", "load_rules"]

RuleSource = RuleSet | str | os.PathLike[str] | Mapping[str, Any] | Sequence[Mapping[str, Any]]


def load_rules(source: RuleSource, *, name: str | None = None) -> RuleSet:
    """A validated :class:`RuleSet` from a ``.json`` / ``.toml`` file, JSON or TOML text, a dict
    ``{"rules": [...]}``, a list of rule dicts, or a RuleSet.

    Raises:
        ConfigError: the file cannot be read or parsed, or a rule is malformed; the message
            names the rule (its id, else its position) and the field.
    """
    if isinstance(source, RuleSet):
        return source
    where = name or "rules"
    data: Any
    if isinstance(source, (os.PathLike, str)):
        text, where, kind = _read(source, name)
        data = _parse(text, kind, where)
    else:
        data = source
    if isinstance(data, Mapping):
        rules = data.get("rules", data.get("rule"))
        extra = sorted(set(data) - {"rules", "rule", "version"})
        if extra:
            raise ConfigError(
                f"unknown top-level key(s) {', '.join(extra)}",
                file=where,
                hint="a rule file holds a 'rules' list ([[rule]] tables in TOML)",
            )
    else:
        rules = data
    if rules is None:
        rules = []
    if not isinstance(rules, Sequence) or isinstance(rules, (str, bytes)):
        raise ConfigError("'rules' must be a list of rules", file=where)
    try:
        return RuleSet(rules=tuple(rules))
    except ValidationError as exc:
        raise _error(exc, list(rules), where) from None


def _read(source: str | os.PathLike[str], name: str | None) -> tuple[str, str, str]:
    """(text, name for errors, kind): a str holding a newline or starting with ``{``/``[`` is
    rule text (``kind`` "text": JSON, else TOML), anything else a file path."""
    text = os.fspath(source)
    if isinstance(source, str) and ("\n" in text or text.lstrip()[:1] in ("{", "[")):
        return text, name or "<rules text>", "text"
    path = Path(text)
    try:
        body = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the rule file: {exc.strerror}", file=text) from None
    kind = "toml" if path.suffix.lower() == ".toml" else "json"
    return body, name or text, kind


def _parse(text: str, kind: str, where: str) -> Any:
    if kind == "text":
        head = text.lstrip()
        kind = "json" if head.startswith(("{", "[{")) or head == "[]" else "toml"
    try:
        return tomllib.loads(text) if kind == "toml" else json.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=where) from None
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"not valid JSON: {exc.msg}", file=where, location=f"line {exc.lineno}"
        ) from None


def _error(exc: ValidationError, rules: list[Any], where: str) -> ConfigError:
    """The first problem, naming the rule and the field."""
    err = exc.errors()[0]
    loc = list(err["loc"])
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        idx = loc[1]
        raw = rules[idx] if idx < len(rules) else None
        rid = raw.get("id") if isinstance(raw, Mapping) else None
        rule = f"rule {rid!r}" if rid else f"rule #{idx + 1}"
        field = ".".join(str(p) for p in loc[2:]) or "(the rule itself)"
        msg = str(err["msg"]).removeprefix("Value error, ")
        return ConfigError(
            f"{rule}, field {field}: {msg}",
            file=where,
            location=f"{rule}, field {field}",
            hint="see docs/rules.md for the fields of a rule",
        )
    msg = str(err["msg"]).removeprefix("Value error, ")
    return ConfigError(msg, file=where, hint="see docs/rules.md for the shape of a rule file")

"""Golden files: a parser's output for a fixture, compared with the JSON stored beside it.

Set ``RAPPROCHEMENT_UPDATE_GOLDENS=1`` to (re)write the expected files after a deliberate
change, then review the diff before committing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from rapprochement import Statement, read_statement

UPDATE = os.environ.get("RAPPROCHEMENT_UPDATE_GOLDENS") == "1"


def statements_as_json(statements: list[Statement], base: Path) -> list[dict[str, Any]]:
    """JSON-ready dump, file paths made relative to ``base`` so goldens are portable."""
    out = []
    for s in statements:
        d = s.model_dump(mode="json")
        _relativize(d, base)
        out.append(d)
    return out


def _relativize(obj: Any, base: Path) -> None:
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "file" and isinstance(v, str):
                obj[k] = Path(v).name
            else:
                _relativize(v, base)
    elif isinstance(obj, list):
        for v in obj:
            _relativize(v, base)


def assert_golden(fixture: Path) -> None:
    """Parse ``fixture`` and compare with ``fixture.expected.json`` (written when updating)."""
    expected_path = fixture.with_name(fixture.name + ".expected.json")
    got = statements_as_json(read_statement(fixture), fixture.parent)
    if UPDATE or not expected_path.exists():
        if not UPDATE:
            raise AssertionError(
                f"no golden file {expected_path.name}; run with RAPPROCHEMENT_UPDATE_GOLDENS=1"
            )
        expected_path.write_text(
            json.dumps(got, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
        )
        return
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    assert got == expected, f"{fixture.name} differs from {expected_path.name}"

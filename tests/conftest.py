"""Shared fixtures: the statement corpus (../shared/corpus) and small helpers."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def corpus_dir() -> Path | None:
    """The corpus folder: $RAPPROCHEMENT_CORPUS, else ../shared/corpus beside the checkout."""
    env = os.environ.get("RAPPROCHEMENT_CORPUS")
    candidates = [Path(env)] if env else []
    candidates.append(REPO.parent / "shared" / "corpus")
    for c in candidates:
        if (c / "conformance.json").is_file():
            return c
    if env or os.environ.get("RAPPROCHEMENT_REQUIRE_CORPUS"):
        raise RuntimeError(
            f"corpus required but not found (RAPPROCHEMENT_CORPUS={env!r}); corpus tests "
            "must not be skipped in CI"
        )
    return None


def require_pdf() -> None:
    """Skip a test that renders PDF letters where Pango is missing (a machine with only Python);
    never in CI, which installs it and sets RAPPROCHEMENT_REQUIRE_PDF."""
    from rapprochement.dunning.pdf import pdf_available

    if pdf_available():
        return
    if os.environ.get("RAPPROCHEMENT_REQUIRE_PDF"):
        pytest.fail("PDF rendering required (RAPPROCHEMENT_REQUIRE_PDF) but Pango is missing")
    pytest.skip("PDF letters need Pango (make system-deps)")


def load_conformance() -> list[dict[str, Any]]:
    """The per-file figures of conformance.json, or [] without a corpus."""
    c = corpus_dir()
    if c is None:
        return []
    data = json.loads((c / "conformance.json").read_text(encoding="utf-8"))
    files: list[dict[str, Any]] = data["files"]
    return files


@pytest.fixture(scope="session")
def corpus() -> Path:
    """Path of the corpus; skips only when no corpus is configured (never in CI)."""
    c = corpus_dir()
    if c is None:
        pytest.skip("no statement corpus (set RAPPROCHEMENT_CORPUS)")
    return c


@pytest.fixture(autouse=True)
def _isolated_rate_tables(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Any:
    """Penalties read fetched rate tables from the user's data directory and a ``--rates``
    file: every test gets an empty data directory and no override."""
    from rapprochement.dunning.rate_store import DATA_DIR_ENV, RATES_ENV, use_rates_file

    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path_factory.mktemp("data")))
    monkeypatch.delenv(RATES_ENV, raising=False)
    use_rates_file(None)
    yield
    use_rates_file(None)

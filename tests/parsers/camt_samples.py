"""The CAMT inputs the CAMT property tests share: the project's fixtures, then every corpus CAMT
file (camt052/053/054) when the corpus is present."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import FIXTURES, corpus_dir

#: Corpus files beside the statements that are not statements (metadata, notes, licences).
NOT_STATEMENTS = {".json", ".pydata", ".yml", ".md"}


def camt_paths(*, zips: bool = True) -> list[Path]:
    """Fixture and corpus CAMT files, sorted per folder (``zips=False`` leaves out archives)."""
    paths = sorted((FIXTURES / "camt").glob("*.xml"))
    root = corpus_dir()
    if root is not None:
        for folder in ("camt052", "camt053", "camt054"):
            paths += sorted(
                p
                for p in (root / folder).rglob("*")
                if p.is_file()
                and p.suffix not in NOT_STATEMENTS
                and "LICENSE" not in p.name
                and (zips or p.suffix != ".zip")
            )
    return paths

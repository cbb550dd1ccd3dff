"""The public API is exactly the curated ``__all__``: nothing leaks, nothing is missing."""

from __future__ import annotations

import rapprochement


def test_all_is_sorted_and_importable() -> None:
    names = rapprochement.__all__
    assert names == sorted(names)
    for name in names:
        assert hasattr(rapprochement, name), name


def test_public_names_have_docstrings() -> None:
    for name in rapprochement.__all__:
        obj = getattr(rapprochement, name)
        if callable(obj):
            assert (obj.__doc__ or "").strip(), f"{name} has no docstring"


def test_core_entry_points_are_public() -> None:
    expected = {"read_statement", "iter_statement", "Statement", "Entry", "Transaction",
                "Invoice", "RapprochementError"}  # fmt: skip
    assert expected <= set(rapprochement.__all__)


def test_statement_format_protocol_is_public() -> None:
    assert "StatementFormat" in rapprochement.__all__


def test_line_rules_are_public() -> None:
    assert {"LineRule", "RuleSet", "load_rules", "starter_rules"} <= set(rapprochement.__all__)


def test_version_comes_from_package_metadata() -> None:
    from importlib.metadata import version

    assert rapprochement.__version__ == version("rapprochement")


def test_reading_statements_does_not_import_matching() -> None:
    """A program that only reads statements does not pay for pandas and scipy (lazy names)."""
    import subprocess
    import sys

    code = (
        "import sys, rapprochement\n"
        "from rapprochement import read_statement\n"
        "assert 'pandas' not in sys.modules and 'scipy' not in sys.modules, 'eager'\n"
        "from rapprochement import reconcile, MatchConfig\n"
        "assert rapprochement.matching.reconcile is reconcile\n"
        "assert 'pandas' in sys.modules\n"
        "try:\n"
        "    rapprochement.no_such_name\n"
        "except AttributeError:\n"
        "    pass\n"
        "else:\n"
        "    raise SystemExit('no AttributeError')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr

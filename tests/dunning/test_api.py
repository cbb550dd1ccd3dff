"""Public names of rapprochement.dunning and .kpi: sorted, importable, documented."""

from __future__ import annotations

import importlib

import pytest

# The names the HTML report and the CLI rely on.
KPI_NAMES = {"aged_balance", "dso", "best_possible_dso", "payer_scores", "credit_exposure",
             "cash_forecast"}  # fmt: skip
DUNNING_NAMES = {"DunningPolicy", "PolicySet", "default_french_policy", "plan_dunning",
                 "DunningAction", "compute_penalties", "PenaltyResult", "RateTable"}  # fmt: skip


@pytest.mark.parametrize(
    ("module", "required"),
    [("rapprochement.dunning", DUNNING_NAMES), ("rapprochement.kpi", KPI_NAMES)],
)
def test_public_names_are_sorted_importable_and_documented(module: str, required: set[str]) -> None:
    mod = importlib.import_module(module)
    names = mod.__all__
    assert names == sorted(names)
    assert required <= set(names)
    for name in names:
        obj = getattr(mod, name)
        if callable(obj):
            assert (obj.__doc__ or "").strip(), f"{module}.{name} has no docstring"


def test_package_data_ships_with_the_package() -> None:
    from importlib import resources

    root = resources.files("rapprochement.dunning")
    for name in ("ecb_mro.json", "fr_legal.json", "de_base.json"):
        assert root.joinpath("data", name).is_file()
    for lang in ("fr", "en"):
        for level in ("friendly", "reminder1", "reminder2", "phone", "formal_notice",
                      "litigation", "base.txt"):  # fmt: skip
            name = f"{level}.j2"
            assert root.joinpath("templates", lang, name).is_file(), (lang, name)
    assert root.joinpath("templates", "base.html.j2").is_file()

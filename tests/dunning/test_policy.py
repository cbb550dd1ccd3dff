"""Policies are data: frozen, JSON round-trip, per segment, validated."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pydantic
import pytest

from rapprochement.dunning import DunningPolicy, PolicySet, default_french_policy, load_policy
from rapprochement.errors import ConfigError


def test_default_french_policy_follows_french_practice() -> None:
    p = default_french_policy()
    assert [lv.name for lv in p.levels] == [
        "friendly", "reminder1", "reminder2", "phone", "formal_notice", "litigation",
    ]  # fmt: skip
    assert [lv.channel for lv in p.levels] == [
        "email", "email", "letter", "phone", "registered_letter", "litigation",
    ]  # fmt: skip
    assert p.levels[0].offset_days < 0
    assert p.levels[4].include_penalties
    assert (p.jurisdiction, p.b2b) == ("FR", True)


def test_policy_round_trips_through_json_and_is_frozen() -> None:
    p = default_french_policy("en")
    assert DunningPolicy.model_validate_json(p.model_dump_json()) == p
    with pytest.raises(pydantic.ValidationError):
        p.grace_days = 5  # type: ignore[misc]


def test_policy_set_by_segment_round_trips_and_falls_back_to_default(tmp_path: Path) -> None:
    base = default_french_policy()
    strict = base.model_copy(update={"name": "risky", "grace_days": 0})
    ps = PolicySet(default=base, by_segment={"risky": strict})
    path = tmp_path / "policy.json"
    path.write_text(ps.model_dump_json(), encoding="utf-8")
    loaded = load_policy(path)
    assert loaded == ps
    assert isinstance(loaded, PolicySet)
    assert loaded.for_segment("risky").name == "risky"
    assert loaded.for_segment("good").name == base.name
    assert loaded.for_segment(None).name == base.name


def test_invalid_policy_file_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    data = default_french_policy().model_dump(mode="json")
    data["levels"][1]["name"] = "friendly"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"(?s)bad\.json.*unique"):
        load_policy(path)
    with pytest.raises(ConfigError, match=r"missing\.json"):
        load_policy(tmp_path / "missing.json")


def test_min_interval_must_be_at_least_one_day() -> None:
    with pytest.raises(pydantic.ValidationError):
        default_french_policy().model_validate(
            default_french_policy().model_dump() | {"min_interval_days": 0}
        )
    assert default_french_policy().levels[1].min_amount == Decimal("10")

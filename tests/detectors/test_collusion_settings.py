"""Settings of the collusion detector: nested sections, strict validation, documented fields."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from detectors.collusion import CollusionDetector
from detectors.collusion.settings import CollusionSettings, ExclusionaryTermsSettings, RelistSettings
from detectors.registry import validate_detector_settings
from storage.settings import ConfigError

SECTIONS = ("repeat_selection", "rotation", "relist", "exclusionary_terms", "outcome_signals", "anomaly_rank")


def test_detector_is_registered_under_its_name() -> None:
    assert CollusionDetector.name == "collusion"
    assert CollusionDetector.Settings is CollusionSettings


def test_every_rule_family_is_a_nested_section_with_enabled() -> None:
    s = CollusionSettings()
    assert tuple(type(s).model_fields) == SECTIONS
    for name in SECTIONS:
        section = getattr(s, name)
        assert isinstance(section, BaseModel) and section.enabled is True


def test_every_field_has_a_description() -> None:
    models = [CollusionSettings] + [type(getattr(CollusionSettings(), n)) for n in SECTIONS]
    missing = [f"{m.__name__}.{k}" for m in models for k, f in m.model_fields.items() if not f.description]
    assert missing == []


def test_a_nested_toml_table_sets_one_threshold() -> None:
    out = validate_detector_settings({"collusion": {"relist": {"link_threshold": 90}}})
    assert out["collusion"].relist.link_threshold == 90
    assert out["collusion"].relist.review_threshold == 65  # the rest keeps its defaults


def test_unknown_key_in_a_section_is_rejected_with_its_path() -> None:
    with pytest.raises(ConfigError, match=r"detectors\.collusion\.relist\.link_treshold: unknown key"):
        validate_detector_settings({"collusion": {"relist": {"link_treshold": 90}}})


def test_unknown_section_is_rejected() -> None:
    with pytest.raises(ConfigError, match=r"detectors\.collusion\.bid_screens: unknown key"):
        validate_detector_settings({"collusion": {"bid_screens": {}}})


def test_review_band_must_sit_below_the_link_threshold() -> None:
    with pytest.raises(ValidationError, match="review_threshold"):
        RelistSettings(link_threshold=70, review_threshold=80)


def test_fee_table_needs_one_more_cap_than_bounds() -> None:
    with pytest.raises(ValidationError, match="one more entry"):
        ExclusionaryTermsSettings(fee_cap_bounds_vnd=[200_000_000], fee_caps_vnd=[100_000])


def test_strings_are_not_numbers() -> None:
    with pytest.raises(ValidationError):
        CollusionSettings.model_validate({"rotation": {"min_selections": "6"}})


def test_legal_defaults() -> None:
    s = CollusionSettings()
    assert (s.exclusionary_terms.deposit_min_pct, s.exclusionary_terms.deposit_max_pct) == (5, 20)
    assert s.exclusionary_terms.fee_caps_vnd == [50_000, 100_000, 150_000, 200_000, 500_000]
    assert s.exclusionary_terms.land_fee_caps_vnd == [100_000, 200_000, 500_000]
    assert s.relist.max_cut_per_round == 0.10 and s.relist.thads_property_type_ids == [178]

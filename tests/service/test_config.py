"""Configuration: strict validation with file, key and reason; defaults in code; the commented default file."""

from __future__ import annotations

import pytest

from service.config import ConfigError, Settings, load_config


def write(tmp_path, text: str):
    p = tmp_path / "c.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_unknown_key_names_file_key_and_reason(tmp_path):
    p = write(tmp_path, "[portals.dgts]\npage_sise = 50\n")
    with pytest.raises(ConfigError) as exc:
        load_config(p)
    assert str(p) in str(exc.value) and "portals.dgts.page_sise" in str(exc.value) and "unknown key" in str(exc.value)


def test_wrong_type_is_an_error(tmp_path):
    p = write(tmp_path, '[portals.dgts]\npage_size = "100"\n')
    with pytest.raises(ConfigError, match="portals.dgts.page_size"):
        load_config(p)


def test_out_of_range_value_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="page_size"):
        load_config(write(tmp_path, "[portals.dgts]\npage_size = 1000\n"))


def test_unknown_detector_and_detector_key(tmp_path):
    with pytest.raises(ConfigError, match="detectors.nope: unknown detector"):
        load_config(write(tmp_path, "[detectors.nope]\n"))
    with pytest.raises(ConfigError, match="detectors.parcel_details.requird"):
        load_config(write(tmp_path, "[detectors.parcel_details]\nrequird = []\n"))


def test_password_in_file_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="secrets must not be in the file"):
        load_config(write(tmp_path, '[alerts.smtp]\npassword = "x"\n'))


def test_password_comes_from_the_environment(tmp_path, monkeypatch):
    s = load_config(write(tmp_path, '[alerts.smtp]\npassword_env = "MY_SMTP_PW"\n'))
    monkeypatch.setenv("MY_SMTP_PW", "s3cret")
    assert s.alerts.smtp.password() == "s3cret"


def test_invalid_toml_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[database\n"))
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")


def test_bad_recipient_email_and_province(tmp_path):
    with pytest.raises(ConfigError, match="e-mail"):
        load_config(write(tmp_path, '[[alerts.recipients]]\nname = "A"\nemail = "not-an-address"\n'))
    with pytest.raises(ConfigError, match="alerts.recipients"):
        load_config(write(tmp_path, '[[alerts.recipients]]\nname = "A"\nemail = "a@b.vn"\nprovinces = ["Atlantis"]\n'))


def test_init_file_round_trips_to_the_defaults(tmp_path):
    from service.config_template import render_default_config

    text = render_default_config()
    assert text.count("\n# ") > 60  # every key is explained
    p = write(tmp_path, text)
    loaded = load_config(p)
    assert loaded.model_dump(exclude={"detectors"}) == Settings().model_dump(exclude={"detectors"})
    defaults = {n: m.model_dump() for n, m in Settings().detector_settings().items()}
    assert {n: m.model_dump() for n, m in loaded.detector_settings().items()} == defaults


def test_old_province_names_are_accepted_for_recipients(tmp_path):
    s = load_config(write(tmp_path, '[[alerts.recipients]]\nname = "A"\nemail = "a@b.vn"\nprovinces = ["Bình Dương", "Long An"]\n'))
    assert s.alerts.recipients[0].provinces == ["Bình Dương", "Long An"]

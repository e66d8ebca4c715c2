"""fixloop.toml and environment settings: good files load, bad ones name the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import ConfigError, load_config, parse_config
from bot.settings import Settings
from core.tickets import Surface
from tests.fake_secrets import SLACK_BOT_TOKEN

ROOT = Path(__file__).resolve().parent.parent


def test_the_documented_example_loads_with_every_team_and_person():
    config = load_config(ROOT / "fixloop.example.toml")
    org = config.org
    assert "billing" in org.team_keys() and len(org.teams) == 9
    assert org.owner_of("csv-export-timeout").key == "data-platform"
    assert org.owner_of(None, "the VPN drops").key == "it-network"
    assert org.surface_for("slack", "C0ACMECONNECT") == Surface.EXTERNAL
    assert org.sla_for("urgent") == 4 and org.weights.surface["external"] == 1.5
    assert [r.key for r in org.reports_of("mia")] == ["ana", "ben", "chen"]
    assert {s.job for s in config.schedules} == {"digest", "coaching", "recluster", "sla_nudge"}


def test_a_missing_file_gives_defaults():
    config = load_config(ROOT / "no-such-file.toml")
    assert config.org.teams == () and config.org.sla_for("normal") == 72


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"colour": "red"}, "'colour'"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"teams": {"net": {"owns": "vpn"}}}, "teams.net.owns"),
        ({"teams": {"net": {"email": "x"}}}, "teams.net.email"),
        ({"people": {"ana": {"roles": ["wizard"]}}}, "people.ana.roles"),
        ({"people": {"ana": {"manager": "ghost"}}}, "people.ana.manager"),
        ({"sla_hours": {"critical": 4}}, "sla_hours.critical"),
        ({"sla_hours": {"high": -1}}, "sla_hours.high"),
        ({"impact": {"priority": {"high": "two"}}}, "impact.priority.high"),
        ({"surfaces": {"C123": "internal"}}, "surfaces.C123"),
        ({"default_surface": "partner"}, "default_surface"),
        ({"schedule": {"digest": {"day": "someday"}}}, "schedule.digest"),
    ],
)
def test_a_bad_config_names_the_key(data, key):
    with pytest.raises(ConfigError) as info:
        parse_config(data, "fixloop.toml")
    assert key in str(info.value) and str(info.value).startswith("fixloop.toml:")


def test_a_file_that_is_not_toml_fails_clearly(tmp_path):
    path = tmp_path / "fixloop.toml"
    path.write_text("teams = [unclosed")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)


def test_placeholder_secrets_are_refused_and_secrets_never_print(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "changeme")
    with pytest.raises(ValidationError, match="placeholder"):
        Settings()
    monkeypatch.setenv("SLACK_BOT_TOKEN", SLACK_BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "fake-signing-secret")
    settings = Settings()
    assert settings.slack_enabled
    assert SLACK_BOT_TOKEN not in repr(settings) and "fake-signing-secret" not in str(settings.model_dump())


def test_empty_secrets_mean_unset(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "")
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    settings = Settings()
    assert settings.openai_api_key is None and not settings.llm_enabled and not settings.slack_enabled

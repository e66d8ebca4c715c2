"""[sla], team leads and business hours in fixloop.toml: read into the policy, or refused naming the key."""

from __future__ import annotations

import tomllib
from datetime import date, time
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config, parse_config
from core.tickets import Priority

ROOT = Path(__file__).resolve().parent.parent

GOOD = """
timezone = "Europe/Berlin"
[sla_hours]
urgent = 4
[sla]
nudge_at = 0.75
[sla.first_response]
urgent = 0.5
[sla.resolution]
high = 16
[sla.external.first_response]
high = 1
[sla.words]
urgent = ["Everything  is ON FIRE"]
[sla.tiers]
"slack:C0ACME" = "high"
[teams.tier1]
lead = "mia"
[teams.tier1.hours]
days = ["mon", "tue"]
open = "08:30"
close = "16:00"
holidays = ["2026-12-24", 2026-12-25]
[people.mia]
roles = ["manager"]
"""


def test_the_documented_example_sets_a_lead_and_customer_tier() -> None:
    org = load_config(ROOT / "fixloop.example.toml").org
    assert org.sla.leads == {"tier1": "mia"} and org.sla.tiers == {"slack:C0ACMECONNECT": Priority.HIGH}


def test_every_part_of_the_sla_table_is_read() -> None:
    sla = parse_config(tomllib.loads(GOOD), "fixloop.toml").org.sla
    assert sla.nudge_share == 0.75
    assert sla.first_response["urgent"] == 0.5 and sla.first_response["normal"] == 8.0  # defaults kept
    assert sla.resolution == {"high": 16.0}
    assert sla.surfaces == {"external": {"first_response": {"high": 1.0}}}
    assert sla.words == ((Priority.URGENT, ("everything is on fire",)),)
    hours = sla.hours["tier1"]
    assert (hours.timezone, hours.days, hours.opens, hours.closes) == ("Europe/Berlin", {0, 1}, time(8, 30), time(16))
    assert hours.holidays == {date(2026, 12, 24), date(2026, 12, 25)}


@pytest.mark.parametrize(
    ("patch", "key"),
    [
        ("[sla]\nsoon = 1", "sla.soon"),
        ("[sla]\nnudge_at = 1.5", "sla.nudge_at"),
        ("[sla.first_response]\nurgnet = 1", "sla.first_response.urgnet"),
        ("[sla.first_response]\nurgent = -1", "sla.first_response.urgent"),
        ("[sla.external]\nfirst = 1", "sla.external.first"),
        ("[sla.tiers]\nana = \"vip\"", "sla.tiers.ana"),
        ("[sla.words]\nhigh = \"asap\"", "sla.words.high"),
        ("[teams.t]\nlead = \"nobody\"", "teams.t.lead"),
        ("[teams.t.hours]\ndays = [\"monday\"]", "teams.t.hours.days"),
        ("[teams.t.hours]\nopen = \"9am\"", "teams.t.hours.open"),
        ("[teams.t.hours]\nopen = \"18:00\"", "teams.t.hours"),
        ("[teams.t.hours]\ntimezone = \"Mars/Olympus\"", "teams.t.hours.timezone"),
        ("[teams.t.hours]\nholidays = [\"christmas\"]", "teams.t.hours"),
    ],
)
def test_a_bad_sla_entry_is_refused_naming_its_key(patch: str, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(tomllib.loads(patch), "fixloop.toml")
    assert key in str(info.value) and "fixloop.toml" in str(info.value)

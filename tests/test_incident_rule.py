"""The incident rule as pure functions, and its [incidents] settings in fixloop.toml."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.search.tfidf import TfidfRetriever
from bot.config import ConfigError, load_config, parse_config
from core.incidents import IncidentPolicy, IncidentRules, close_to, fires, matching, words
from core.tickets import Surface, Ticket
from tests.incident_support import OUTAGE, history

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
RULES = IncidentRules(IncidentPolicy(), lambda: TfidfRetriever(chars=False))


def ticket(n: int, text: str, requester: str | None = None, cause: str | None = None) -> Ticket:
    return Ticket(
        id=f"FX-T{n:05d}",
        surface=Surface.INTERNAL,
        created_at=NOW,
        requester=requester or f"U{n}",
        subject=text,
        text=text,
        cause_key=cause,
    )


def test_it_fires_on_enough_tickets_from_enough_distinct_people_only():
    policy = IncidentPolicy(min_tickets=5, min_requesters=4)
    five_people = [ticket(n, "x") for n in range(5)]
    three_people = [ticket(n, "x", requester=f"U{n % 3}") for n in range(6)]
    assert fires(five_people, policy) and not fires(five_people[:4], policy)
    assert not fires(three_people, policy)  # one person writing often is not an outage


def test_tickets_match_by_cause_when_one_is_known_and_by_meaning_when_not():
    same = [ticket(n, "anything at all", cause="vpn") for n in range(3)]
    assert matching(ticket(9, "VPN down", cause="vpn"), [*same, ticket(8, "VPN down")], RULES) == same
    outage = [ticket(n, text) for n, text in enumerate(OUTAGE[:5])]
    unrelated = [ticket(10 + n, words(t)) for n, t in enumerate(history(20))]
    background = [words(t) for t in history()]
    found = matching(ticket(99, OUTAGE[5]), [*outage, *unrelated], RULES, background)
    assert {t.id for t in found} == {t.id for t in outage}


def test_words_the_pool_lacks_count_against_a_match():
    pool = [ticket(1, "printer jammed")]
    assert close_to("printer driver install on the new laptop", pool, RULES.similar, 0.5) == []
    assert close_to("the printer jammed again", pool, RULES.similar, 0.5) == pool


def test_the_example_config_has_the_defaults_and_each_key_is_checked():
    assert load_config(ROOT / "fixloop.example.toml").incidents == IncidentPolicy()
    assert parse_config(
        {"incidents": {"min_tickets": 8, "window_minutes": 15}}, "t"
    ).incidents == IncidentPolicy(min_tickets=8, window_minutes=15)
    assert parse_config({"incidents": {"enabled": False}}, "t").incidents is None


@pytest.mark.parametrize(
    ("table", "says"),
    [
        ({"min_ticket": 3}, "incidents.min_ticket is unknown"),
        ({"min_tickets": 2.5}, "incidents.min_tickets must be a whole number"),
        ({"similarity": 2}, "incidents.similarity must be between"),
        ({"min_tickets": 3, "min_requesters": 4}, "cannot exceed"),
    ],
)
def test_a_bad_incidents_setting_names_the_key(table, says):
    with pytest.raises(ConfigError, match=says):
        parse_config({"incidents": table}, "fixloop.toml")

"""Learnt routing: past escalations teach the owning team; "not needed" ones teach tier 1."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.search.classifier import LinearTextClassifier
from adapters.search.features import LexicalFeatures
from core.org import Org, Team
from core.team_routing import TeamRouter, routing_label
from core.tickets import Judgement, Surface, Ticket

ORG = Org(teams=(Team("network", "Network"), Team("identity", "Identity"), Team("tier1", "Tier 1")))
NOW = datetime(2026, 3, 2, tzinfo=UTC)


def escalated(i: int, text: str, team: str, judgement: Judgement | None = None) -> Ticket:
    return Ticket(id=f"T{i}", surface=Surface.INTERNAL, created_at=NOW, subject=text, escalated_to=team,
                  escalation_judgement=judgement)


HISTORY = (
    [escalated(i, t, "network") for i, t in enumerate(
        ["vpn fails to connect", "vpn keeps dropping", "wifi slow on floor 2", "firewall blocks port 443",
         "cannot reach intranet over vpn", "vpn certificate error"])]
    + [escalated(10 + i, t, "identity") for i, t in enumerate(
        ["account locked after mfa", "need access to finance share", "mfa codes not arriving",
         "sso login loops", "group membership missing", "cannot sign in with sso"])]
    + [escalated(20 + i, t, "identity", Judgement.NOT_NEEDED) for i, t in enumerate(
        ["forgot my password", "password reset link expired", "reset my password please",
         "password expired need reset"])]
)


def router() -> TeamRouter:
    r = TeamRouter(LinearTextClassifier(LexicalFeatures()), min_confidence=0.4)
    assert r.learn(HISTORY + [Ticket(id="X", surface=Surface.INTERNAL, created_at=NOW, subject="no escalation")],
                   ORG) == len(HISTORY)
    return r


def test_routes_to_the_team_similar_escalations_went_to() -> None:
    team, confidence = router().predict("the vpn drops every hour")  # type: ignore[misc]
    assert team == "network" and 0.4 <= confidence <= 1


def test_escalations_judged_not_needed_teach_tier_one_to_keep_them() -> None:
    assert router().predict("I forgot my password, please reset it")[0] == "tier1"  # type: ignore[index]


def test_thin_history_or_a_weak_guess_gives_no_suggestion() -> None:
    thin = TeamRouter(LinearTextClassifier(LexicalFeatures()))
    thin.learn(HISTORY[:3], ORG)
    assert thin.predict("vpn drops") is None
    strict = TeamRouter(LinearTextClassifier(LexicalFeatures()), min_confidence=0.99)
    strict.learn(HISTORY, ORG)
    assert strict.predict("something else entirely") is None


def test_routing_label_ignores_unknown_teams_and_unescalated_tickets() -> None:
    assert routing_label(escalated(1, "x", "ghost-team"), ORG) is None
    assert routing_label(Ticket(id="Y", surface=Surface.INTERNAL, created_at=NOW), ORG) is None

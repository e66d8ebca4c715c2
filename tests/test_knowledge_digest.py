"""The digest's knowledge section: what was published from gaps, and how many tickets each solved since."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from adapters.slack.digest_blocks import knowledge_text as slack_text
from adapters.teams.digest_card import knowledge_text as teams_text
from core.drafts import DraftStatus, draft_from_gap
from core.gaps import find_gaps
from core.knowledge import KnowledgeDigest, knowledge_section
from core.org import ImpactWeights
from core.periods import Period
from core.tickets import Resolution, Status
from tests.gaps_ledger import NOW, hand_made, ticket


def published_scene():  # type: ignore[no-untyped-def]
    tickets, causes = hand_made()
    gap = find_gaps(tickets, causes, now=NOW, weights=ImpactWeights())[0]
    draft = draft_from_gap("d1", gap, tickets, causes[0])
    draft = replace(draft, status=DraftStatus.PUBLISHED, decided_at=NOW, article_id="kb-gap-d1",
                    title="VPN <!channel> [click](https://evil.example)")
    later = [ticket(f"FX-{20 + i}", "vpn cert again", cause="c-cert", resolution=Resolution.ARTICLE,
                    article="kb-gap-d1") for i in range(3)]
    for i, t in enumerate(later):  # resolved after publishing, one of them after the period
        t.resolved_at, t.status = NOW + timedelta(days=1 + i * 3), Status.RESOLVED
    before = ticket("FX-30", "vpn cert", cause="c-cert", resolution=Resolution.ARTICLE, article="kb-gap-d1")
    return draft, [*tickets, *later, before]


def test_a_published_article_counts_the_tickets_it_solved_since_within_the_period() -> None:
    draft, tickets = published_scene()
    period = Period(NOW - timedelta(days=7), NOW + timedelta(days=6))
    [shown] = knowledge_section([draft], tickets, period)
    assert (shown.article_id, shown.solved_since) == ("kb-gap-d1", 2)  # FX-30 was solved before it existed
    assert knowledge_section([draft], tickets, Period(NOW - timedelta(days=14), NOW - timedelta(days=7))) == []
    assert knowledge_section([replace(draft, status=DraftStatus.DISCARDED)], tickets, period) == []


def test_the_knowledge_section_is_escaped_on_slack_and_teams() -> None:
    draft, tickets = published_scene()
    section = KnowledgeDigest(knowledge_section([draft], tickets, Period(NOW, NOW + timedelta(days=6))), [])
    data = section.to_dict()
    assert "solved 2 tickets since" in slack_text(data) and "<!channel>" not in slack_text(data)
    assert "&lt;!channel&gt;" in slack_text(data)
    assert "[click](" not in teams_text(data) and "\\[click\\]" in teams_text(data)
    assert "published VPN <!channel>" in "\n".join(section.lines())  # plain text for the terminal

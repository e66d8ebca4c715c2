"""Why the bot stayed quiet: the article it came closest to offering, and how agents read it on both platforms."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from adapters.search.tfidf import TfidfRetriever
from adapters.slack import blocks
from adapters.teams import cards
from core.attachments import Attachment, request_text
from core.escalation import RoutingSuggestion
from core.kb import Article, Library, SuggestionPolicy
from core.near_miss import Near, NearMiss, near_miss, phrase, ticket_near_miss
from core.threads import TriageContext
from core.tickets import Message, Role, Surface, Ticket
from tests.hostile import CARD_FORGERIES, HOSTILE, SLACK_FORGERIES, card_strings

VPN = Article(id="kb-vpn", title="VPN disconnects", body="Reinstall the VPN client and reconnect the tunnel.",
              surface="internal")
REFUND = Article(id="kb-refund", title="Refund a double charge", body="Open the invoice and ask for a refund.",
                 surface="external")


def library(needed: float) -> Library:
    lib = Library(TfidfRetriever(), SuggestionPolicy(min_score=needed))  # cosines: well short of 0.95
    lib.load([VPN, REFUND])
    return lib


def test_where_the_bot_stays_quiet_it_names_its_best_article_and_the_confidence_it_needed() -> None:
    strict = library(0.95)
    miss = near_miss("the vpn tunnel drops", library=strict, surface="internal")
    assert miss is not None and [n.article.id for n in miss.nearest] == ["kb-vpn", "kb-refund"]
    assert miss.needed == 0.95 and miss.confidence == miss.nearest[0].confidence > miss.nearest[1].confidence
    assert 0 < miss.confidence < 0.95 and not strict.suggest("the vpn tunnel drops", "internal").items
    # Where the bot would answer there is no near miss to show, nor for an empty text.
    assert near_miss("the vpn tunnel drops", library=library(0.01), surface="internal") is None
    assert near_miss("   ", library=strict, surface="internal") is None


def test_a_customer_ticket_never_names_an_internal_article() -> None:
    lib = library(0.95)
    inside = near_miss("the vpn tunnel drops", library=lib, surface="internal")
    outside = near_miss("the vpn tunnel drops", library=lib, surface="external")
    assert inside is not None and inside.nearest[0].article.id == "kb-vpn"
    assert outside is not None and [n.article.id for n in outside.nearest] == ["kb-refund"]  # never the VPN one
    assert outside.confidence < inside.confidence


def test_an_article_for_the_other_queue_is_weighed_as_the_suggestion_weighs_it() -> None:
    lib = library(0.95)
    raw = dict(lib.retriever.search("ask for a refund of the invoice"))["kb-refund"]
    miss = near_miss("ask for a refund of the invoice", library=lib, surface="internal")
    assert miss is not None and miss.confidence == pytest.approx(0.8 * raw)


def asked(text: str, **fields: object) -> Ticket:
    at = datetime(2026, 12, 1, tzinfo=UTC)
    return Ticket(id="FX-2", surface=Surface.INTERNAL, created_at=at, text=text, subject=text,
                  messages=[Message(at=at, role=Role.REQUESTER, author="U0EMP", text=text, ref="m1")],
                  **fields)  # type: ignore[arg-type]


def test_a_ticket_shows_a_near_miss_only_where_the_bot_weighed_its_words_and_stayed_quiet() -> None:
    lib = library(0.95)
    quiet = ticket_near_miss(asked("the vpn tunnel drops"), library=lib)
    assert quiet is not None and quiet.nearest[0].article.id == "kb-vpn"
    # Articles were offered: the triage post lists them already.
    assert ticket_near_miss(asked("the vpn tunnel drops", suggested_article_ids=["kb-vpn"]), library=lib) is None
    # A file alone goes to a person whatever the articles say (its logged text names the file).
    files = [Attachment(name="vpn-tunnel.png", mime_type="image/png", message_ref="m1")]
    assert ticket_near_miss(asked(request_text(files), attachments=files), library=lib) is None
    assert ticket_near_miss(asked(request_text(files)), library=lib) is not None  # the same words, typed


def context(title: str) -> TriageContext:
    ticket = Ticket(id="FX-1", surface=Surface.EXTERNAL, created_at=datetime(2026, 12, 1, tzinfo=UTC),
                    platform="slack", requester="U0EMP", subject="espresso machine hums")
    nearest = (Near(Article(id="kb-x", title=title, body=""), 0.043), Near(Article(id="kb-y", title=title, body=""),
                                                                              0.0101))
    miss = NearMiss(nearest, needed=0.21)
    return TriageContext(ticket=ticket, articles_tried=[], similar=[], likely_cause=None,
                         likely_owner=RoutingSuggestion(team=None, why=""), near_miss=miss)


def test_the_nearest_articles_title_is_escaped_on_slack() -> None:
    shown = json.dumps(blocks.triage(context(f"Espresso {HOSTILE}"), "no article fits"))
    assert "Nearest articles, not offered:* Espresso" in shown
    assert "(confidence 0.043), Espresso" in shown and "(0.01); the bot offers from 0.21" in shown
    assert not [forged for forged in SLACK_FORGERIES if forged in shown]


def test_the_nearest_articles_title_is_escaped_on_teams() -> None:
    card = cards.triage(context(f"Espresso {HOSTILE}"), "no article fits")
    shown = card_strings(card)
    assert "Nearest articles, not offered" in shown
    assert any(s.startswith("Espresso") and "(confidence 0.043), Espresso" in s
               and s.endswith("(0.01); the bot offers from 0.21") for s in shown)
    assert not [forged for forged in CARD_FORGERIES for s in shown if forged in s]


def test_a_confidence_just_short_of_the_bar_never_reads_as_the_bar() -> None:
    def one(confidence: float, needed: float) -> str:
        return phrase(NearMiss((Near(Article(id="kb-x", title="T", body=""), confidence),), needed), ["T"])

    assert one(0.043, 0.21) == "T (confidence 0.043); the bot offers from 0.21"
    assert one(0.19996, 0.2) == "T (confidence 0.19996); the bot offers from 0.2"
    assert one(0.00001, 0.00011) == "T (confidence 0.00001); the bot offers from 0.00011"  # never an exponent

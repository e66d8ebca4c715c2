"""Knowledge gaps and extractive drafts on hand-made tickets."""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import web

from adapters.imports.kb import parse_kb
from adapters.llm.openai_llm import OpenAILanguageModel
from core.drafts import draft_from_gap, grounded
from core.gaps import find_gaps, gaps_text, solved_without_article
from core.knowledge import worded
from core.org import ImpactWeights
from core.redaction import redact
from core.tickets import Role
from tests.gaps_ledger import EMAIL, NOW, TOKEN, hand_made
from tests.llm_fake import completion, serve_openai


def test_only_tickets_people_solved_without_an_article_make_a_gap() -> None:
    tickets, _ = hand_made()
    solved = {t.id for t in tickets if solved_without_article(t)}
    # FX-7 was solved by an article, FX-8 is open, FX-9 was a fix nobody asked a person for.
    assert solved == {"FX-1", "FX-2", "FX-3", "FX-4", "FX-5", "FX-6"}


def test_gaps_are_grouped_by_cause_per_surface_and_ranked_by_volume_then_impact() -> None:
    tickets, causes = hand_made()
    gaps = find_gaps(tickets, causes, now=NOW, weights=ImpactWeights(), min_tickets=1)
    assert [(g.key, g.tickets) for g in gaps] == [("internal:c-cert", 3), ("internal:c-print", 2),
                                                  ("external:c-cert", 1)]
    cert = gaps[0]
    assert cert.owner == "it-network" and cert.evidence[0] == "FX-3"  # open 30 hours: the most impact
    assert find_gaps(tickets, causes, now=NOW, weights=ImpactWeights())[-1].key == "internal:c-print"
    assert "Expired VPN certificate: 3 tickets solved without an article" in gaps_text(gaps)


def test_a_covered_gap_is_not_listed_again() -> None:
    tickets, causes = hand_made()
    gaps = find_gaps(tickets, causes, now=NOW, weights=ImpactWeights(), covered=["internal:c-cert"])
    assert "internal:c-cert" not in {g.key for g in gaps}


def test_the_draft_takes_steps_from_agents_replies_before_resolution_and_redacts_personal_data() -> None:
    tickets, causes = hand_made()
    gap = find_gaps(tickets, causes, now=NOW, weights=ImpactWeights())[0]
    draft = draft_from_gap("d1", gap, tickets, causes[0], at=NOW)
    text = draft.markdown()
    assert EMAIL not in text and TOKEN not in text and "[EMAIL]" in text
    # The step that fixed two tickets comes first, then the others in the order the agents wrote them.
    assert draft.steps[:3] == ["Open the Company Portal and click Sync.",
                               "Remove the old certificate from Keychain Access, then sync the portal again.",
                               "Then restart the VPN client."]
    assert any("Keychain Access" in s for s in draft.steps)
    assert not any("Closing this now" in s for s in draft.steps)  # written after resolution
    assert "Open the Company Portal and click Sync." in draft.steps and len(draft.steps) == len(set(draft.steps))
    assert draft.cause == "The device certificate expired after 90 days." and draft.owner == "it-network"
    assert draft.symptoms[0] == "cannot connect to VPN, cert problem" and set(draft.ticket_ids) == {
        "FX-1", "FX-2", "FX-3"}


def test_every_step_of_a_draft_is_found_in_the_tickets() -> None:
    tickets, causes = hand_made()
    gap = find_gaps(tickets, causes, now=NOW, weights=ImpactWeights())[0]
    draft = draft_from_gap("d1", gap, tickets, causes[0])
    replies = [redact(m.text) for t in tickets for m in t.messages if m.role == Role.AGENT]
    assert all(grounded(step, replies, share=1.0) for step in draft.steps)
    assert not grounded("Reinstall Windows and format the disk", replies)


def test_the_exported_markdown_is_read_back_by_import_kb(tmp_path: Path) -> None:
    tickets, causes = hand_made()
    gap = find_gaps(tickets, causes, now=NOW, weights=ImpactWeights())[0]
    draft = draft_from_gap("d1", gap, tickets, causes[0])
    (tmp_path / f"{draft.article_key}.md").write_text(draft.markdown(), encoding="utf-8")
    batch = parse_kb(tmp_path)
    article = batch.articles[0]
    assert article.id == "kb-gap-d1" and article.title == "Expired VPN certificate"
    assert article.owner == "it-network" and article.surface == "internal"
    assert "## Steps that fixed it" in article.body and "1. Open the Company Portal" in article.body


async def test_the_model_words_title_and_problem_but_never_the_steps_and_never_sees_personal_data() -> None:
    tickets, causes = hand_made()
    gap = find_gaps(tickets, causes, now=NOW, weights=ImpactWeights())[0]
    draft = draft_from_gap("d1", gap, tickets, causes[0])
    async with serve_openai() as (server, base_url):
        llm = OpenAILanguageModel(api_key="test-key-not-secret", model="fake-model", base_url=base_url)
        answer = {"name": "Expired VPN device certificate", "summary": f"Mail {EMAIL}: the VPN refuses it."}
        server.reply = lambda: web.json_response(completion(json.dumps(answer)))
        worded_draft = await worded(draft, llm)
        sent = json.dumps(server.requests)
        server.reply = lambda: web.json_response(completion("not json at all"))
        fallback = await worded(draft, llm)
        await llm.close()
    assert EMAIL not in sent and TOKEN not in sent
    assert worded_draft.title == "Expired VPN device certificate" and EMAIL not in worded_draft.problem
    assert worded_draft.steps == draft.steps  # the agents' own words, never the model's
    assert fallback == draft  # a broken answer leaves the extractive draft as it was

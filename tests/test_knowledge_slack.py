"""The knowledge owners' flow in Slack over signed requests: /fixloop gaps, Draft article, Publish once."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from adapters.db.drafts import SqlDraftRepository
from core.causes import Cause
from core.drafts import DraftStatus
from tests.gaps_ledger import EMAIL, TOKEN, hand_made, locked_out
from tests.slack_fake import ANA, EMPLOYEE, LEA, buttons, harness

HOSTILE_TITLE = "VPN <!channel> certificate <https://evil.example|click here>"


@pytest.fixture
async def slack(engine, db_url, tmp_path: Path):
    """Fixloop serving /slack/events against a fake Slack, exporting published articles to tmp_path."""
    async with harness(db_url, fixloop_kb_export_dir=str(tmp_path / "kb")) as h:
        tickets, causes = hand_made()
        causes[0] = Cause(key="c-cert", title=HOSTILE_TITLE, owner="it-network", root_cause=causes[0].root_cause)
        for cause in causes:
            await h.desk.causes.save(cause)
        for t in tickets:
            await h.desk.tickets.add(t)
        yield h


def responses(slack, needle: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return [p for p in slack.fake.of("response_url") if needle in json.dumps(p)]


async def draft_message(slack) -> dict:  # type: ignore[no-untyped-def]
    """Ask for the gaps as a knowledge owner, then click Draft article on the biggest."""
    before = len([p for p in slack.fake.of("response_url") if p.get("text", "").startswith("Draft article: ")])
    await slack.command("/fixloop", "gaps", ANA)
    listed = (await slack.fake.wait_for("response_url", where=lambda p: "Knowledge gaps" in json.dumps(p)))[-1]
    assert listed["response_type"] == "ephemeral"
    draft_button = buttons(listed["blocks"])["fixloop.gap_draft"]
    assert draft_button["value"] == "internal:c-cert"
    await slack.click(draft_button, ANA)
    drafts = await slack.fake.wait_for("response_url", count=before + 1,
                                       where=lambda p: p.get("text", "").startswith("Draft article: "))
    return drafts[-1]


async def test_an_owner_drafts_and_publishes_an_article_once_and_suggestions_use_it(slack, tmp_path: Path):
    posted = await draft_message(slack)
    text = json.dumps(posted)
    assert EMAIL not in text and TOKEN not in text
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text and "<https://evil" not in text
    assert "Open the Company Portal and click Sync." in text
    publish = buttons(posted["blocks"])["fixloop.draft_publish"]

    await slack.click(publish, ANA, message={"ts": "1800000000.000002", "blocks": posted["blocks"]})
    done = (await slack.fake.wait_for("response_url", where=lambda p: "published" in p.get("text", "")))[0]
    assert done["replace_original"] is True and "fixloop.draft_publish" not in json.dumps(done["blocks"])
    article_id = f"kb-gap-{publish['value']}"
    article = await slack.desk.articles.get(article_id)
    assert article is not None and "Keychain Access" in article.body and EMAIL not in article.body
    exported = (tmp_path / "kb" / f"{article_id}.md").read_text(encoding="utf-8")
    assert exported.startswith(f"---\nid: {article_id}\n")
    question = "VPN says the certificate is invalid, Company Portal sync?"
    for _ in range(400):  # the ranker is refitted with it in the background (adapters/model_keeper.py)
        offered = slack.desk.library.suggest(question, "internal")
        if article_id in [s.article.id for s in offered.items]:
            break
        await asyncio.sleep(0.05)
    assert article_id in [s.article.id for s in offered.items]

    # The same click again (a double click, or Slack's replay): nothing is published twice.
    await slack.click(publish, LEA, message={"ts": "1800000000.000002", "blocks": posted["blocks"]})
    again = await slack.fake.wait_for("response_url", where=lambda p: "already" in p.get("text", "").lower())
    assert again[0]["response_type"] == "ephemeral"
    assert len(responses(slack, "published")) == 1
    entries = [e for e in await slack.desk.audit_entries() if e.action == "article_published"]
    assert [(e.who, e.detail.split(":")[0]) for e in entries] == [("ana", article_id)]


async def test_someone_who_is_not_an_owner_cannot_list_draft_or_publish(slack):
    posted = await draft_message(slack)
    publish = buttons(posted["blocks"])["fixloop.draft_publish"]
    await slack.click(publish, EMPLOYEE)
    refused = await slack.fake.wait_for("response_url", where=lambda p: "Only an agent or leader" in p["text"])
    assert refused[0]["response_type"] == "ephemeral"
    assert await slack.desk.articles.get(f"kb-gap-{publish['value']}") is None
    await slack.command("/fixloop", "gaps", EMPLOYEE)
    await slack.fake.wait_for("response_url", count=2, where=lambda p: "Only an agent or leader" in p["text"])


async def test_discard_drops_the_draft_and_a_second_draft_of_the_gap_is_a_new_one(slack):
    posted = await draft_message(slack)
    discard = buttons(posted["blocks"])["fixloop.draft_discard"]
    await slack.click(discard, LEA, message={"ts": "1800000000.000003", "blocks": posted["blocks"]})
    await slack.fake.wait_for("response_url", where=lambda p: "discarded this draft" in p.get("text", ""))
    assert await slack.desk.articles.get(f"kb-gap-{discard['value']}") is None
    again = await draft_message(slack)
    assert buttons(again["blocks"])["fixloop.draft_publish"]["value"] != discard["value"]


async def test_edit_opens_a_form_and_the_saved_draft_is_posted_again_for_review(slack):
    posted = await draft_message(slack)
    edit = buttons(posted["blocks"])["fixloop.draft_edit"]
    await slack.click(edit, ANA, channel="C0KNOW")
    view = (await slack.fake.wait_for("views.open"))[0]["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == "fixloop.draft_edit_view"
    values = {"title": {"type": "plain_text_input", "value": "Expired VPN certificate <!here>"},
              "what_happened": {"type": "plain_text_input", "value": "The VPN refuses the certificate."},
              "what_changes_next": {"type": "plain_text_input", "value": "Sync the Company Portal.\nRestart."}}
    response = await slack.submit(view, ANA, values)
    assert response.status == 200
    again = (await slack.fake.wait_for("chat.postMessage", where=lambda p: "Draft article" in str(p)))[-1]
    assert again["channel"] == "C0KNOW" and "&lt;!here&gt;" in str(again) and "<!here>" not in str(again)
    assert "1. Sync the Company Portal." in str(again) and "2. Restart." in str(again)
    draft = await slack.runtime.desk.articles.get(f"kb-gap-{edit['value']}")
    assert draft is None  # edited, not published


def drafting_or_draft(p: dict) -> bool:  # type: ignore[type-arg]
    return p.get("text", "").startswith("Draft article: ") or "drafting this gap" in p.get("text", "")


async def test_two_owners_pressing_draft_article_at_once_make_one_draft(slack, engine):
    await slack.command("/fixloop", "gaps", ANA)
    listed = (await slack.fake.wait_for("response_url", where=lambda p: "Knowledge gaps" in json.dumps(p)))[-1]
    button = buttons(listed["blocks"])["fixloop.gap_draft"]
    await asyncio.gather(slack.click(button, ANA), slack.click(button, LEA), slack.click(button, ANA))
    await slack.fake.wait_for("response_url", count=3, where=drafting_or_draft)
    drafts = await SqlDraftRepository(engine).list(status=DraftStatus.DRAFT)
    assert [d.gap_key for d in drafts] == ["internal:c-cert"]
    # A later click shows that same draft: the claim was given back once the draft was stored.
    again = await draft_message(slack)
    assert buttons(again["blocks"])["fixloop.draft_publish"]["value"] == drafts[0].id


async def test_a_double_click_on_publish_publishes_once_in_one_transaction(slack, engine, tmp_path: Path):
    posted = await draft_message(slack)
    publish = buttons(posted["blocks"])["fixloop.draft_publish"]
    message = {"ts": "1800000000.000009", "blocks": posted["blocks"]}
    await asyncio.gather(slack.click(publish, ANA, message=message), slack.click(publish, LEA, message=message))
    await slack.fake.wait_for("response_url", count=2, where=lambda p: "published" in p.get("text", "")
                              or "already" in p.get("text", "").lower())
    assert len(responses(slack, "suggestions use it now")) == 1
    article_id = f"kb-gap-{publish['value']}"
    entries = [e for e in await slack.desk.audit_entries() if e.action == "article_published"]
    assert [e.detail.split(":")[0] for e in entries] == [article_id]
    # The leaders hear of it once, through the outbox that committed with the article.
    told = await slack.fake.wait_for("chat.postMessage", where=lambda p: article_id in str(p.get("text", "")))
    assert [p["channel"] for p in told] == ["C0LEADERS"]
    draft = await SqlDraftRepository(engine).get(publish["value"])
    assert draft is not None and draft.status == DraftStatus.PUBLISHED and draft.article_id == article_id
    assert (tmp_path / "kb" / f"{article_id}.md").is_file()


async def test_a_gap_of_tickets_without_a_cause_is_drafted_from_its_button(slack):
    for t in locked_out():
        await slack.desk.tickets.add(t)
    await slack.command("/fixloop", "gaps", ANA)
    listed = (await slack.fake.wait_for("response_url", where=lambda p: "Knowledge gaps" in json.dumps(p)))[-1]
    assert "Many attempts" in json.dumps(listed)
    draft_button = buttons(listed["blocks"])["fixloop.gap_draft"]
    assert draft_button["value"] == "internal:phrase:many_attempts"  # a button value the click accepts
    await slack.click(draft_button, ANA)
    drafted = (await slack.fake.wait_for("response_url",
                                         where=lambda p: p.get("text", "").startswith("Draft article: ")))[-1]
    assert "Locked out after too many attempts" in json.dumps(drafted)
    assert not responses(slack, "not one Fixloop made")

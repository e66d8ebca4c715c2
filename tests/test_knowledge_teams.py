"""The knowledge owners' flow in Teams over signed activities: `gaps`, Draft article, Edit, Publish once."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from adapters.db.drafts import SqlDraftRepository
from core.causes import Cause
from core.drafts import DraftStatus
from tests.gaps_ledger import EMAIL, TOKEN, hand_made, locked_out
from tests.teams_fake import ANA, DM, EMP, LEA, card_of, harness, message, submits

HOSTILE_TITLE = "VPN [click](https://evil.example) certificate ![x](https://evil.example/x.png)"


@pytest.fixture
async def teams(engine, db_url, tmp_path: Path):
    """Fixloop serving /api/messages against a fake connector, exporting published articles to tmp_path."""
    async with harness(db_url, tmp_path, fixloop_kb_export_dir=str(tmp_path / "kb")) as h:
        tickets, causes = hand_made()
        causes[0] = Cause(key="c-cert", title=HOSTILE_TITLE, owner="it-network", root_cause=causes[0].root_cause)
        for cause in causes:
            await h.desk.causes.save(cause)
        for t in tickets:
            await h.desk.tickets.add(t)
        yield h


def rendered(node: object) -> list[str]:
    """The markdown a Teams client renders: TextBlock texts and FactSet values."""
    if isinstance(node, list):
        return [t for item in node for t in rendered(item)]
    if not isinstance(node, dict):
        return []
    own = [node["text"]] if node.get("type") == "TextBlock" else []
    own += [f["value"] for f in node.get("facts", [])] if node.get("type") == "FactSet" else []
    return own + [t for key, value in node.items() if key != "facts" for t in rendered(value)]


async def draft_card(teams, user: str = ANA) -> dict:  # type: ignore[no-untyped-def]
    """Type `gaps` in a personal chat, then press Draft article on the biggest gap."""
    before = len(teams.connector.posted())
    await teams.post(message("gaps", user, DM))
    listed = (await teams.connector.wait_for("posted", before + 1))[-1]
    draft = submits(card_of(listed.body))["gap_draft"]
    assert draft["target"] == "internal:c-cert"
    await teams.click(draft, user, "gaps-card")
    posted = (await teams.connector.wait_for("posted", before + 2))[-1]
    return card_of(posted.body)


async def test_an_owner_drafts_edits_and_publishes_once_and_the_card_is_replaced(teams, tmp_path: Path):
    card = await draft_card(teams)
    text = json.dumps(card)
    assert EMAIL not in text and TOKEN not in text and "Open the Company Portal" in text
    shown = "\n".join(rendered(card))  # input values are plain text fields, never rendered as markdown
    assert "[click](https://evil" not in shown and "![x](" not in shown and "\\[click\\]" in shown
    assert await teams.desk.tickets.count() == 9  # typing `gaps` and pressing buttons opened no ticket

    buttons = submits(card)
    await teams.click(buttons["draft_edit"], ANA, "draft-card", title="Expired VPN certificate",
                      problem="The VPN refuses the device certificate.", steps="Open the Company Portal and "
                      "click Sync.\nRestart the VPN client.")
    edited = (await teams.connector.wait_for("update"))[-1]
    assert "Expired VPN certificate" in json.dumps(edited.body)

    await teams.click(buttons["draft_publish"], ANA, "draft-card")
    updates = await teams.connector.wait_for("update", 2)
    assert "published it as" in json.dumps(updates[-1].body) and "draft_publish" not in json.dumps(updates[-1].body)
    article_id = f"kb-gap-{buttons['draft_publish']['target']}"
    article = await teams.desk.articles.get(article_id)
    assert article is not None and article.title == "Expired VPN certificate"
    assert "2. Restart the VPN client." in article.body
    assert (tmp_path / "kb" / f"{article_id}.md").is_file()

    await teams.click(buttons["draft_publish"], LEA, "draft-card")  # a second click, or a redelivery
    told = await teams.connector.wait_for("posted", where=lambda c: "already decided" in c.body.get("text", ""))
    assert len(told) == 1 and len(await teams.connector.wait_for("update", 2)) == 2


async def test_an_employee_cannot_list_gaps_or_publish(teams):
    card = await draft_card(teams)
    publish = submits(card)["draft_publish"]
    await teams.click(publish, EMP, "draft-card")
    await teams.connector.wait_for("posted", where=lambda c: "Only an agent or leader" in c.body.get("text", ""))
    assert await teams.desk.articles.get(f"kb-gap-{publish['target']}") is None
    await teams.post(message("gaps", EMP, DM))
    await teams.connector.wait_for("posted", 2, where=lambda c: "Only an agent or leader" in c.body.get("text", ""))


async def test_a_damaged_knowledge_button_is_refused_clearly(teams):
    await teams.click({"fixloop": "draft_publish", "target": "../../etc/passwd"}, ANA, "x")
    await teams.connector.wait_for("posted", where=lambda c: "not one Fixloop made" in c.body.get("text", ""))


async def test_two_owners_pressing_draft_article_at_once_make_one_draft(teams, engine):
    await teams.post(message("gaps", ANA, DM))
    listed = (await teams.connector.wait_for("posted"))[-1]
    draft = submits(card_of(listed.body))["gap_draft"]
    await asyncio.gather(teams.click(draft, ANA, "gaps-card"), teams.click(draft, LEA, "gaps-card-2"),
                         teams.click(draft, ANA, "gaps-card"))
    await teams.connector.wait_for("posted", 4)  # the list, then a draft or "someone is drafting" for each
    drafts = await SqlDraftRepository(engine).list(status=DraftStatus.DRAFT)
    assert [d.gap_key for d in drafts] == ["internal:c-cert"]
    again = await draft_card(teams)  # later: the same open draft, not a new one
    assert submits(again)["draft_publish"]["target"] == drafts[0].id


async def test_a_double_click_on_publish_publishes_once_with_one_notice(teams, engine, tmp_path: Path):
    card = await draft_card(teams)
    publish = submits(card)["draft_publish"]
    await asyncio.gather(teams.click(publish, ANA, "draft-card"), teams.click(publish, LEA, "draft-card"))
    await teams.connector.wait_for("update")
    await teams.connector.wait_for("posted", where=lambda c: "already" in c.body.get("text", ""))
    article_id = f"kb-gap-{publish['target']}"
    entries = [e for e in await teams.desk.audit_entries() if e.action == "article_published"]
    assert [e.detail.split(":")[0] for e in entries] == [article_id]
    told = await teams.connector.wait_for("posted", where=lambda c: article_id in json.dumps(c.body)
                                          and "from a knowledge gap" in json.dumps(c.body))
    assert len(told) == 1 and len([c for c in teams.connector.calls if c.kind == "update"]) == 1
    draft = await SqlDraftRepository(engine).get(publish["target"])
    assert draft is not None and draft.status == DraftStatus.PUBLISHED
    assert (tmp_path / "kb" / f"{article_id}.md").is_file()


async def test_a_gap_of_tickets_without_a_cause_is_drafted_from_its_button(teams):
    for t in locked_out():
        await teams.desk.tickets.add(t)
    await teams.post(message("gaps", ANA, DM))
    listed = (await teams.connector.wait_for("posted"))[-1]
    draft = submits(card_of(listed.body))["gap_draft"]
    assert draft["target"] == "internal:phrase:many_attempts"
    await teams.click(draft, ANA, "gaps-card")
    posted = (await teams.connector.wait_for("posted", 2))[-1]
    text = json.dumps(card_of(posted.body))
    assert "Locked out after too many attempts" in text and "not one Fixloop made" not in json.dumps(posted.body)

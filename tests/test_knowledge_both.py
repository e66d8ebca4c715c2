"""One gap, one draft: *Draft article* pressed in Slack and in Teams at the same moment (signed requests)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from adapters.db.drafts import SqlDraftRepository
from core.drafts import DraftStatus
from tests import slack_fake, teams_fake
from tests.slack_fake import buttons
from tests.teams_fake import card_of, message, submits
from tests.test_gaps_drafts import hand_made


def _drafting_or_draft(p: dict) -> bool:  # type: ignore[type-arg]
    return p.get("text", "").startswith("Draft article: ") or "drafting this gap" in p.get("text", "")


async def test_a_slack_and_a_teams_click_on_one_gap_make_one_draft(engine, db_url, tmp_path: Path):
    async with slack_fake.harness(db_url) as slack, teams_fake.harness(db_url, tmp_path) as teams:
        tickets, causes = hand_made()
        for cause in causes:
            await slack.desk.causes.save(cause)
        for t in tickets:
            await slack.desk.tickets.add(t)
        await slack.command("/fixloop", "gaps", slack_fake.ANA)
        listed = await slack.fake.wait_for("response_url", where=lambda p: "Knowledge gaps" in json.dumps(p))
        slack_button = buttons(listed[-1]["blocks"])["fixloop.gap_draft"]
        await teams.post(message("gaps", teams_fake.ANA))
        teams_button = submits(card_of((await teams.connector.wait_for("posted"))[-1].body))["gap_draft"]
        assert slack_button["value"] == teams_button["target"] == "internal:c-cert"

        await asyncio.gather(slack.click(slack_button, slack_fake.ANA),
                             teams.click(teams_button, teams_fake.ANA, "gaps-card"),
                             slack.click(slack_button, slack_fake.LEA),
                             teams.click(teams_button, teams_fake.LEA, "gaps-card-2"))

        await slack.fake.wait_for("response_url", count=2, where=_drafting_or_draft)
        await teams.connector.wait_for("posted", 3)  # the list, then a draft or "someone is drafting" each
        drafts = await SqlDraftRepository(engine).list(status=DraftStatus.DRAFT)
        assert [d.gap_key for d in drafts] == ["internal:c-cert"]

"""Teams parity for the front line: the agent-requester relay both ways through the reply chains of the
triage and escalation posts, the typed front-line commands, and one File fix issue per double click.

Every activity is raw JSON as Teams posts it (a reply in a channel's chain has the conversation id
"19:...;messageid=<root>" and replyToId), signed, through POST /api/messages.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from core.audit import AuditAction
from core.messages import Escalate
from core.tickets import Priority, Role, Status
from tests.teams_fake import (
    ANA,
    DM,
    EMP,
    LEA,
    LEADERS,
    NETWORK,
    TENANT,
    TRIAGE,
    Call,
    card_of,
    harness,
    mention_bot,
    message,
    submits,
)
from tests.teams_loop_support import escalate, open_ticket, say
from tests.trackers_fake import FakeGithub, serve

OTHER = "eeeeeeee-0000-4000-8000-eeeeeeeeeeee"  # another employee
HOSTILE = "Reinstall **now** [here](https://evil.example) <at>x</at>"


@pytest.fixture
async def teams(engine, db_url, tmp_path):
    """Fixloop serving /api/messages against a fake Bot Connector; rows are deleted after the test."""
    async with harness(db_url, tmp_path) as h:
        yield h


def in_chain(text: str, user: str, channel: str, root: str, mention: bool = True, **extra: Any) -> dict:
    """A reply in a channel post's reply chain, as Teams posts it to the bot."""
    return message(
        f"<at>Fixloop</at> {text}" if mention else text,
        user,
        f"{channel};messageid={root}",
        "channel",
        replyToId=root,
        entities=mention_bot() if mention else [],
        channelData={"teamsChannelId": channel, "channel": {"id": channel}, "tenant": {"id": TENANT}},
        **extra,
    )


async def remembered(teams, ticket_id: str, kind: str, channel: str) -> str:  # type: ignore[no-untyped-def]
    """The root id of the ticket's triage or escalation post in Teams, once the notifier kept it."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        chain = (await teams.desk.tickets.get(ticket_id)).chat.get(f"teams_{kind}_post", "")
        if chain.startswith(f"{channel};messageid="):
            return str(chain.partition(";messageid=")[2])
        await asyncio.sleep(0.02)
    raise AssertionError(f"the {kind} post of {ticket_id} was never remembered")


async def to_triage(teams):  # type: ignore[no-untyped-def]
    """A personal-chat ticket whose requester asked for a person: (ticket, root id of the triage post)."""
    ticket, reply = await open_ticket(teams)
    await teams.click(submits(card_of(reply.body))["need_help"], EMP, card_id="c1")
    await teams.connector.wait_for("posted", where=lambda c: c.conversation == TRIAGE)
    return ticket, await remembered(teams, ticket.id, "triage", TRIAGE)


def to_requester(c: Call) -> bool:
    return c.conversation == DM and "Ana Souza" in str(c.body)


async def test_an_agents_reply_in_the_triage_chain_reaches_the_requester_and_theirs_comes_back(teams):
    ticket, root = await to_triage(teams)
    await teams.post(in_chain(HOSTILE, ANA, TRIAGE, root, id="r1"))
    told = (await teams.connector.wait_for("posted", where=to_requester))[0]
    shown = " ".join(str(part.get("text", "")) for part in card_of(told.body)["body"])
    assert "Ana Souza: Reinstall \\*\\*now\\*\\* \\[here\\]\\(" in shown  # inert in the requester's card
    saved = await teams.desk.tickets.get(ticket.id)
    assert saved.first_human_reply_at is not None and saved.agents == ["ana"]
    assert saved.status == Status.IN_PROGRESS and saved.messages[-1].role == Role.AGENT
    assert any(e.action == AuditAction.REPLIED for e in await teams.desk.audit.list())

    await teams.post(message("Reinstalled, it still drops *all* calls", EMP, DM, id="m2"))
    chain = f"{TRIAGE};messageid={root}"
    back = await teams.connector.wait_for("posted", where=lambda c: c.conversation == chain)
    assert "Reinstalled, it still drops \\*all\\* calls" in back[0].body["text"] and ticket.id in back[0].body["text"]
    assert len(await teams.desk.tickets.list(requester=EMP)) == 1  # the reply joined, no new ticket

    await teams.post(in_chain(HOSTILE, ANA, TRIAGE, root, id="r1"))  # Teams delivers r1 again
    await teams.post(message("marker", EMP, DM, id="m3"))
    await teams.connector.wait_for("posted", where=lambda c: c.conversation == chain and "marker" in str(c.body))
    await teams.runtime.drain(within=30)
    assert len(teams.connector.posted(to_requester)) == 1


async def test_a_reply_without_a_mention_relays_too_and_a_non_agents_stays_in_the_chain(teams):
    ticket, root = await to_triage(teams)
    await teams.post(in_chain("Who owns this one?", LEA, TRIAGE, root, id="r1"))
    await teams.post(in_chain("On it, checking the gateway", ANA, TRIAGE, root, mention=False, id="r2"))
    await teams.connector.wait_for("posted", where=to_requester)
    await teams.runtime.drain(within=30)
    to_dm = teams.connector.posted(lambda c: c.conversation == DM)
    assert not any("Who owns" in str(c.body) for c in to_dm)
    saved = await teams.desk.tickets.get(ticket.id)
    assert not any("Who owns" in m.text for m in saved.messages) and saved.agents == ["ana"]
    assert len(await teams.desk.tickets.list()) == 1  # neither reply opened a ticket of its own


async def test_an_owners_reply_in_the_escalation_chain_reaches_the_requester(teams):
    ticket, _ = await open_ticket(teams)
    await escalate(teams, ticket)
    root = await remembered(teams, ticket.id, "escalation", NETWORK)
    await teams.post(in_chain("The gateway certificate expired; renewed now", ANA, NETWORK, root, id="e1"))
    told = await teams.connector.wait_for("posted", where=lambda c: to_requester(c) and "renewed" in str(c.body))
    assert told
    saved = await teams.desk.tickets.get(ticket.id)
    assert saved.first_human_reply_at is not None and saved.status == Status.ESCALATED


async def second_ticket(teams):  # type: ignore[no-untyped-def]
    """A ticket of another employee, from their own personal chat."""
    await teams.post(message("Printer on floor 3 jams", OTHER, "a:1other-chat", id="m9"))
    await teams.connector.wait_for("reply", where=lambda c: c.activity_id == "m9")
    return await teams.desk.find_thread("teams:a:1other-chat;messageid=m9")


def assign_ana(ticket_id: str, user: str, id: str) -> dict[str, Any]:
    """`@Fixloop assign FX-... @Ana Souza` in the triage channel, with both mention entities Teams adds."""
    ana = {"type": "mention", "mentioned": {"id": "29:aaaaaaaa", "name": "Ana Souza"}, "text": "<at>Ana Souza</at>"}
    return message(f"<at>Fixloop</at> assign {ticket_id} <at>Ana Souza</at>", user, f"{TRIAGE};messageid={id}",
                   "channel", id=id, entities=[*mention_bot(), ana])


async def test_typed_reply_assign_priority_link_and_resolve_in_teams(teams):
    ticket, _ = await open_ticket(teams)
    other = await second_ticket(teams)
    await say(teams, f"reply {ticket.id} Please restart the VPN client", ANA, id="t1")
    await teams.connector.wait_for("posted", where=lambda c: "Sent to the requester" in c.body.get("text", ""))
    await teams.connector.wait_for("posted", where=lambda c: to_requester(c) and "restart the VPN" in str(c.body))
    await teams.post(assign_ana(other.id, LEA, "t2"))  # a leader may not assign
    await teams.connector.wait_for("posted", where=lambda c: "Only an agent can do that" in c.body.get("text", ""))
    assert (await teams.desk.tickets.get(other.id)).agents == []
    await teams.post(assign_ana(other.id, ANA, "t3"))
    await teams.connector.wait_for("posted", where=lambda c: "assigned to Ana Souza" in c.body.get("text", ""))
    for typed, expected in (
        (f"priority {other.id} urgent", f"{other.id} is now urgent priority"),
        (f"link {ticket.id} {other.id}", f"{ticket.id} and {other.id} are linked."),
        (f"resolve {other.id} jam cleared", f"{other.id} is resolved; the requester was asked for feedback."),
    ):
        await say(teams, typed, ANA, id=f"t-{typed.split()[0]}")
        await teams.connector.wait_for("posted", where=lambda c, e=expected: c.body.get("text", "").startswith(e))
    first, second = await teams.desk.tickets.get(ticket.id), await teams.desk.tickets.get(other.id)
    assert second.agents == ["ana"] and second.priority == Priority.URGENT and second.status == Status.RESOLVED
    assert first.linked == [other.id] and second.linked == [ticket.id] and first.first_human_reply_at
    actions = [e.action for e in await teams.desk.audit.list()]
    for action in ("replied", "assigned", "priority_set", "tickets_linked", "resolved"):
        assert actions.count(AuditAction(action)) == 1


BAD = [
    ("priority {ticket} whenever", ANA, "'whenever' is not a priority: use one of low, normal, high, urgent"),
    ("priority FX-ZZZZZZ high", ANA, "No ticket 'FX-ZZZZZZ'."),
    ("link {ticket} {ticket}", ANA, "cannot be linked to itself"),
    ("reply {ticket}", ANA, "Say what to tell the requester"),
    ("resolve", ANA, "Say which ticket"),
    ("reply {ticket} hello", EMP, "Only an agent can do that"),
    ("priority {ticket} high", LEA, "Only an agent can do that"),
    ("assign {ticket} lea", ANA, "Lea Moreau is not an agent"),
]


@pytest.mark.parametrize(("typed", "user", "told"), BAD, ids=[b[0] + " by " + b[1][:4] for b in BAD])
async def test_bad_input_and_no_permission_are_told_clearly_and_change_nothing(teams, typed, user, told):
    ticket, _ = await open_ticket(teams)
    before = await teams.desk.tickets.get(ticket.id)
    text = typed.format(ticket=ticket.id)
    if user == EMP:  # an employee types in their personal chat with the bot
        await teams.post(message(text, EMP, DM, id="b1"))
    else:
        await say(teams, text, user, TRIAGE, id="b1")
    await teams.connector.wait_for("posted", where=lambda c: told in c.body.get("text", ""))
    after = await teams.desk.tickets.get(ticket.id)
    assert (after.priority, after.status, after.agents, after.linked, len(after.messages)) == (
        before.priority, before.status, before.agents, before.linked, len(before.messages))


async def test_an_employees_reply_to_word_in_a_chat_is_a_request_not_a_command(teams):
    ticket, _ = await open_ticket(teams, "reply to all is greyed out in Outlook")
    assert ticket is not None and ticket.text == "reply to all is greyed out in Outlook"


TRACKER = '\n[teams.it-network.tracker]\nkind = "github"\nrepo = "acme/it-network"\n'


class SlowGithub(FakeGithub):
    """GitHub answering an issue creation after a while, so that two clicks are in flight together."""

    repo = "acme/it-network"

    def answer(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        if method == "POST" and path.endswith("/issues"):
            time.sleep(0.5)
        return super().answer(method, path, query, body)


async def test_a_double_click_on_file_fix_files_one_issue_on_two_replicas(engine, db_url, tmp_path):
    with serve(SlowGithub()) as github:
        settings = {"github_token": "ghtest-token", "github_api_url": github.base}
        async with harness(db_url, tmp_path, TRACKER, **settings) as one, \
                harness(db_url, tmp_path, TRACKER, **settings) as two:
            ticket, _ = await open_ticket(one)
            await one.desk.escalate(Escalate(ticket.id, ANA, team="it-network", reason="cert"))  # the owner
            await one.desk.record_root_cause(ticket.id, "The gateway certificate expired", ANA, title="VPN cert")
            await one.runtime.drain(within=30)  # the escalation's notices are out: the next post is the list
            card = card_of((await say(one, "causes", LEA, LEADERS, "c1")).body)
            data = submits(card)["file_fix"]

            def click(h):  # type: ignore[no-untyped-def]
                return h.click(data, LEA, "causes-card", f"{LEADERS};messageid=c1", "channel")

            await asyncio.gather(click(one), click(two))
            answers = await _answers(("fix issue", "already used"), 2, one, two)  # both clicks answered
            filed = [r for r in github.requests if r[0] == "POST" and r[1].endswith("/issues")]
            assert len(filed) == 1  # without the claim both clicks file one, and one of the two is orphaned
            assert sorted(a[:12] for a in answers) == ["Lea Moreau f", "That button "]


async def _answers(words: tuple[str, ...], count: int, *replicas: Any) -> list[str]:
    """Wait until the replicas together said `count` things containing one of the words; return them."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        said = [c.body.get("text", "") for h in replicas for c in h.connector.posted()]
        found = [t for t in said if any(w in t for w in words)]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"not {count} answers with {words}: {said}")

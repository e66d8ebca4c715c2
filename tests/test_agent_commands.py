"""One parser for the front line's commands on every surface, and its use cases on the core Desk."""

from __future__ import annotations

import pytest

from bot.chat_commands import COMMANDS, Session
from core.agent_commands import AgentCommand, Verb, looks_like_command, parse
from core.audit import AuditAction
from core.errors import InvalidInput, NotAllowed
from core.messages import LogRequest
from core.tickets import Priority, Status
from tests.fakes import FakeNotifier, fake_desk

PARSED = [
    ("assign FX-ab12cd", AgentCommand(Verb.ASSIGN, "FX-AB12CD")),
    ("/assign FX-AB12CD <@U0ANA|Ana Souza>", AgentCommand(Verb.ASSIGN, "FX-AB12CD", person="<@U0ANA|Ana Souza>")),
    ("reply FX-AB12CD  Restart the client,\nthen sign in", AgentCommand(
        Verb.REPLY, "FX-AB12CD", text="Restart the client,\nthen sign in")),
    ("Resolve FX-AB12CD", AgentCommand(Verb.RESOLVE, "FX-AB12CD")),
    ("priority FX-AB12CD Urgent", AgentCommand(Verb.PRIORITY, "FX-AB12CD", priority=Priority.URGENT)),
    ("link fx-ab12cd FX-CD34EF", AgentCommand(Verb.LINK, "FX-AB12CD", other="FX-CD34EF")),
    ("escalate FX-AB12CD", None),
    ("my printer jams", None),
]


@pytest.mark.parametrize(("text", "expected"), PARSED, ids=[p[0][:24] for p in PARSED])
def test_the_one_parser_reads_each_command(text, expected):
    assert parse(text) == expected


REFUSED = [
    ("priority FX-AB12CD soonish", "'soonish' is not a priority: use one of low, normal, high, urgent"),
    ("assign FX-AB12CD ana ben", "Name one person"),
    ("link FX-AB12CD FX-AB12CD", "cannot be linked to itself"),
    ("link FX-AB12CD FX-CD34EF FX-EF56GH", "Name the one ticket to link to"),
    ("reply FX-AB12CD", "Say what to tell the requester"),
    ("resolve", "Say which ticket"),
]


@pytest.mark.parametrize(("text", "told"), REFUSED, ids=[r[0] for r in REFUSED])
def test_bad_input_is_refused_with_the_usage(text, told):
    with pytest.raises(InvalidInput, match=told):
        parse(text)


def test_an_employees_sentence_starting_with_a_verb_is_no_command():
    assert looks_like_command("reply FX-AB12CD thanks")
    assert not looks_like_command("reply to all is greyed out")
    assert not looks_like_command("link in the email does not open")


async def test_the_terminal_runs_the_same_commands_as_the_same_agent_role(capsys):
    notifier = FakeNotifier()
    desk = await fake_desk(notifier=notifier)
    reply = await desk.log_request(LogRequest("console", "emp-1", "Printer jams on floor 3", "console:emp-1:1"))
    ticket = reply.ticket.id
    agent = Session(desk=desk, user="ana", role="agent")
    await COMMANDS["priority"](agent, [ticket, "high"])
    await COMMANDS["reply"](agent, [ticket, "Open", "tray", "2"])
    assert capsys.readouterr().out.splitlines() == [
        f"  {ticket} is now high priority (was normal).",
        f"  Sent to the requester of {ticket}.",
    ]
    with pytest.raises(InvalidInput, match="'asap' is not a priority"):
        await COMMANDS["priority"](agent, [ticket, "asap"])
    with pytest.raises(NotAllowed, match="Only an agent can do that"):
        await COMMANDS["resolve"](Session(desk=desk, user="mia", role="manager"), [ticket])
    saved = await desk.tickets.get(ticket)
    assert saved.priority == Priority.HIGH and saved.status == Status.IN_PROGRESS
    assert [n.text for n in notifier.sent if n.kind == "agent_reply"] == ["Ana: Open tray 2"]


async def test_a_command_delivered_twice_changes_the_ticket_and_the_audit_log_once():
    desk = await fake_desk()
    reply = await desk.log_request(LogRequest("slack", "emp-1", "Printer jams on floor 3", "slack:D1:1.0"))
    cmd = parse(f"resolve {reply.ticket.id} cleared the jam")
    assert cmd is not None
    first = await desk.front_line(cmd, "UANA", "slack", ref="slack:command:trig-1")
    again = await desk.front_line(cmd, "UANA", "slack", ref="slack:command:trig-1")
    assert first.changed and not again.changed and again.text.endswith("done already.")
    assert [e.action for e in await desk.audit.list()] == [AuditAction.RESOLVED]
    saved = await desk.tickets.get(reply.ticket.id)
    assert saved.status == Status.RESOLVED and saved.messages[-1].text == "Resolved. cleared the jam"


async def test_an_agents_id_on_another_platform_is_not_an_agent_here():
    desk = await fake_desk()
    reply = await desk.log_request(LogRequest("slack", "emp-1", "Printer jams on floor 3", "slack:D1:1.0"))
    cmd = parse(f"priority {reply.ticket.id} low")
    assert cmd is not None
    with pytest.raises(NotAllowed):  # ana's Slack id typed in Teams is nobody there
        await desk.front_line(cmd, "UANA", "teams")
    assert (await desk.tickets.get(reply.ticket.id)).priority == Priority.NORMAL

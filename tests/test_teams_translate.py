"""Teams translation, cards and the reference store as plain data."""

from __future__ import annotations

import json

import pytest
from botbuilder.schema import Activity, ConversationAccount, ConversationReference

from adapters.db.conversations import SqlCardClaims, SqlConversationReferences
from adapters.teams import cards, escalation_cards, forms, translate
from adapters.teams.ids import Verb
from adapters.teams.references import ConversationReferenceStore
from core.errors import InvalidInput
from core.escalation import Escalation, Evidence
from tests.fakes import FakeClock, sample_org
from tests.teams_fake import ANA, BOT, EMP, submits

ORG = sample_org()


def activity(text: str = "", conversation: str = "a:chat", kind: str = "personal", **extra) -> Activity:  # type: ignore[no-untyped-def]
    """A Teams message activity from its JSON, as the Bot Framework deserializes what the channel posts."""
    return Activity().deserialize(
        {
            "type": "message",
            "id": extra.pop("id", "m1"),
            "channelId": "msteams",
            "text": text,
            "from": {"id": "29:x", "aadObjectId": EMP, "name": "Eve"},
            "recipient": BOT,
            "conversation": {"id": conversation, "conversationType": kind},
            "channelData": {"tenant": {"id": "T1"}},
            "serviceUrl": "https://smba.example.test/",
            **extra,
        }
    )


def test_a_channel_reply_hangs_on_its_root_and_a_personal_chat_has_none():
    reply = translate.place_of(
        activity(conversation="19:c@thread.tacv2;messageid=100", kind="channel", id="105")
    )
    assert (reply.base, reply.root) == ("19:c@thread.tacv2", "100")
    assert translate.place_of(activity()).root is None
    assert translate.thread_key(reply, "100") == "teams:19:c@thread.tacv2;messageid=100"


def test_mentions_and_markup_are_removed_from_the_text():
    a = activity(
        "<at>Fixloop</at> my <b>VPN</b>&nbsp;fails", entities=[{"type": "mention", "mentioned": BOT}]
    )
    assert translate.text_of(a) == "my VPN fails" and translate.mentions_bot(a)


def test_routes_personal_chats_mentions_and_replies_in_a_chain():
    assert translate.route(activity(), ORG) == "log"
    root = activity(conversation="19:c@thread.tacv2;messageid=m1", kind="channel", id="m1")
    reply = activity(conversation="19:c@thread.tacv2;messageid=m1", kind="channel", id="m2")
    assert (translate.route(root, ORG), translate.route(reply, ORG)) == ("ignore", "join")
    assert translate.route(activity(kind="groupChat"), ORG) == "ignore"


def test_the_request_carries_what_the_notifier_needs_to_answer_later():
    cmd = translate.log_request(activity("VPN fails", id="m1"), ORG, "m1")
    assert cmd.platform == "teams" and cmd.requester == EMP and cmd.thread_key == "teams:a:chat;messageid=m1"
    assert cmd.chat == {
        "conversation_id": "a:chat",
        "service_url": "https://smba.example.test/",
        "activity_id": "m1",
        "kind": "personal",
        "tenant_id": "T1",
    }


def test_commands_are_recognised_only_where_they_cannot_be_a_help_request():
    assert translate.command_of(activity("help"), ORG).verb == Verb.HELP
    assert translate.command_of(activity("help my vpn is down"), ORG) is None
    assert translate.command_of(activity("ticket fx-ab12cd"), ORG).ticket == "FX-AB12CD"
    assert translate.command_of(activity("escalate to someone please"), ORG) is None  # an employee's request
    typed = translate.command_of(activity("escalate FX-AB12CD billing charged twice"), ORG)
    assert (typed.ticket, typed.team, typed.reason) == ("FX-AB12CD", "billing", "charged twice")


def test_a_submit_carries_its_ids_and_inputs_and_a_damaged_one_is_refused():
    s = translate.submit_of(
        activity(value={"fixloop": "csat", "ticket": "FX-1", "score": "4", "reason": " x "})
    )
    assert (s.action, s.ticket, s.score, s.values) == ("csat", "FX-1", 4, {"reason": "x"})
    assert translate.submit_of(activity(value={"other": 1})) is None
    with pytest.raises(InvalidInput, match="damaged"):
        translate.submit_of(activity(value={"fixloop": "launch_rockets"}))


def test_the_evidence_card_drops_the_judge_buttons_once_judged():
    esc = Escalation("ESC-1", "FX-1", "ana", "it-network", "cert", FakeClock().now(), Evidence("summary"))
    assert {"judge_needed", "judge_not_needed", "fix_shipped", "root_cause", "link_fix", "file_fix"} == set(
        submits(escalation_cards.escalation(esc))
    )
    esc.judge("needed", FakeClock().now(), "ana")  # type: ignore[arg-type]
    assert "judge_needed" not in submits(escalation_cards.escalation(esc, done="judged"))
    assert len(json.dumps(escalation_cards.escalation(esc))) < 28_000  # Teams refuses messages over about 28 KB


def test_the_escalation_form_is_prefilled_and_every_card_is_an_adaptive_card():
    form = forms.escalate_form("FX-1", ORG.teams, "billing", "Billing owns this topic", "charged twice")
    assert form["body"][2]["value"] == "billing" and form["body"][3]["value"] == "charged twice"
    attachment = cards.attachment(form)
    assert attachment.content_type == "application/vnd.microsoft.card.adaptive" and form["version"] == "1.5"


async def test_references_are_stored_replaced_and_read_back_and_claims_hold_once(sessionmaker):
    store = ConversationReferenceStore(SqlConversationReferences(sessionmaker))
    claims = SqlCardClaims(sessionmaker)
    reference = ConversationReference(service_url="https://a/", conversation=ConversationAccount(id="a:1"))
    await store.save(f"user:{ANA}", reference)
    reference.service_url = "https://b/"
    await store.save(f"user:{ANA}", reference)
    assert (await store.get(f"user:{ANA}")).service_url == "https://b/" and await store.get("user:x") is None
    assert (await store.latest()).conversation.id == "a:1"
    assert await claims.claim("card", "judge") and not await claims.claim("card", "judge")
    await claims.release("card", "judge")
    assert await claims.claim("card", "judge")

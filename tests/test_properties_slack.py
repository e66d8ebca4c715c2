"""Property-based tests of the Slack payload translators: any payload translates or is refused clearly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.slack import forms, translate
from adapters.slack.forms import Ref
from core.messages import Escalate, LogRequest, RecordReview
from tests.fakes import sample_org
from tests.hostile import JSON, STRINGS, TEXT, either, payload

ORG = sample_org()
FAST = settings(max_examples=150, deadline=None)
IDS = st.sampled_from(["U0ANA", "C0TRIAGE", "D0EMP", "1700000000.000100", "ticket", "message"])
EVENT = payload(
    {
        "type": st.sampled_from(["message", "app_mention", "reaction_added"]),
        "subtype": st.sampled_from(["message_changed", "message_deleted", "thread_broadcast", "bot_message"]),
        "user": IDS,
        "text": STRINGS,
        "channel": IDS,
        "channel_type": st.sampled_from(["im", "channel"]),
        "ts": IDS,
        "thread_ts": IDS,
        "bot_id": IDS,
        "reaction": st.sampled_from(["ticket", "eyes"]),
        "item": payload({"type": st.just("message"), "channel": IDS, "ts": IDS}),
        "item_user": IDS,
        "message": payload({"user": IDS, "text": STRINGS, "ts": IDS, "thread_ts": IDS, "subtype": IDS}),
        "previous_message": payload({"ts": IDS, "thread_ts": IDS, "bot_id": IDS}),
        "deleted_ts": IDS,
    }
)
BODY = payload({"is_ext_shared_channel": st.booleans(), "user": payload({"id": IDS}), "user_id": IDS})


def is_request(value: object) -> bool:
    return value is None or (
        isinstance(value, LogRequest)
        and all(isinstance(v, str) for v in (value.requester, value.text, value.thread_key, value.channel))
    )


@FAST
@given(EVENT, BODY)
def test_any_event_routes_and_translates_or_is_refused_clearly(event, body):
    assert either(translate.route, event, ORG, "U0BOT") in (None, "log", "join", "ignore")
    assert is_request(either(translate.message_request, event, body, ORG))
    assert is_request(either(translate.mention_request, event, body, ORG))
    change = either(translate.change_of, event)
    assert change is None or (isinstance(change.thread_key, str) and change.text in (None, change.text or ""))
    target = either(translate.reaction_target, event)
    assert target is None or all(isinstance(part, str) for part in target)
    assert is_request(either(translate.reaction_request, event, event.get("message") or {}, body, ORG))


@FAST
@given(payload({"message": EVENT, "channel": payload({"id": IDS}), "user": payload({"id": IDS})}))
def test_any_shortcut_translates_or_is_refused_clearly(shortcut):
    assert is_request(either(translate.shortcut_request, shortcut, ORG))


@FAST
@given(st.one_of(STRINGS, st.builds(lambda d: __import__("json").dumps(d), JSON), st.none()))
def test_any_button_value_decodes_to_plain_ids_or_is_refused_clearly(value):
    ref = either(Ref.decode, value)
    if ref is not None:
        assert isinstance(ref.ticket, str) and ref.score is None or isinstance(ref.score, int)
        assert all(v is None or isinstance(v, str) for v in (ref.article, ref.escalation, ref.channel, ref.ts))


@FAST
@given(BODY)
def test_the_actor_of_any_body_is_a_string_or_refused(body):
    who = either(forms.actor, body)
    assert who is None or isinstance(who, str)


@FAST
@given(STRINGS)
def test_any_command_text_gives_its_arguments_or_is_refused(text):
    parsed = either(forms.escalate_args, text, ORG.team_keys())
    assert parsed is None or (parsed[0] is None or parsed[0].startswith("FX-"))
    assert either(forms.ticket_id_in, text) is None or forms.ticket_id_in(text).startswith("FX-")
    either(forms.mentioned_user, text)


VIEW = payload(
    {
        "private_metadata": st.one_of(STRINGS, st.just('{"ticket":"FX-AB12CD"}')),
        "state": payload(
            {
                "values": st.dictionaries(
                    st.sampled_from(["ticket", "team", "reason", "root_cause", "fix_url", "what_happened",
                                     "send_to_agent", "title"]),
                    st.dictionaries(TEXT, payload({"type": st.just("plain_text_input"), "value": STRINGS,
                                                   "selected_option": payload({"value": STRINGS})})),
                )
            }
        ),
    }
)


@FAST
@given(VIEW)
def test_any_submitted_form_translates_or_is_refused_clearly(view):
    values = either(forms.view_values, view)
    assert values is None or all(isinstance(k, str) and isinstance(v, str) for k, v in values.items())
    esc = either(forms.escalation_from_view, view, "U0ANA")
    assert esc is None or (isinstance(esc, Escalate) and isinstance(esc.reason, str))
    review = either(forms.review_from_view, view, "U0MIA")
    assert review is None or (isinstance(review, RecordReview) and isinstance(review.what_happened, str))
    owner = either(forms.owner_form, view)
    assert owner is None or isinstance(owner[1], str)


@FAST
@given(TEXT)
def test_a_ref_round_trips_through_its_encoding(ticket):
    ref = Ref(ticket=ticket or "FX-AB12CD", escalation="ESC-1", score=3)
    assert Ref.decode(ref.encode()) == ref


def test_finding_mentions_in_a_hostile_command_takes_linear_time():
    import time

    started = time.perf_counter()
    forms.mentioned_user("<@U1|" * 400)  # within the command limit
    translate.mention_request({"user": "U1", "channel": "C1", "ts": "1.0", "text": "<@U1|" * 8000}, {}, ORG)
    assert time.perf_counter() - started < 1.5

"""Property-based tests of the Teams translators and forms: any activity translates or is refused clearly."""

from __future__ import annotations

import json

from botbuilder.schema import Activity
from hypothesis import given, settings
from hypothesis import strategies as st
from msrest.exceptions import DeserializationError

from adapters.teams import forms, translate
from adapters.teams.translate import Place, Submit, Typed
from core.messages import LogRequest
from tests.fakes import sample_org
from tests.hostile import JSON, STRINGS, TEXT, either, payload

ORG = sample_org()
FAST = settings(max_examples=150, deadline=None)
IDS = st.sampled_from(["29:1emp", "a:1emp-personal-chat", "19:triage@thread.tacv2;messageid=1", "m1", ""])
ACTIVITY = payload(
    {
        "type": st.sampled_from(["message", "messageUpdate", "conversationUpdate"]),
        "id": IDS,
        "text": st.one_of(STRINGS, st.sampled_from(["escalate FX-AB12CD billing now", "review <at>Ana</at>",
                                                    "causes", "ticket FX-AB12CD", "<at>Fixloop</at> help"])),
        "from": payload({"id": IDS, "aadObjectId": IDS, "name": TEXT}),
        "recipient": payload({"id": IDS}),
        "conversation": payload({"id": IDS, "conversationType": st.sampled_from(["personal", "channel"])}),
        "channelData": payload({"tenant": payload({"id": IDS})}),
        "entities": st.lists(payload({"type": st.just("mention"), "mentioned": payload({"id": IDS})})),
        "value": payload({"fixloop": st.sampled_from(["solved", "csat", "review_submit", "nope"]),
                          "ticket": STRINGS, "score": JSON, "article": JSON, "reason": JSON}),
        "replyToId": IDS,
        "serviceUrl": st.just("http://127.0.0.1:1/"),
    }
)


def activity_of(data: dict) -> Activity | None:  # type: ignore[type-arg]
    """Deserialize as POST /api/messages does; what it cannot read gets a 400 there, never a 500."""
    try:
        return Activity().deserialize(json.loads(json.dumps(data)))
    except (ValueError, TypeError, DeserializationError):
        return None


@FAST
@given(ACTIVITY)
def test_any_activity_translates_or_is_refused_clearly(data):
    activity = activity_of(data)
    if activity is None:
        return
    place = either(translate.place_of, activity)
    assert place is None or (isinstance(place, Place) and isinstance(place.base, str))
    assert either(translate.actor, activity) is None or isinstance(translate.actor(activity), str)
    assert either(translate.text_of, activity) is None or isinstance(translate.text_of(activity), str)
    assert either(translate.route, activity, ORG) in (None, "log", "join", "ignore")
    request = either(translate.log_request, activity, ORG, "root-1")
    assert request is None or (isinstance(request, LogRequest) and isinstance(request.text, str))
    typed = either(translate.command_of, activity, ORG)
    assert typed is None or isinstance(typed, Typed)
    submit = either(translate.submit_of, activity)
    if submit is not None:
        assert isinstance(submit, Submit) and isinstance(submit.ticket, str)
        assert all(isinstance(v, str) for v in submit.values.values())
        assert submit.article is None or isinstance(submit.article, str)
        assert submit.score is None or isinstance(submit.score, int)


@FAST
@given(STRINGS, STRINGS, STRINGS, st.one_of(st.none(), TEXT))
def test_the_forms_render_any_text_as_a_card_that_serializes(ticket, why, reason, team):
    for card in (
        forms.escalate_form(ticket, ORG.teams, team, why, reason),
        forms.review_form(ticket, why),
        forms.plain(reason, why or None),
    ):
        assert json.loads(json.dumps(card))["type"] == "AdaptiveCard"


def test_stripping_markup_from_a_hostile_message_takes_linear_time():
    import time

    for raw in ("<at>" * 40_000, "<" * 160_000, "<at x='" * 20_000):
        started = time.perf_counter()
        translate.text_of(Activity(text=raw))
        assert time.perf_counter() - started < 1.5  # the old pattern: 2 s at 40,000 characters, quadratic

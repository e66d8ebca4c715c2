"""Whether a shipped fix held: the rule of core/fix_watch.py, the regression handling, the fix news."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from core.causes import Cause, FixStatus
from core.fix_digest import fix_news
from core.fix_watch import relapse
from core.periods import Period
from core.tickets import Surface, Ticket
from core.trackers import TrackerKind, Trackers, TrackerSetup
from tests.fakes import FakeClock, fake_desk
from tests.tracker_recording import SHIPPED, RecordingTracker

DAY = timedelta(days=1)


def tickets(n: int, start: datetime, requesters: Sequence[str] | None = None, cause: str = "c") -> list[Ticket]:
    """n tickets a day apart from start, by the given requesters in turn (all different by default)."""
    people = requesters or [f"r{i}" for i in range(n)]
    return [Ticket(id=f"T{start:%m%d}{i:03d}", surface=Surface.INTERNAL, created_at=start + i * DAY / 2,
                   requester=people[i % len(people)], cause_key=cause) for i in range(n)]


def shipped_cause() -> Cause:
    return Cause(key="c", title="Exports time out", owner="it-network", fix_status=FixStatus.SHIPPED,
                 fix_shipped_at=SHIPPED, fix_url="https://github.com/acme/app/issues/3", fix_tracker="github",
                 fix_issue="acme/app#3")


BEFORE = tickets(8, SHIPPED - 28 * DAY)  # B = 2 a week, from 8 people: R = 2 a week


def test_a_fix_holds_while_new_tickets_stay_at_half_the_old_weekly_rate():
    assert relapse(shipped_cause(), BEFORE + tickets(1, SHIPPED + 3 * DAY), SHIPPED + 5 * DAY) is None


def test_more_than_half_the_old_rate_from_two_people_is_a_relapse():
    found = relapse(shipped_cause(), BEFORE + tickets(2, SHIPPED + 3 * DAY), SHIPPED + 5 * DAY)
    assert found is not None and len(found.tickets) == 2 and found.requesters == 2 and found.baseline == 2.0


def test_one_person_asking_again_is_not_a_relapse():
    again = tickets(3, SHIPPED + 3 * DAY, requesters=["r0"])
    assert relapse(shipped_cause(), BEFORE + again, SHIPPED + 5 * DAY) is None


def test_the_watch_ends_four_weeks_after_the_fix_and_needs_a_shipped_fix():
    late = tickets(4, SHIPPED + 29 * DAY)
    assert relapse(shipped_cause(), BEFORE + late, SHIPPED + 31 * DAY) is None
    linked = shipped_cause()
    linked.fix_status = FixStatus.LINKED
    assert relapse(linked, BEFORE + tickets(4, SHIPPED + 3 * DAY), SHIPPED + 5 * DAY) is None


async def test_a_fix_that_did_not_hold_is_marked_regressed_the_owner_told_and_the_issue_commented():
    desk = await fake_desk()
    tracker = RecordingTracker()
    desk.trackers = Trackers(clients={"github": tracker}, teams={"it-network": TrackerSetup(TrackerKind.GITHUB, "acme/app")})
    desk.clock = FakeClock(SHIPPED + 5 * DAY)
    await desk.causes.save(shipped_cause())
    for t in BEFORE + tickets(3, SHIPPED + 3 * DAY):
        await desk.tickets.add(t)
    regressed = await desk.watch_fixes()
    assert [c.key for c in regressed] == ["c"]
    cause = await desk.causes.get("c")
    assert cause.fix_status == FixStatus.REGRESSED and cause.fix_regressed_at == SHIPPED + 5 * DAY
    told = [n for n in desk.notifier.sent if n.kind == "fix_regressed"]
    assert {n.to for n in told} == {"team:it-network", "triage"} and "did not hold" in told[0].text
    assert tracker.comments and tracker.comments[0][0] == "acme/app#3"
    assert await desk.watch_fixes() == []  # once: a regressed fix is not watched again
    news = fix_news([cause], Period(SHIPPED, SHIPPED + 7 * DAY))
    assert news.regressed == [("c", "Exports time out")] and news.shipped == [("c", "Exports time out")]


async def test_the_poll_asks_each_project_once_for_all_its_linked_issues():
    desk = await fake_desk()
    tracker = RecordingTracker()
    desk.trackers = Trackers(clients={"github": tracker})
    for i, repo in enumerate(["acme/a", "acme/a", "acme/b"]):
        await desk.causes.save(Cause(key=f"k{i}", title="t", fix_status=FixStatus.LINKED, fix_tracker="github",
                                     fix_issue=f"{repo}#{i + 1}", fix_url=f"https://github.com/{repo}/issues/{i + 1}"))
    changed = await desk.poll_trackers()
    assert sorted(tracker.asked) == [("acme/a", ["acme/a#1", "acme/a#2"]), ("acme/b", ["acme/b#3"])]
    assert len(changed) == 3 and all(c.fix_status == FixStatus.SHIPPED for c in changed)


async def test_shipping_tells_only_requesters_with_open_tickets_once_and_customers_get_no_tracker_link():
    desk = await fake_desk()
    await desk.causes.save(Cause(key="c", title="Exports", owner="it-network", fix_url="https://github.com/a/b/issues/1",
                                 fix_status=FixStatus.LINKED))
    open_internal, open_external, done = tickets(3, SHIPPED - DAY)
    open_external.surface = Surface.EXTERNAL
    done.status = done.status.RESOLVED
    for t in (open_internal, open_external, done):
        await desk.tickets.add(t)
    await desk.ship_fix("c", "lea")
    told = {n.ticket_id: n for n in desk.notifier.sent if n.kind == "fix_shipped"}
    assert set(told) == {open_internal.id, open_external.id}
    assert "github.com" in told[open_internal.id].text and "github.com" not in told[open_external.id].text
    assert all(n.to == f"thread:{n.ticket_id}" and n.key for n in told.values())
    teams = [n for n in desk.notifier.sent if n.kind == "fix_shipped_team"]
    assert sorted(n.to for n in teams) == ["team:it-network", "triage"]

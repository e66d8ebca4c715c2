"""The incident and duplicate checks' bounded reads of tickets (SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.tickets import Message, Role, Status, Surface, Ticket

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def ticket(n: int, minutes_ago: int, status: Status = Status.SUGGESTED, who: str | None = None) -> Ticket:
    t = Ticket(
        id=f"FX-G{n:04d}",
        surface=Surface.INTERNAL,
        created_at=NOW - timedelta(minutes=minutes_ago),
        platform="slack",
        requester=who or f"U{n}",
        subject=f"subject {n}",
        text=f"text {n}",
        status=status,
        cause_key="vpn" if n % 2 else None,
    )
    t.add_message(Message(at=t.created_at, role=Role.REQUESTER, author=t.requester, text=t.text, ref=f"m{n}"))
    return t


async def seeded(repos):  # type: ignore[no-untyped-def]
    tickets = [
        ticket(1, 5),
        ticket(2, 10, who="U9"),
        ticket(3, 20, Status.RESOLVED),
        ticket(4, 45, who="U9"),
        ticket(5, 90, Status.RESOLVED, who="U9"),
    ]
    for t in tickets:
        await repos.tickets.save(t)
    return tickets


async def test_the_window_holds_its_open_tickets_newest_first_and_no_more_than_asked(repos):
    await seeded(repos)
    window = await repos.incidents.open_since(NOW - timedelta(minutes=30), limit=10)
    assert [g.id for g in window] == ["FX-G0001", "FX-G0002"]
    assert (window[0].requester, window[0].cause_key, window[0].platform) == ("U1", "vpn", "slack")
    assert (window[1].subject, window[1].text, window[1].cause_key) == ("subject 2", "text 2", None)
    assert [g.id for g in await repos.incidents.open_since(None, limit=2)] == ["FX-G0001", "FX-G0002"]
    assert [g.id for g in await repos.incidents.open_since(None, limit=10)][-1] == "FX-G0004"


async def test_open_tickets_by_id_and_by_person_leave_resolved_ones_out(repos):
    await seeded(repos)
    among = await repos.incidents.open_among(["FX-G0003", "FX-G0004", "FX-NONE"])
    assert [g.id for g in among] == ["FX-G0004"]
    assert [g.id for g in await repos.incidents.open_of("U9", limit=20)] == ["FX-G0002", "FX-G0004"]
    assert [g.id for g in await repos.incidents.open_of("U9", limit=1)] == ["FX-G0002"]


async def test_a_message_id_is_found_only_in_the_tickets_asked_about(repos):
    await seeded(repos)
    assert await repos.incidents.holding("m4", ["FX-G0002", "FX-G0004"]) == "FX-G0004"
    assert await repos.incidents.holding("m4", ["FX-G0002"]) is None


async def test_the_newest_texts_are_subject_and_text_of_open_and_resolved_tickets(repos):
    await seeded(repos)
    assert await repos.incidents.newest_texts(3) == ["subject 1 text 1", "subject 2 text 2", "subject 3 text 3"]


async def test_the_gists_of_an_incidents_tickets_come_in_its_order_resolved_ones_too(repos):
    await seeded(repos)
    among = await repos.incidents.among(["FX-G0005", "FX-NONE", "FX-G0001", "FX-G0003"])
    assert [(g.id, g.subject) for g in among] == [
        ("FX-G0005", "subject 5"), ("FX-G0001", "subject 1"), ("FX-G0003", "subject 3")
    ]


async def test_each_open_incident_comes_with_its_newest_reports_only(repos):
    from core.incidents import Incident, IncidentLink

    older = Incident("INC-OLDER", "vpn", "VPN", NOW - timedelta(hours=2))
    older.links = [IncidentLink(f"FX-V{n:04d}", f"U{n}", NOW + timedelta(seconds=n)) for n in range(25)]
    newer = Incident("INC-NEWER", "wifi", "Wi-Fi", NOW - timedelta(hours=1))
    newer.links = [IncidentLink("FX-W0001", "U1", NOW)]
    resolved = Incident("INC-DONE", "printer", "Printer", NOW - timedelta(hours=3))
    resolved.links = [IncidentLink("FX-P0001", "U1", NOW)]
    resolved.resolve(NOW, "U0AGENT")
    for incident in (newer, resolved, older):
        await repos.incidents.add(incident)
    heads = await repos.incidents.open_heads(20)
    assert heads == [("INC-OLDER", [f"FX-V{n:04d}" for n in range(5, 25)]), ("INC-NEWER", ["FX-W0001"])]

"""The fix KPIs (time_to_fix_hours, fix_hold_rate, requesters_told_of_fix) on a ledger worked out by hand.

P = Mon 2026-11-09 .. Mon 2026-11-16 UTC, L = 7 days; fix_hold_rate looks at fixes shipped in
[Oct 12, Nov 9). Tickets (I = internal, E = external):

  cause  shipped       tickets                                         figures
  a      Nov 10 12:00  a1 I Nov 01 00:00 (told Nov 10 13:00),          time to fix: total and I 228 h
                       a2 E Nov 05 12:00 (told Nov 10 13:00)           (from a1), E 120 h (from a2)
  b      Nov 12 00:00  b1 I Nov 11 00:00 (told Nov 08: before P)       time to fix 24 h
  c      Nov 02 00:00  c1-c4 I Oct 06, 13, 20, 27                      B = 1, A = 0 <= 0.5: held
  d      Oct 20 00:00  d1-d8 E Sep 23 .. Oct 16 (B window Sep 22..Oct 20), B = 2; A = 2 E + 1 I in P:
                       d9 E Nov 10, d10 E Nov 11, d11 I Nov 12         total A 3 > 1, E A 2 > 1: not held;
                                                                       I has B = 0: not counted
  e      Oct 01 00:00  e1 I Sep 20                                     shipped before the window
  f      Nov 05 00:00  f1 I Nov 06                                     B = 0: not counted

time_to_fix_hours: total [228, 24] -> median 126, p90 24 + 0.9 x 204 = 207.6; I the same; E [120].
fix_hold_rate: total 1/2 (c held, d not); I 1/1 (c); E 0/1 (d).
requesters_told_of_fix: total 2 (a1, a2), I 1, E 1.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.db.repositories import SqlRepositories
from core.causes import Cause, FixStatus
from core.kpis import Period, compute_kpis
from core.org import Org
from core.tickets import Surface, Ticket
from tests.kpi_sql_support import assert_same, store

P = Period(datetime(2026, 11, 9, tzinfo=UTC), datetime(2026, 11, 16, tzinfo=UTC))
INT, EXT = Surface.INTERNAL, Surface.EXTERNAL


def at(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def ticket(tid: str, surface: Surface, created: datetime, cause: str, told: datetime | None = None) -> Ticket:
    return Ticket(id=tid, surface=surface, created_at=created, cause_key=cause, requester=f"r-{tid}",
                  fix_notified_at=told)


def ledger() -> list[Ticket]:
    out = [
        ticket("a1", INT, at(11, 1), "a", told=at(11, 10, 13)),
        ticket("a2", EXT, at(11, 5, 12), "a", told=at(11, 10, 13)),
        ticket("b1", INT, at(11, 11), "b", told=at(11, 8)),
        *(ticket(f"c{k}", INT, at(10, 6) + timedelta(weeks=k - 1), "c") for k in range(1, 5)),
        *(ticket(f"d{k}", EXT, at(9, 23) + timedelta(days=3 * (k - 1)), "d") for k in range(1, 9)),
        ticket("d9", EXT, at(11, 10), "d"), ticket("d10", EXT, at(11, 11), "d"), ticket("d11", INT, at(11, 12), "d"),
        ticket("e1", INT, at(9, 20), "e"),
        ticket("f1", INT, at(11, 6), "f"),
    ]
    return out


def causes() -> list[Cause]:
    shipped = {"a": at(11, 10, 12), "b": at(11, 12), "c": at(11, 2), "d": at(10, 20), "e": at(10, 1),
               "f": at(11, 5)}
    return [Cause(key=k, title=k, fix_status=FixStatus.SHIPPED, fix_shipped_at=s) for k, s in shipped.items()]


def test_the_fix_kpis_match_the_hand_computed_figures():
    report = compute_kpis(ledger(), causes(), P, sla_hours={})
    assert report.total["time_to_fix_hours"] == {"median": 126.0, "p90": pytest.approx(207.6)}
    assert report.internal["time_to_fix_hours"] == {"median": 126.0, "p90": pytest.approx(207.6)}
    assert report.external["time_to_fix_hours"] == {"median": 120.0, "p90": 120.0}
    assert (report.total["fix_hold_rate"], report.internal["fix_hold_rate"],
            report.external["fix_hold_rate"]) == (0.5, 1.0, 0.0)
    assert (report.total["requesters_told_of_fix"], report.internal["requesters_told_of_fix"],
            report.external["requesters_told_of_fix"]) == (2, 1, 1)


def test_with_nothing_to_count_the_fix_kpis_are_null_and_zero_told():
    empty = Period(at(1, 5), at(1, 12))
    report = compute_kpis(ledger(), causes(), empty, sla_hours={})
    assert report.total["time_to_fix_hours"] == {"median": None, "p90": None}
    assert report.total["fix_hold_rate"] is None
    assert report.total["requesters_told_of_fix"] == 0


async def test_sql_gives_the_same_fix_kpis_as_memory(repos: SqlRepositories):
    tickets, found = ledger(), causes()
    await store(repos, tickets, found)
    periods = [P, P.shifted(1), P.shifted(-1), Period(at(10, 12), at(11, 16))]
    await assert_same(repos, tickets, found, periods, Org())

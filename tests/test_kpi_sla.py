"""sla_breach_rate against a hand-computed ledger, in memory (core/kpi_sla.py) and in SQL (kpi_sql_sla.py).

P = [Mon 2 Mar 2026, Mon 9 Mar 2026). Per target: tickets created in P whose deadline is before end are
counted; of those, a breach is a target met after its deadline or not at all. The first response is met at
the earlier of the first human reply and the first resolution.

| id  | surface  | created   | first response due / met        | resolution due / met        |
|-----|----------|-----------|---------------------------------|-----------------------------|
| S1  | internal | 2 Mar 09  | 2 Mar 17 / 2 Mar 10 reply: met   | 5 Mar / 4 Mar: met          |
| S2  | internal | 3 Mar 09  | 3 Mar 10 / 3 Mar 11: breach      | 6 Mar / 7 Mar: breach       |
| S3  | internal | 4 Mar 09  | 4 Mar 12 / resolved 11: met      | 7 Mar / 4 Mar 11: met       |
| S10 | internal | 5 Mar 09  | 5 Mar 09:30 / 09:31: breach      | 20 Mar: after end, not counted |
| S6  | internal | 8 Mar 20  | 9 Mar 02: after end, not counted | 11 Mar: not counted         |
| S7  | internal | 1 Mar     | created before P: not counted    | not counted                 |
| S4  | external | 5 Mar 09  | 5 Mar 10 / never: breach         | 12 Mar: not counted         |
| S5  | external | 6 Mar 09  | 6 Mar 10 / 6 Mar 10: met (on time) | 8 Mar / 10 Mar: breach    |
| S8  | external | 7 Mar 09  | no deadline (never waited on a person): not counted             ||
| S9  | external | 7 Mar 09  | 7 Mar 12 / resolved 11 (reply 13): met | 8 Mar / 7 Mar 11: met |

first_response: internal 2/4 = 0.5, external 1/3, total 3/7. resolution: internal 1/3, external 1/2,
total 2/5 = 0.4.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from adapters.db.repositories import SqlRepositories
from core.kpis import Period, compute_kpis
from core.org import Org
from core.tickets import Surface, Ticket
from tests.kpi_sql_support import assert_same, store

P = Period(datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC))
INT, EXT = Surface.INTERNAL, Surface.EXTERNAL


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A UTC instant in March 2026."""
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def t(tid: str, surface: Surface, created: datetime, fr: datetime | None, res: datetime | None,
      reply: datetime | None = None, resolved: datetime | None = None) -> Ticket:
    """A ticket whose clocks started at creation, with its two deadlines and what happened."""
    return Ticket(tid, surface, created, sla_started_at=created if fr else None, first_response_due_at=fr,
                  resolution_due_at=res, first_human_reply_at=reply, resolved_at=resolved)


def ledger() -> list[Ticket]:
    return [
        t("S1", INT, at(2, 9), at(2, 17), at(5), reply=at(2, 10), resolved=at(4)),
        t("S2", INT, at(3, 9), at(3, 10), at(6), reply=at(3, 11), resolved=at(7)),
        t("S3", INT, at(4, 9), at(4, 12), at(7), resolved=at(4, 11)),
        t("S10", INT, at(5, 9), at(5, 9, 30), at(20), reply=at(5, 9, 31)),
        t("S6", INT, at(8, 20), at(9, 2), at(11)),
        t("S7", INT, at(1), at(1, 1), at(2)),
        t("S4", EXT, at(5, 9), at(5, 10), at(12)),
        t("S5", EXT, at(6, 9), at(6, 10), at(8), reply=at(6, 10), resolved=at(10)),
        t("S8", EXT, at(7, 9), None, None, resolved=at(7, 10)),
        t("S9", EXT, at(7, 9), at(7, 12), at(8), reply=at(7, 13), resolved=at(7, 11)),
    ]


def rates(figures: dict) -> tuple[float | None, float | None]:  # type: ignore[type-arg]
    r = figures["sla_breach_rate"]
    return r["first_response"], r["resolution"]


def test_the_breach_rates_match_the_hand_computed_ledger() -> None:
    report = compute_kpis(ledger(), [], P, sla_hours={})
    assert rates(report.total) == (pytest.approx(3 / 7), 0.4)
    assert rates(report.internal) == (0.5, pytest.approx(1 / 3))
    assert rates(report.external) == (pytest.approx(1 / 3), 0.5)


def test_with_no_deadline_before_end_the_rate_is_null_not_zero() -> None:
    quiet = Period(at(10), at(17))
    assert rates(compute_kpis(ledger(), [], quiet, sla_hours={}).total) == (None, None)


async def test_sql_gives_exactly_the_oracle_figures_on_the_hand_computed_ledger(repos: SqlRepositories) -> None:
    tickets = ledger()
    await store(repos, tickets, [])
    periods = [P, P.shifted(1), P.shifted(-1), Period(at(1), at(31)), Period(at(5, 9, 30), at(6, 10))]
    await assert_same(repos, tickets, [], periods, Org())


def random_ledger(rng: random.Random, n: int = 400) -> list[Ticket]:
    """Deadlines, replies and resolutions around the deadlines, to the second, boundaries included."""
    out = []
    for i in range(n):
        created = P.start - timedelta(days=3) + timedelta(minutes=rng.randrange(0, 14 * 24 * 60))
        fr = created + timedelta(minutes=rng.choice((30, 60, 480))) if rng.random() < 0.85 else None
        res = created + timedelta(hours=rng.choice((4, 24, 72))) if fr else None

        def around(due: datetime | None) -> datetime | None:
            if due is None or rng.random() < 0.25:
                return None
            return due + timedelta(minutes=rng.choice((-90, -1, 0, 0, 1, 200)))

        surface = rng.choice((INT, EXT))
        out.append(t(f"FX-R{i:05d}", surface, created, fr, res, reply=around(fr), resolved=around(res)))
    return out


async def test_sql_agrees_with_the_oracle_on_a_random_ledger(repos: SqlRepositories) -> None:
    tickets = random_ledger(random.Random(17))
    await store(repos, tickets, [])
    periods = [P, P.shifted(1), P.shifted(-1), Period(P.start + timedelta(hours=5), P.end - timedelta(hours=7))]
    await assert_same(repos, tickets, [], periods, Org())
    assert rates(compute_kpis(tickets, [], P, sla_hours={}).total)[0] not in (None, 0.0, 1.0)  # a real mix


def test_deadlines_in_the_generic_ledger_are_imported_and_counted(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from adapters.imports.ledger import parse_ledger

    path = tmp_path / "ledger.csv"
    path.write_text(
        "id,created_at,surface,first_human_reply_at,resolved_at,first_response_due_at,resolution_due_at\n"
        "L1,2026-03-02T09:00:00Z,internal,2026-03-02T09:30:00Z,,2026-03-02T10:00:00Z,2026-03-05T09:00:00Z\n"
        "L2,2026-03-03T09:00:00Z,external,2026-03-03T12:00:00Z,2026-03-04T09:00:00Z,2026-03-03T10:00:00Z,"
        "2026-03-06T09:00:00Z\n"
        "L3,2026-03-03T09:00:00Z,external,,,,\n"
    )
    batch = parse_ledger(path)
    assert not batch.errors and not batch.unknown_columns
    report = compute_kpis(batch.tickets, [], P, sla_hours={})
    assert rates(report.total) == (0.5, 0.5)  # L1 replied in time, L2 late; L1 unresolved at its deadline

"""The digest against a ledger whose figures were worked out by hand, in Europe/Berlin, across the DST change.

P is the local week Mon 2026-10-19 00:00 CEST .. Mon 2026-10-26 00:00 CET = [10-18 22:00Z, 10-25 23:00Z):
169 hours, because clocks go back on Sun 2026-10-25. P(-1) = [start - 169 h, start) = [10-11 21:00Z, 10-18 22:00Z).

  id  surf created (UTC)   cause    first human  resolved      notes
  V0  I    10-12 09:00     vpn      +20 min      +3 h          P(-1)
  E0  I    10-18 21:30     -        -            -             Sun 23:30 CEST: still P(-1); open
  A1  I    10-19 08:00     vpn      +30 min      +2 h          agent ana
  A2  I    10-25 22:30     vpn      +10 min      +15 min       Sun 23:30 CET, after the change: in P
  B1  E    10-20 10:00     billing  +60 min      +4 h          reopened a day later
  K1  E    10-21 09:00     -        -            +5 min        solved by article kb-vpn, no human
  N1  E    10-25 23:00     -        -            -             Mon 00:00 CET: the next week

P, total: created 4, caused 3 (A1 A2 B1); vpn had V0 in P(-1), so repeat-cause rate = 2/3; coverage 3/4.
Internal: 2/2 = 100%; external: 0/1 = 0%. First response: [10, 30, 60] -> median 30, p90 = 30 + 0.8 x 30 = 54.
Resolved in P: A1 2 h, A2 0.25 h, B1 4 h, K1 1/12 h -> median 1.125 h; FCR 3/4 (B1 reopened); reopen 1/4.
P(-1): caused V0 only, nothing in P(-2): repeat-cause rate 0/1 = 0%, so the change is +67 pts (worse).
"""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from core.causes import Cause, FixStatus
from core.digests import compose_digest, trend_weeks
from core.kpis import Period
from core.tickets import Surface
from tests.digest_ledger import CAUSES, ORG, P, at, ledger, t

BERLIN = ZoneInfo("Europe/Berlin")
I, E = Surface.INTERNAL, Surface.EXTERNAL  # noqa: E741


def line(digest, key: str, sub: str | None = None):  # type: ignore[no-untyped-def]
    return next(x for x in digest.lines if x.key == key and x.sub == sub)


def test_the_dst_week_is_169_hours_of_local_monday_to_monday():
    assert (P.start, P.end) == (at(10, 18, 22), at(10, 25, 23)) and P.length == timedelta(hours=169)


def test_every_kpi_matches_the_hand_computed_ledger_per_surface_with_the_change():
    d = compose_digest(ledger(), CAUSES, P, org=ORG, now=at(10, 27, 9))
    repeat = line(d, "repeat_cause_rate")
    assert repeat.now == {"total": pytest.approx(2 / 3), "internal": 1.0, "external": 0.0}
    assert repeat.before == {"total": 0.0, "internal": 0.0, "external": None}
    assert line(d, "cause_coverage").now == {"total": 0.75, "internal": 1.0, "external": 0.5}
    assert line(d, "first_response_minutes", "median").now == {
        "total": 30.0,
        "internal": 20.0,
        "external": 60.0,
    }
    assert line(d, "first_response_minutes", "p90").now["total"] == pytest.approx(54.0)
    assert line(d, "resolution_hours", "median").now["total"] == pytest.approx(1.125)
    assert line(d, "first_contact_resolution").now["total"] == 0.75
    assert line(d, "reopen_rate").now == {"total": 0.25, "internal": 0.0, "external": 0.5}
    assert line(d, "bot_deflection").now == {"total": 1, "internal": 0, "external": 1}
    assert line(d, "knowledge_reuse", "by_article").now["total"] == 1
    assert {x.key for x in d.lines} >= {
        "backlog",
        "csat",
        "consistency",
        "escalation_accuracy",
        "ticket_to_fix_conversion",
        "time_to_root_cause_hours",
    }
    text = d.to_text()
    assert "Fixloop weekly digest: Mon 2026-10-19 00:00 to Mon 2026-10-26 00:00 (Europe/Berlin)" in text
    assert "67% (+67 pts, worse)" in text
    row = next(r for r in text.splitlines() if r.startswith("Repeat-cause rate"))
    assert row.split()[-1] == "0%"  # external: 0 of 1, a real zero; its previous week had no data: no change


def test_no_data_is_never_shown_as_zero_and_is_null_in_the_dict():
    d = compose_digest(ledger(), CAUSES, P, org=ORG, now=at(10, 27, 9))
    csat = line(d, "csat", "mean")
    assert csat.now == {"total": None, "internal": None, "external": None}
    assert "CSAT mean (1-5)                 no data" in d.to_text()
    data = json.loads(json.dumps(d.to_dict()))
    kpi = next(k for k in data["kpis"] if k["key"] == "csat" and k["sub"] == "mean")
    assert (
        kpi["now"]["total"] is None and kpi["change"]["total"] is None and kpi["text"]["total"] == "no data"
    )


def test_an_empty_week_says_no_data_everywhere_a_rate_would_be():
    empty = Period(at(6, 1, 0), at(6, 8, 0))
    d = compose_digest(ledger(), CAUSES, empty, org=ORG, now=at(6, 9, 0))
    text = d.to_text()
    assert "%" not in text.split("Top causes")[0]  # no rate at all: every one is "no data"
    assert "Top causes by business impact (last 4 weeks):\n  no data" in text
    assert all(p.created == 0 and p.repeat_cause_rate is None for p in d.trend)


def test_top_causes_carry_volume_surfaces_owner_fix_status_and_evidence_references():
    d = compose_digest(ledger(), CAUSES, P, org=ORG, now=at(10, 27, 9))
    causes = {c["key"]: c for c in d.to_dict()["top_causes"]}
    assert causes["vpn"]["tickets"] == 3 and causes["vpn"]["surfaces"] == ["internal"]
    assert causes["vpn"]["owner"] == "it-network" and causes["vpn"]["fix_status"] == "none"
    assert causes["billing"]["evidence"] == [
        {"id": "B1", "platform": "slack", "chat": {"channel": "C1", "thread_ts": "1.2"}}
    ]
    assert "evidence: " in d.to_text()


def test_the_five_largest_fades_are_listed_and_the_others_counted():
    shipped = at(9, 28, 12)
    fixed = [Cause(f"fix{n}", f"Fixed {n}", fix_status=FixStatus.SHIPPED, fix_shipped_at=shipped) for n in range(7)]
    before = [  # cause fixN saw N+1 tickets a week in each of the 4 weeks before its fix, none since
        t(f"F{n}-{k}-{i}", I, shipped - timedelta(days=7 * k - 1, hours=i), f"fix{n}", None, 1)
        for n in range(7)
        for k in range(1, 5)
        for i in range(n + 1)
    ]
    d = compose_digest(ledger() + before, CAUSES + fixed, P, org=ORG, now=at(10, 27, 9))
    assert [f.cause.key for f in d.fades] == ["fix6", "fix5", "fix4", "fix3", "fix2"]  # the largest drops
    assert d.more_fades == 2 and "Fixes made 2 more causes fade." in d.wins
    assert sum("made it fade" in w for w in d.wins) == 5
    assert d.to_dict()["more_fades"] == 2


def test_a_cause_in_both_queues_is_called_out_and_a_fix_that_made_a_cause_fade_is_a_win():
    shipped = at(9, 28, 12)
    cert = Cause(
        "cert",
        "Expired certificate",
        owner="it-network",
        fix_status=FixStatus.SHIPPED,
        fix_shipped_at=shipped,
        fix_url="https://git.example/fix/1",
    )
    before = [
        t(f"C{k}{i}", I, shipped - timedelta(days=7 * k - 1, hours=i), "cert", None, 1)
        for k in range(1, 5)
        for i in range(2)
    ]  # 2 a week in each of the 4 weeks before the fix
    both = [t("S1", I, at(10, 20, 9), "sso", 5, 1), t("S2", E, at(10, 21, 9), "sso", 5, 1)]
    d = compose_digest(
        ledger() + before + both, CAUSES + [cert, Cause("sso", "SSO loop")], P, org=ORG, now=at(10, 27, 9)
    )
    assert [r.cause.key for r in d.cross_surface] == ["sso"]
    assert "Seen in both the internal and the external queue:\n  - SSO loop [sso] (2 tickets)" in d.to_text()
    assert [(f.cause.key, f.before, f.now) for f in d.fades] == [("cert", 2.0, 0)]
    assert any("made it fade: 2.0 tickets a week before it shipped, 0 this week" in w for w in d.wins)
    assert line(d, "deflection_by_root_cause_elimination").now["total"] == 2.0


def test_the_trend_covers_twelve_local_weeks_ending_with_the_digest_week():
    weeks = trend_weeks(P, "Europe/Berlin")
    assert len(weeks) == 12 and weeks[-1] == P
    assert all(w.start.astimezone(BERLIN).strftime("%a %H:%M") == "Mon 00:00" for w in weeks)
    assert all(a.end == b.start for a, b in zip(weeks, weeks[1:], strict=False))
    d = compose_digest(ledger(), CAUSES, P, org=ORG, now=at(10, 27, 9))
    last = d.trend[-1]
    assert (last.created, last.bot_deflected, last.human_handled) == (4, 1, 3)
    assert d.trend[-2].created == 2 and d.trend[-2].repeat_cause_rate == 0.0

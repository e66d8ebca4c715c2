"""KPI formulas of DESIGN.md checked against a small ledger whose figures were worked out by hand.

The period P is Mon 2026-03-02 00:00Z .. Mon 2026-03-09 00:00Z, so L = 7 days and
P(-1) = Feb 23..Mar 2, P(-2) = Feb 16..23, P(-3) = Feb 9..16.

Tickets (I = internal, E = external; times UTC; "h+" = first human reply, "b+" = first bot reply):

  id   surf created      cause       agents       notes
  T01  I    Jan 13 09:00 sso-expiry  carol        resolved Jan 13 10:00 (deflection baseline, k=4)
  T02  E    Jan 20 09:00 sso-expiry  carol        resolved Jan 20 11:00 (k=3)
  T03  E    Feb 03 09:00 sso-expiry  carol        resolved Feb 03 10:00 (k=1)
  T04  I    Feb 04 09:00 sso-expiry  carol        resolved Feb 04 10:00 (k=1)
  T05  E    Feb 05 09:00 sso-expiry  carol        resolved Feb 05 10:00 (k=1)
  M1   E    Feb 10 09:00 mail-sync   carol        resolved Feb 10 10:00 (P-3)
  V1   E    Feb 11 06:00 vpn-drop    carol        resolved Feb 11 08:00 (P-3)
  O6   E    Feb 17 00:00 -           -            never resolved (P-2): backlog 480 h
  O3   E    Feb 20 10:00 mail-sync   bob          resolved Feb 20 12:00, reopened Feb 25, still open: 398 h
  D1   I    Feb 24 10:00 disk-full   alice        resolved Feb 24 12:00, CSAT 2 answered Mar 2 08:00 (in P)
  O4   I    Feb 26 09:00 vpn-drop    -            urgent; resolved Feb 26 10:00, reopened Mar 7, closed Mar 10
  A1   I    Mar 02 09:00 disk-full   alice        b+2s h+30m, resolved +5h, CSAT 5
  A2   I    Mar 03 10:00 disk-full   alice        b+4s h+20m, resolved +2h, CSAT 4
  A3   I    Mar 03 08:00 vpn-drop    alice        b+3s h+60m, escalated (needed), resolved +24h, CSAT 3
  A4   I    Mar 04 09:00 mail-sync   alice        h+10m, resolved +1h, reopened +2d, closed Mar 6, CSAT 2
  A5   I    Mar 05 09:00 -           alice        h+40m, resolved +4h
  B1   E    Mar 02 11:00 vpn-drop    bob          b+5s h+15m, resolved +2h, CSAT 5
  B2   E    Mar 03 15:00 sso-expiry  carol,bob    h+30m, resolved +12h (hand-off), CSAT 4
  B3   E    Mar 04 12:00 mail-sync   bob          b+6s h+5m, resolved +20h, reopened 9 days later
  B4   E    Mar 05 08:00 printer     bob          b+2s h+45m, escalated (unjudged), resolved +30h, CSAT 1
  B5   I    Mar 06 09:00 printer     bob          h+25m, resolved +2h, CSAT 5
  K1   I    Mar 02 10:00 -           -            b+1s, article kb-vpn after 5 min, CSAT 5
  K2   E    Mar 04 16:00 vpn-drop    -            b+3s, article kb-vpn after 30 min
  K3   E    Mar 05 11:00 -           carol        b+2s h+20m, article kb-reset after 1 h
  O1   I    Mar 06 12:00 disk-full   alice        high; b+2s h+120m; open: 60 h (SLA high = 8 h)
  O2   E    Mar 08 18:00 -           -            b+4s; escalated (not needed); open: 6 h
  O5   E    Mar 09 00:00 -           -            created exactly at end: not in P, not in backlog

Causes: disk-full (root cause Mar 3 12:00, fix shipped Mar 5), vpn-drop (root cause Mar 6 00:00),
sso-expiry (root cause Feb 5, fix shipped Feb 9 00:00, i.e. before P), mail-sync, printer, and
orphan (root cause Mar 4 but no tickets: ignored).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from core.causes import Cause
from core.errors import InvalidInput
from core.kpis import KpiReport, Period, compute_kpis, format_kpis_text, last_full_week, parse_period
from core.org import Org
from core.tickets import Resolution, Surface, Ticket
from tests.kpi_ledger import SLA, P, at, causes, ledger, resolved, ticket

INT, EXT = Surface.INTERNAL, Surface.EXTERNAL

KEYS = [
    "repeat_cause_rate",
    "cause_coverage",
    "ticket_to_fix_conversion",
    "time_to_root_cause_hours",
    "escalation_accuracy",
    "escalations_unjudged_share",
    "deflection_by_root_cause_elimination",
    "bot_deflection",
    "first_response_minutes",
    "bot_first_reply_seconds",
    "resolution_hours",
    "first_contact_resolution",
    "reopen_rate",
    "backlog",
    "csat",
    "knowledge_reuse",
    "consistency",
    "time_to_fix_hours",
    "fix_hold_rate",
    "requesters_told_of_fix",
    "sla_breach_rate",
]


# fmt: on


@pytest.fixture(scope="module")
def report() -> KpiReport:
    return compute_kpis(ledger(), causes(), P, sla_hours=SLA)


# Created in P: internal A1 A2 A3 A4 A5 B5 K1 O1 (8), external B1 B2 B3 B4 K2 K3 O2 (7); O5 is at `end`.
# With a cause: internal A1 A2 A3 A4 B5 O1 (6), external B1 B2 B3 B4 K2 (5).
# Created in P(-1): D1 (disk-full, I) and O4 (vpn-drop, I); nothing external.
def test_repeat_cause_rate_counts_causes_seen_in_the_previous_period_per_surface(report: KpiReport) -> None:
    assert report.total["repeat_cause_rate"] == pytest.approx(6 / 11)  # A1 A2 O1 (disk) A3 B1 K2 (vpn) / 11
    assert report.internal["repeat_cause_rate"] == pytest.approx(4 / 6)  # A1 A2 O1 A3 / 6
    assert report.external["repeat_cause_rate"] == 0.0  # vpn-drop's P(-1) ticket O4 is internal: 0 / 5


def test_cause_coverage_is_caused_tickets_over_created_tickets(report: KpiReport) -> None:
    assert report.total["cause_coverage"] == pytest.approx(11 / 15)  # (6 + 5) / (8 + 7)
    assert report.internal["cause_coverage"] == 0.75  # 6 / 8
    assert report.external["cause_coverage"] == pytest.approx(5 / 7)


# Tickets per period in W, ordered (P(-3), P(-2), P(-1), P):
#   total:    vpn-drop (V1, -, O4, A3 B1 K2) = 5 in 3 periods; disk-full (-, -, D1, A1 A2 O1) = 4 in 2;
#             mail-sync (M1, O3, -, A4 B3) = 4 in 3; printer (B4 B5 in P only) and sso-expiry (B2) are not
#             recurring. Ranked: vpn-drop 5, disk-full 4, mail-sync 4 (tie: "disk-full" < "mail-sync").
#   internal: disk-full (D1 | A1 A2 O1) = 4, vpn-drop (O4 | A3) = 2; mail-sync and printer have one each.
#   external: vpn-drop (V1 | B1 K2) = 3, mail-sync (M1, O3 | B3) = 3; printer, sso-expiry one each.
# Only disk-full has fix_shipped_at (Mar 5) < end.
def test_ticket_to_fix_conversion_takes_recurring_causes_over_four_periods(report: KpiReport) -> None:
    assert report.total["ticket_to_fix_conversion"] == pytest.approx(1 / 3)  # disk-full of 3 recurring
    assert report.internal["ticket_to_fix_conversion"] == 0.5  # disk-full of {disk-full, vpn-drop}
    assert report.external["ticket_to_fix_conversion"] == 0.0  # neither mail-sync nor vpn-drop shipped


def test_ticket_to_fix_conversion_keeps_the_top_n_with_ties_broken_by_cause_key() -> None:
    top1 = compute_kpis(ledger(), causes(), P, sla_hours=SLA, top_n=1)
    top2 = compute_kpis(ledger(), causes(), P, sla_hours=SLA, top_n=2)
    assert top1.total["ticket_to_fix_conversion"] == 0.0  # [vpn-drop] (5 tickets beats key order): 0 / 1
    assert top2.total["ticket_to_fix_conversion"] == 0.5  # [vpn-drop, disk-full], not mail-sync: 1 / 2
    assert top2.external["ticket_to_fix_conversion"] == 0.0  # [mail-sync, vpn-drop], both 3: 0 / 2


def test_ticket_to_fix_conversion_refuses_a_top_n_below_one() -> None:
    with pytest.raises(InvalidInput):
        compute_kpis(ledger(), causes(), P, sla_hours=SLA, top_n=0)


# Causes with root_cause_at in P: disk-full (Mar 3 12:00) and vpn-drop (Mar 6 00:00); orphan has no ticket.
#   disk-full: earliest ticket D1 Feb 24 10:00 -> 7 days + 2 h = 170 h (internal too; no external ticket)
#   vpn-drop:  earliest V1 Feb 11 06:00 -> 23 days - 6 h = 546 h; internal earliest O4 Feb 26 09:00
#              -> 8 days - 9 h = 183 h; external earliest V1 -> 546 h
def test_time_to_root_cause_runs_from_the_causes_earliest_ticket_in_scope(report: KpiReport) -> None:
    # [170, 546]: median 358; p90 at rank 0.9 -> 170 + 0.9 * 376 = 508.4
    assert report.total["time_to_root_cause_hours"] == pytest.approx({"median": 358.0, "p90": 508.4})
    # [170, 183]: median 176.5; p90 170 + 0.9 * 13 = 181.7
    assert report.internal["time_to_root_cause_hours"] == pytest.approx({"median": 176.5, "p90": 181.7})
    # [546]: a single value is its own median and p90
    assert report.external["time_to_root_cause_hours"] == pytest.approx({"median": 546.0, "p90": 546.0})


# Escalated in P: A3 (I, needed), B4 (E, not judged), O2 (E, not needed).
def test_escalation_accuracy_and_unjudged_share(report: KpiReport) -> None:
    assert report.total["escalation_accuracy"] == 0.5  # A3 / {A3, O2}
    assert report.total["escalations_unjudged_share"] == pytest.approx(1 / 3)  # B4 / 3
    assert report.internal["escalation_accuracy"] == 1.0  # A3 / A3
    assert report.internal["escalations_unjudged_share"] == 0.0  # 0 / 1
    assert report.external["escalation_accuracy"] == 0.0  # 0 / O2
    assert report.external["escalations_unjudged_share"] == 0.5  # B4 / {B4, O2}


# Only sso-expiry (fix shipped Feb 9 00:00) counts; disk-full shipped inside P, orphan has no tickets.
# Baseline windows: k=1 [Feb 2, Feb 9), k=2 [Jan 26, Feb 2), k=3 [Jan 19, Jan 26), k=4 [Jan 12, Jan 19).
def test_deflection_compares_tickets_in_p_with_the_four_periods_before_the_fix(report: KpiReport) -> None:
    # total: B = (T03 T04 T05 + 0 + T02 + T01) / 4 = 5 / 4 = 1.25; A = B2 = 1 -> 0.25
    assert report.total["deflection_by_root_cause_elimination"] == pytest.approx(0.25)
    # internal: B = (T04 + 0 + 0 + T01) / 4 = 0.5; A = 0 -> 0.5
    assert report.internal["deflection_by_root_cause_elimination"] == pytest.approx(0.5)
    # external: B = (T03 T05 + 0 + T02 + 0) / 4 = 0.75; A = B2 = 1 -> max(0, -0.25) = 0.0
    assert report.external["deflection_by_root_cause_elimination"] == 0.0


def test_a_fix_shipped_at_the_very_start_of_the_period_is_not_yet_a_deflection() -> None:
    # Four quota tickets in the week before P; a fix shipped at `start` is not "before start".
    tickets = [resolved(f"F{d}", INT, at(2, d, 9), 1, "quota", ["alice"]) for d in (23, 24, 25, 26)]
    at_start = compute_kpis(tickets, [Cause("quota", "Quota", fix_shipped_at=P.start)], P, sla_hours=SLA)
    assert at_start.total["deflection_by_root_cause_elimination"] is None  # no cause qualifies
    earlier = Cause("quota", "Quota", fix_shipped_at=P.start - timedelta(seconds=1))
    before = compute_kpis(tickets, [earlier], P, sla_hours=SLA)
    # B = (4 in [Feb 23 - 1 s, Mar 2 - 1 s) + 0 + 0 + 0) / 4 = 1.0; A = 0 -> 1.0
    assert before.total["deflection_by_root_cause_elimination"] == 1.0


def test_bot_deflection_counts_article_resolutions_no_person_replied_to(report: KpiReport) -> None:
    assert report.total["bot_deflection"] == 2  # K1, K2 (K3 had a human reply)
    assert report.internal["bot_deflection"] == 1  # K1
    assert report.external["bot_deflection"] == 1  # K2


def test_first_response_minutes_over_tickets_created_in_p_with_a_human_reply(report: KpiReport) -> None:
    # total sorted [5 10 15 20 20 25 30 30 40 45 60 120]: median (25 + 30) / 2 = 27.5;
    # p90 at rank 11 * 0.9 = 9.9 -> 45 + 0.9 * (60 - 45) = 58.5
    assert report.total["first_response_minutes"] == pytest.approx({"median": 27.5, "p90": 58.5})
    # internal [10 20 25 30 40 60 120]: median 30; rank 5.4 -> 60 + 0.4 * 60 = 84
    assert report.internal["first_response_minutes"] == pytest.approx({"median": 30.0, "p90": 84.0})
    # external [5 15 20 30 45]: median 20; rank 3.6 -> 30 + 0.6 * 15 = 39
    assert report.external["first_response_minutes"] == pytest.approx({"median": 20.0, "p90": 39.0})


def test_bot_first_reply_seconds_is_a_median_over_tickets_the_bot_answered(report: KpiReport) -> None:
    assert report.total["bot_first_reply_seconds"] == {"median": 3.0}  # [1 2 2 2 2 3 3 4 4 5 6] -> 6th
    assert report.internal["bot_first_reply_seconds"] == {"median": 2.0}  # [1 2 2 3 4]
    assert report.external["bot_first_reply_seconds"] == {"median": 3.5}  # [2 2 3 4 5 6] -> (3 + 4) / 2


# Resolved in P: internal A1 5, A2 2, A3 24, A4 1, A5 4, B5 2, K1 1/12 (7);
#                external B1 2, B2 12, B3 20, B4 30, K2 0.5, K3 1 (6).
def test_resolution_hours_over_tickets_first_resolved_in_p(report: KpiReport) -> None:
    # total [1/12 .5 1 1 2 2 2 4 5 12 20 24 30]: median 2; rank 12 * 0.9 = 10.8 -> 20 + 0.8 * 4 = 23.2
    assert report.total["resolution_hours"] == pytest.approx({"median": 2.0, "p90": 23.2})
    # internal [1/12 1 2 2 4 5 24]: median 2; rank 5.4 -> 5 + 0.4 * 19 = 12.6
    assert report.internal["resolution_hours"] == pytest.approx({"median": 2.0, "p90": 12.6})
    # external [.5 1 2 12 20 30]: median (2 + 12) / 2 = 7; rank 4.5 -> 20 + 0.5 * 10 = 25
    assert report.external["resolution_hours"] == pytest.approx({"median": 7.0, "p90": 25.0})


# Not first contact: A3 (escalated), A4 (reopened), B2 (hand-off), B3 (reopened 9 days later), B4 (escalated).
def test_first_contact_resolution_excludes_escalations_reopens_and_hand_offs(report: KpiReport) -> None:
    assert report.total["first_contact_resolution"] == pytest.approx(8 / 13)  # 13 resolved - 5
    assert report.internal["first_contact_resolution"] == pytest.approx(5 / 7)  # A1 A2 A5 B5 K1
    assert report.external["first_contact_resolution"] == 0.5  # B1 K2 K3 / 6


def test_reopen_rate_counts_reopens_within_seven_days_only(report: KpiReport) -> None:
    assert report.total["reopen_rate"] == pytest.approx(1 / 13)  # A4 (+2 days); B3's +9 days is beyond
    assert report.internal["reopen_rate"] == pytest.approx(1 / 7)  # A4
    assert report.external["reopen_rate"] == 0.0  # B3 only, beyond 7 days: 0 / 6


def test_reopen_exactly_seven_days_later_still_counts() -> None:
    t = resolved(
        "R", INT, at(3, 2, 9), 1, None, ["alice"], reopened_at=[at(3, 9, 10)]
    )  # resolved Mar 2 10:00
    assert compute_kpis([t], [], P, sla_hours=SLA).total["reopen_rate"] == 1.0


# Open at Mar 9 00:00: O6 480 h (Feb 17 00:00, normal), O3 398 h (reopened, closed_at empty, normal),
# O4 255 h (reopened Mar 7, closed only Mar 10, urgent), O1 60 h (high), O2 6 h (normal).
# Not open: A4 (reopened and closed again Mar 6), B3 (reopened after end), O5 (created at end).
def test_backlog_counts_tickets_open_at_end_with_reopened_ones(report: KpiReport) -> None:
    # ages [6 60 255 398 480]: median 255; over SLA: O1 60 > 8, O3 398 > 72, O4 255 > 4, O6 480 > 72
    assert report.total["backlog"] == {"open": 5, "median_age_hours": 255.0, "over_sla": 4}
    # internal O1 60, O4 255: median 157.5, both over
    assert report.internal["backlog"] == {"open": 2, "median_age_hours": 157.5, "over_sla": 2}
    # external O2 6, O3 398, O6 480: median 398; O2 is under 72 h
    assert report.external["backlog"] == {"open": 3, "median_age_hours": 398.0, "over_sla": 2}


def test_backlog_takes_sla_from_a_function_like_org_sla_for() -> None:
    org = Org(sla_hours={"high": 100.0})  # O1 (60 h) is now within its SLA; urgent falls back to 72 h
    figures = compute_kpis(ledger(), causes(), P, sla_hours=org.sla_for).total["backlog"]
    assert figures["over_sla"] == 3  # O3 398 > 72, O4 255 > 72, O6 480 > 72


# CSAT answered in P: internal A1 5, A2 4, A3 3, A4 2, B5 5, K1 5, D1 2 (resolved Feb 24, answered Mar 2);
#                     external B1 5, B2 4, B4 1.
def test_csat_uses_answers_given_in_p_and_resolutions_in_p(report: KpiReport) -> None:
    # 36 / 10 = 3.6; satisfied A1 A2 B1 B2 B5 K1 = 6 / 10; answers 10 / 13 resolved in P
    assert report.total["csat"] == pytest.approx(
        {"mean": 3.6, "satisfied_share": 0.6, "response_rate": 10 / 13}
    )
    # 26 / 7; satisfied A1 A2 B5 K1 = 4 / 7; 7 answers / 7 resolved
    assert report.internal["csat"] == pytest.approx(
        {"mean": 26 / 7, "satisfied_share": 4 / 7, "response_rate": 1.0}
    )
    # 10 / 3; satisfied B1 B2 = 2 / 3; 3 answers / 6 resolved
    assert report.external["csat"] == pytest.approx(
        {"mean": 10 / 3, "satisfied_share": 2 / 3, "response_rate": 0.5}
    )


def test_knowledge_reuse_counts_article_resolutions_per_article(report: KpiReport) -> None:
    assert report.total["knowledge_reuse"] == {
        "by_article": {"kb-vpn": 2, "kb-reset": 1},  # K1 K2, K3
        "articles_solving_10_plus": 0,
    }
    assert report.internal["knowledge_reuse"] == {"by_article": {"kb-vpn": 1}, "articles_solving_10_plus": 0}
    assert report.external["knowledge_reuse"] == {
        "by_article": {"kb-vpn": 1, "kb-reset": 1},
        "articles_solving_10_plus": 0,
    }


def test_an_article_solving_ten_tickets_is_counted_and_nine_is_not() -> None:
    def solved(i: int, article: str) -> Ticket:
        start = at(3, 3, 9) + timedelta(minutes=i)
        return resolved(
            f"S{article}{i}", EXT, start, 1, None, [], resolution=Resolution.ARTICLE, article_id=article
        )

    tickets = [solved(i, "kb-ten") for i in range(10)] + [solved(i, "kb-nine") for i in range(9)]
    reuse = compute_kpis(tickets, [], P, sla_hours=SLA).total["knowledge_reuse"]
    assert reuse == {"by_article": {"kb-ten": 10, "kb-nine": 9}, "articles_solving_10_plus": 1}


# Resolved in P by last agent: alice A1-A5 (5, all internal), bob B1 B2 B3 B4 (external) B5 (internal) = 5,
# carol K3 (1). FCR alice 3/5 = 0.6 (A1 A2 A5), bob 2/5 = 0.4 (B1 B5).
# CSAT answered in P: alice A1 5, A2 4, A3 3, A4 2, D1 2 -> 16/5 = 3.2; bob B1 5, B2 4, B4 1, B5 5 -> 3.75.
def test_consistency_is_the_spread_across_agents_with_five_resolutions(report: KpiReport) -> None:
    # pstdev([0.6, 0.4]) = 0.1; pstdev([3.2, 3.75]) = 0.55 / 2 = 0.275
    assert report.total["consistency"] == pytest.approx({"fcr_std": 0.1, "csat_std": 0.275})
    # internal: only alice has 5 (bob has B5 alone): the spread of one agent is 0
    assert report.internal["consistency"] == {"fcr_std": 0.0, "csat_std": 0.0}
    # external: bob has 4, fewer than 5: nobody qualifies
    assert report.external["consistency"] == {"fcr_std": None, "csat_std": None}


def test_a_period_with_no_tickets_reports_no_data_but_zero_counts() -> None:
    empty = Period(datetime(2025, 1, 6, tzinfo=UTC), datetime(2025, 1, 13, tzinfo=UTC))
    for figures in (
        compute_kpis(ledger(), causes(), empty, sla_hours=SLA).to_json()[k] for k in ("total", "external")
    ):
        assert list(figures) == KEYS
        assert figures == {
            "repeat_cause_rate": None,
            "cause_coverage": None,
            "ticket_to_fix_conversion": None,
            "time_to_root_cause_hours": {"median": None, "p90": None},
            "escalation_accuracy": None,
            "escalations_unjudged_share": None,
            "deflection_by_root_cause_elimination": None,  # no fix shipped before 2025-01-06
            "bot_deflection": 0,
            "first_response_minutes": {"median": None, "p90": None},
            "bot_first_reply_seconds": {"median": None},
            "resolution_hours": {"median": None, "p90": None},
            "first_contact_resolution": None,
            "reopen_rate": None,
            "backlog": {"open": 0, "median_age_hours": None, "over_sla": 0},
            "csat": {"mean": None, "satisfied_share": None, "response_rate": None},
            "knowledge_reuse": {"by_article": {}, "articles_solving_10_plus": 0},
            "consistency": {"fcr_std": None, "csat_std": None},
            "time_to_fix_hours": {"median": None, "p90": None},
            "fix_hold_rate": None,
            "requesters_told_of_fix": 0,
            "sla_breach_rate": {"first_response": None, "resolution": None},
        }


def test_zero_denominators_give_none_while_real_zeros_stay_zero() -> None:
    # One uncaused open ticket created in P, plus a ticket resolved before P whose CSAT arrives in P.
    tickets = [
        ticket("N1", INT, at(3, 3, 9)),
        resolved("N2", INT, at(2, 2, 9), 1, None, ["alice"], csat=3, csat_at=at(3, 4, 9)),
    ]
    figures = compute_kpis(tickets, [], P, sla_hours=SLA).total
    assert figures["cause_coverage"] == 0.0  # 0 caused / 1 created
    assert figures["repeat_cause_rate"] is None  # 0 / 0 caused tickets
    assert figures["escalation_accuracy"] is None and figures["escalations_unjudged_share"] is None
    assert figures["first_contact_resolution"] is None and figures["reopen_rate"] is None  # nothing resolved
    assert figures["csat"] == {"mean": 3.0, "satisfied_share": 0.0, "response_rate": None}  # 1 answer / 0
    assert figures["backlog"] == {"open": 1, "median_age_hours": 135.0, "over_sla": 1}  # Mar 3 09:00 -> Mar 9
    assert figures["deflection_by_root_cause_elimination"] is None  # no cause at all


def test_to_json_gives_from_to_and_the_three_columns_rounded(report: KpiReport) -> None:
    data = report.to_json()
    assert list(data) == ["from", "to", "total", "internal", "external"]
    assert data["from"] == "2026-03-02T00:00:00+00:00" and data["to"] == "2026-03-09T00:00:00+00:00"
    assert list(data["internal"]) == KEYS
    assert data["total"]["repeat_cause_rate"] == 0.5455  # 6 / 11 = 0.545454...
    assert data["total"]["backlog"] == {"open": 5, "median_age_hours": 255.0, "over_sla": 4}


def test_text_report_shows_percentages_hours_and_no_data(report: KpiReport) -> None:
    text = format_kpis_text(report)
    assert text.splitlines()[0] == "KPIs from 2026-03-02T00:00:00+00:00 to 2026-03-09T00:00:00+00:00"
    # Cells are separated by at least two spaces; the first cell is the KPI's label.
    rows = {
        cells[0]: cells[1:] for cells in (re.split(r"\s{2,}", line.strip()) for line in text.splitlines()[2:])
    }
    assert rows["KPI"] == ["total", "internal", "external"]
    assert rows["Reopen rate"] == ["7.7%", "14.3%", "0.0%"]  # 1/13, 1/7, 0/6
    assert rows["Resolution time, p90"] == ["23.2 h", "12.6 h", "25.0 h"]
    assert rows["First response, median"] == ["27.5 min", "30.0 min", "20.0 min"]
    assert rows["Deflected by fixes (tickets)"] == ["0.25", "0.50", "0.00"]
    assert rows["Backlog, open"] == ["5", "2", "3"]
    assert rows["Tickets solved by articles"] == ["3", "1", "2"]  # K1 K2 K3; K1; K2 K3
    assert rows["FCR spread across agents"] == ["10.0%", "0.0%", "no data"]


# Europe/Berlin leaves summer time on Sunday 2026-10-25 (03:00 CEST -> 02:00 CET).
def test_last_full_week_across_the_autumn_dst_change_in_berlin_is_169_hours() -> None:
    week = last_full_week(datetime(2026, 10, 28, 12, tzinfo=UTC), "Europe/Berlin")
    assert week.start == datetime(2026, 10, 18, 22, tzinfo=UTC)  # Mon Oct 19 00:00 CEST (+02:00)
    assert week.end == datetime(2026, 10, 25, 23, tzinfo=UTC)  # Mon Oct 26 00:00 CET (+01:00)
    assert week.length == timedelta(hours=169)


def test_last_full_week_across_the_spring_dst_change_in_berlin_is_167_hours() -> None:
    week = last_full_week(datetime(2026, 4, 1, 12, tzinfo=UTC), "Europe/Berlin")  # change on Sun Mar 29
    assert week.start == datetime(2026, 3, 22, 23, tzinfo=UTC)  # Mon Mar 23 00:00 CET
    assert week.length == timedelta(hours=167)


def test_last_full_week_at_monday_midnight_local_is_the_week_just_ended() -> None:
    # Mon 2026-03-09 00:00 in Berlin is Sun 23:00 UTC: the week Mar 2..Mar 9 (local) has just ended.
    week = last_full_week(datetime(2026, 3, 8, 23, tzinfo=UTC), "Europe/Berlin")
    assert (week.start, week.end) == (
        datetime(2026, 3, 1, 23, tzinfo=UTC),
        datetime(2026, 3, 8, 23, tzinfo=UTC),
    )


def test_shifted_moves_a_period_back_by_whole_lengths() -> None:
    assert P.shifted(3) == Period(at(2, 9), at(2, 16))  # 3 * 7 days before Mar 2 .. Mar 9
    assert P.length == timedelta(days=7)


def test_parse_period_reads_bare_dates_as_midnight_in_the_zone() -> None:
    period = parse_period("2026-03-02", "2026-03-09", at(3, 20), "Europe/Berlin")
    assert period == Period(datetime(2026, 3, 1, 23, tzinfo=UTC), datetime(2026, 3, 8, 23, tzinfo=UTC))


def test_parse_period_keeps_explicit_offsets() -> None:
    period = parse_period("2026-03-02T09:15:00Z", "2026-03-02T12:00:00+02:00", at(3, 20), "Europe/Berlin")
    assert period == Period(datetime(2026, 3, 2, 9, 15, tzinfo=UTC), datetime(2026, 3, 2, 10, tzinfo=UTC))


def test_parse_period_without_dates_is_the_last_full_week() -> None:
    assert parse_period(None, None, at(3, 11, 15), "UTC") == P  # Wednesday Mar 11 -> Mar 2 .. Mar 9


@pytest.mark.parametrize(
    ("from_", "to", "message"),
    [
        ("2026-02-30", "2026-03-09", "not ISO 8601"),
        ("last week", "2026-03-09", "not ISO 8601"),
        ("2026-03-02", "03/09/2026", "not ISO 8601"),
        ("2026-03-09", "2026-03-02", "must be before"),
        ("2026-03-02", "2026-03-02", "must be before"),
        ("2026-03-02", None, "both"),
        (None, "2026-03-09", "both"),
    ],
)
def test_parse_period_refuses_bad_dates_with_a_clear_message(
    from_: str | None, to: str | None, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_period(from_, to, at(3, 20), "UTC")


def test_parse_period_refuses_an_unknown_time_zone() -> None:
    with pytest.raises(InvalidInput, match="time zone"):
        parse_period("2026-03-02", "2026-03-09", at(3, 20), "Mars/Olympus")

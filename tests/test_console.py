"""The console over HTTP on a real database: sign-in links, sessions, roles, CSRF, figures, escaping."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest

from core.audit import AuditAction
from tests.cli_support import cli_for
from tests.console_support import LEADER_ONLY, PAGES, console, csrf_of

pytestmark = pytest.mark.usefixtures("engine")  # rows are deleted after each test
DATA_KEY = re.compile(r"data-key=\"([^\"]+)\" data-value='([^']*)'")


def figures(html: str) -> dict[str, object]:
    """Every figure a page marks with data-key, with its exact value."""
    return {k: json.loads(v) for k, v in DATA_KEY.findall(html)}


def at(report: dict[str, object], path: str) -> object:
    """A value of `fixloop kpis --json` by dotted path; a per-article dict is summed, as the console shows it."""
    value: object = report
    for part in path.split("."):
        assert isinstance(value, dict)
        value = value[part]
    return sum(value.values()) if isinstance(value, dict) else value


async def test_without_a_session_every_console_page_redirects_to_sign_in_and_serves_no_data(db_url, tmp_path):
    async with console(db_url, tmp_path) as h:
        for path in PAGES:
            status, body = await h.get(path)
            response = await h.client.get(path, allow_redirects=False)
            assert status == 303, path
            assert response.headers["Location"].startswith("/app/signin?next=/app/")
            assert body == "", f"{path} served a body without a session"


async def test_a_one_time_link_signs_in_once_and_a_used_link_is_refused_with_a_clear_page(db_url, tmp_path):
    async with console(db_url, tmp_path) as h:
        path = await h.link("lea")
        page = await h.client.get(path)
        token = csrf_of(await page.text())
        used = await h.client.post(path, data={"csrf": token}, allow_redirects=False)
        assert used.status == 303 and used.headers["Location"] == "/app/"
        status, body = await h.get("/app/overview")
        assert status == 200 and "Repeat-cause rate" in body
        again_page = await h.client.get(path)
        assert again_page.status == 410 and "already used" in await again_page.text()
        again = await h.client.post(path, data={"csrf": csrf_of(body)}, allow_redirects=False)
        assert again.status == 410 and "already used" in await again.text()


async def test_an_expired_link_is_refused_with_a_clear_page_and_signs_nobody_in(db_url, tmp_path):
    async with console(db_url, tmp_path) as h:
        path = await h.link("lea")
        page = await h.client.get(path)
        token = csrf_of(await page.text())
        h.clock.advance(minutes=10, seconds=1)
        expired = await h.client.post(path, data={"csrf": token}, allow_redirects=False)
        assert expired.status == 410 and "expired" in await expired.text()
        assert (await h.get("/app/overview"))[0] == 303
        status, body = await h.get(path)
        assert status == 410 and "works for 10 minutes" in body
        status, body = await h.get("/app/signin/link/not-a-real-token")
        assert status == 404 and "not valid" in body


async def test_a_link_is_issued_only_to_people_with_a_console_role(db_url, tmp_path):
    from core.errors import NotAllowed

    async with console(db_url, tmp_path) as h:
        for who in ("eve", "U0EVE", "stranger"):
            with pytest.raises(NotAllowed, match="leaders, managers and agents"):
                await h.runtime.desk.console_link(who)
        assert (await h.runtime.desk.console_link("U0LEA")).person == "lea"


async def test_an_agent_cannot_open_a_leaders_page_by_url_and_sees_only_their_own_tickets(db_url, tmp_path):
    async with console(db_url, tmp_path) as h:
        await h.sign_in("dan")
        for path in LEADER_ONLY:
            status, body = await h.get(path)
            assert status == 403, path
            assert "for leaders" in body and "data-key" not in body and "cause-1" not in body
        status, _ = await h.get("/app/")
        assert status == 303
        status, body = await h.get("/app/tickets?from=2026-10-01&to=2026-11-20")
        agents = set(re.findall(r"<td>(ana|ben|dan)</td>", body))
        assert status == 200 and agents == {"dan"}
        status, body = await h.get("/app/coaching")
        assert set(re.findall(r'data-key="agent\.(\w+)"', body)) == {"dan"}


async def test_a_manager_sees_the_tickets_and_coaching_of_their_own_agents_only(db_url, tmp_path):
    async with console(db_url, tmp_path) as h:
        await h.sign_in("mia")
        status, body = await h.get("/app/tickets?from=2026-10-01&to=2026-11-20")
        assert status == 200 and set(re.findall(r"<td>(ana|ben|dan)</td>", body)) == {"ana", "ben"}
        _, body = await h.get("/app/coaching")
        assert set(re.findall(r'data-key="agent\.(\w+)"', body)) == {"ana", "ben"}
        assert (await h.get("/app/teams"))[0] == 403


async def test_forms_without_the_sessions_csrf_token_are_refused_and_change_nothing(db_url, tmp_path):
    async with console(db_url, tmp_path) as h:
        path = await h.link("lea")
        await h.client.get(path)
        forged = await h.client.post(path, data={"csrf": "forged"}, allow_redirects=False)
        assert forged.status == 403
        await h.sign_in("lea")  # the link forged above is still good: sign in with a fresh one
        out = await h.client.post("/app/signout", data={}, allow_redirects=False)
        assert out.status == 403 and (await h.get("/app/overview"))[0] == 200
        _, body = await h.get("/app/overview")
        out = await h.client.post("/app/signout", data={"csrf": csrf_of(body)}, allow_redirects=False)
        assert out.status == 303 and (await h.get("/app/overview"))[0] == 303


async def test_sign_ins_are_written_to_the_audit_log(db_url, tmp_path):
    async with console(db_url, tmp_path) as h:
        await h.sign_in("mia")
        entries = await h.runtime.repos.audit.list()
        assert [(e.who, e.action, e.detail) for e in entries] == [
            ("mia", AuditAction.SIGNED_IN, "console sign-in via link")
        ]


async def test_session_cookies_are_httponly_samesite_and_secure_behind_an_https_public_url(db_url, tmp_path):
    async with console(db_url, tmp_path, fixloop_public_url="https://fixloop.example.test") as h:
        path = await h.link("lea")
        page = await h.client.get(path)
        cookie = page.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie and "Path=/app/" in cookie
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert "script-src" not in page.headers["Content-Security-Policy"]
    async with console(db_url, tmp_path, ledger=False) as h:
        page = await h.client.get(await h.link("lea"))
        assert "Secure" not in page.headers["Set-Cookie"]


async def test_the_overview_shows_exactly_the_figures_of_fixloop_kpis_json(db_url, tmp_path):
    async with console(db_url, tmp_path) as h:
        await h.sign_in("lea")
        status, body = await h.get("/app/overview?from=2026-11-09&to=2026-11-16")
        cli = cli_for(db_url, h.config)
        now = json.loads(cli.run("kpis", "--from", "2026-11-09", "--to", "2026-11-16", "--json").stdout)
        before = json.loads(cli.run("kpis", "--from", "2026-11-02", "--to", "2026-11-09", "--json").stdout)
        shown = figures(body)
        assert status == 200 and len(shown) == 3 * 2 * 30  # 26 figures and the 4 of fixes (time to fix p50 and p90, hold rate, told)
        for key, value in shown.items():
            source, path = (before, key[len("before."):]) if key.startswith("before.") else (now, key)
            assert value == at(source, path), key
        assert shown["total.bot_deflection"] == 12 and shown["total.escalation_accuracy"] is not None
        download = await h.client.get("/app/overview?from=2026-11-09&to=2026-11-16&csv=kpis")
        rows = list(csv.DictReader(io.StringIO(await download.text())))
        assert download.headers["Content-Disposition"] == 'attachment; filename="fixloop-kpis.csv"'
        by_kpi = {r["KPI"]: r for r in rows}
        assert by_kpi["bot_deflection"]["This period"] == "12"
        assert by_kpi["repeat_cause_rate"]["This period"] == str(now["total"]["repeat_cause_rate"])


async def test_the_causes_page_ranks_like_fixloop_causes_json_and_a_cause_lists_its_tickets(db_url, tmp_path):
    async with console(db_url, tmp_path) as h:
        await h.sign_in("lea")
        _, body = await h.get("/app/causes")
        ranked = json.loads(cli_for(db_url, h.config).run("causes", "--json", "--limit", "1000").stdout)["causes"]
        shown = figures(body)
        assert re.findall(r'href="/app/causes/([\w-]+)"', body) == [c["key"] for c in ranked]
        for c in ranked:
            for field in ("tickets", "open_tickets", "fix_status"):
                assert shown[f"cause.{c['key']}.{field}"] == c[field]
            assert shown[f"cause.{c['key']}.impact"] == pytest.approx(c["impact"], abs=0.01)
        status, page = await h.get("/app/causes/faded")
        tickets = await h.runtime.repos.tickets.list()
        own = {t.id for t in tickets if t.cause_key == "faded"}
        assert status == 200 and set(re.findall(r'data-key="ticket\.([\w-]+)"', page)) == own
        assert "fix shipped" in page and "held: 0.0 tickets a week since, 3.0 a week" in page
        assert "https://slack.com/archives/C0HELP/p1800000000" in page
        assert "https://teams.microsoft.com/l/message/" in page
        status, page = await h.get("/app/causes/cause-3")
        assert "Escalations and judgements" in page and "ESC-" in page and "not judged" in page
        assert (await h.get("/app/causes/no-such-cause"))[0] == 404


async def test_per_team_escalation_figures_add_up_to_the_kpi(db_url, tmp_path):
    async with console(db_url, tmp_path) as h:
        await h.sign_in("lea")
        _, body = await h.get("/app/teams?from=2026-10-12&to=2026-11-16")
        download = await h.client.get("/app/teams?from=2026-10-12&to=2026-11-16&csv=teams")
        rows = list(csv.DictReader(io.StringIO(await download.text())))
        report = json.loads(cli_for(db_url, h.config).run(
            "kpis", "--from", "2026-10-12", "--to", "2026-11-16", "--json").stdout)
        judged = sum(int(r["Judged"]) for r in rows)
        needed = sum(int(r["Needed"]) for r in rows)
        escalated = sum(int(r["Escalated"]) for r in rows)
        assert {r["Team"] for r in rows} >= {"it-network", "billing"}
        assert round(needed / judged, 4) == report["total"]["escalation_accuracy"]
        assert round((escalated - judged) / escalated, 4) == report["total"]["escalations_unjudged_share"]
        network = next(r for r in rows if r["Team"] == "it-network")
        assert network["Root causes found"] == "1" and float(network["Time to root cause, median"]) > 0


async def test_hostile_titles_and_text_are_escaped_in_pages_and_defused_in_csv(db_url, tmp_path):
    from core.causes import Cause

    async with console(db_url, tmp_path) as h:
        hostile = Cause("cause-1", '<script>alert(1)</script> "quoted" & =HYPERLINK("http://x")',
                        owner="<b>owner</b>", fix_url="javascript:alert(1)")
        await h.runtime.repos.causes.save(hostile)
        await h.sign_in("lea")
        _, body = await h.get("/app/causes")
        assert "<script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
        assert "<b>owner</b>" not in body and 'href="javascript:' not in body
        _, page = await h.get("/app/causes/cause-1")
        assert "<script>" not in page and 'href="javascript:' not in page
        download = await h.client.get("/app/causes?csv=causes")
        row = next(r for r in csv.DictReader(io.StringIO(await download.text())) if r["Key"] == "cause-1")
        assert row["Cause"].startswith("<script>")
        hostile.title = "=HYPERLINK(\"http://x\")"
        await h.runtime.repos.causes.save(hostile)
        download = await h.client.get("/app/causes?csv=causes")
        row = next(r for r in csv.DictReader(io.StringIO(await download.text())) if r["Key"] == "cause-1")
        assert row["Cause"] == "'=HYPERLINK(\"http://x\")"


async def test_a_bad_period_is_a_clear_400_and_an_unknown_csv_a_404(db_url, tmp_path):
    async with console(db_url, tmp_path) as h:
        await h.sign_in("lea")
        status, body = await h.get("/app/overview?from=2026-11-16&to=2026-11-09")
        assert status == 400 and "must be before" in body
        status, body = await h.get("/app/overview?from=yesterday&to=2026-11-09")
        assert status == 400 and "ISO 8601" in body
        assert (await h.get("/app/overview?csv=nothing"))[0] == 404


def test_fixloop_console_link_prints_a_link_for_a_person_and_refuses_anyone_else(db_url, tmp_path):
    from tests.console_support import write_config

    cli = cli_for(db_url, write_config(tmp_path))
    done = cli.run("console", "link", "--as", "mia")
    assert re.fullmatch(r"http://127\.0\.0\.1:3978/app/signin/link/[\w-]{40,}\n", done.stdout)
    assert "valid once" in done.stderr
    refused = cli.run("console", "link", "--as", "eve", check=False)
    assert refused.returncode == 2 and "leaders, managers and agents" in refused.stderr


async def test_links_expire_ten_minutes_after_they_are_issued(db_url, tmp_path):
    async with console(db_url, tmp_path, ledger=False) as h:
        link = await h.runtime.desk.console_link("lea")
        assert link.expires_at - h.clock.now() == timedelta(minutes=10)

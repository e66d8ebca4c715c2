"""The weekly digest as Block Kit: header, KPI fields with their change, causes, both-queue callout, wins.

Pure: it reads `Digest.to_dict()` (notice.data["digest"]) and evidence permalinks the notifier looked up,
and stays within Slack's limits: 50 blocks, 3,000 characters a section text, 2,000 a field, 10 fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.chat_links import teams_message_url
from adapters.slack.blocks import Blocks, cut, esc, section
from adapters.slack.fix_blocks import fixes_section

HEADER_MAX, FIELD_MAX, FIELDS_MAX = 150, 2000, 10
CAUSES_SHOWN = 5


def header(text: str) -> dict[str, Any]:
    """A header block."""
    return {"type": "header", "text": {"type": "plain_text", "text": cut(text, HEADER_MAX), "emoji": True}}


def fields_section(fields: list[str], text: str | None = None) -> dict[str, Any]:
    """A section of up to 10 mrkdwn fields, each cut to Slack's limit."""
    out: dict[str, Any] = {"type": "section", "fields": [_field(f) for f in fields[:FIELDS_MAX]]}
    if text:
        out["text"] = section(text)["text"]
    return out


def _field(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": cut(text, FIELD_MAX)}


def note(text: str) -> dict[str, Any]:
    """A small grey line."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": cut(text, 2000)}]}


def _kpi_field(k: dict[str, Any]) -> str:
    t = k["text"]
    return f"*{esc(k['label'])}*\n{t['total']}\n_internal {t['internal']} · external {t['external']}_"


def kpi_sections(kpis: list[dict[str, Any]]) -> Blocks:
    """Every KPI as a field: total with its change, then per surface; ten fields a section."""
    fields = [_kpi_field(k) for k in kpis]
    return [fields_section(fields[i : i + FIELDS_MAX]) for i in range(0, len(fields), FIELDS_MAX)]


def evidence_link(item: Mapping[str, Any], permalinks: Mapping[str, str]) -> str:
    """An evidence ticket as a link to its thread when one is known, else its id."""
    tid = str(item["id"])
    url = permalinks.get(tid)
    if url is None and item.get("platform") == "teams":
        url = teams_message_url(item.get("chat") or {})
    return f"<{url}|{tid}>" if url else tid


def cause_blocks(i: int, c: dict[str, Any], permalinks: Mapping[str, str]) -> Blocks:
    """One top cause: its name, volume, surfaces, owner and fix status, then links to evidence tickets."""
    both = "  :rotating_light: _seen in both queues_" if c.get("cross_surface") else ""
    fix = str(c["fix_status"])
    if c.get("fix_url"):
        fix = f"<{c['fix_url']}|{fix}>"
    fields = [
        f"*Volume*\n{c['tickets']} tickets ({c['open_tickets']} open) · impact {c['impact']:,.0f}",
        f"*Surfaces*\n{' + '.join(c['surfaces']) or 'none'}",
        f"*Owner*\n{esc(c.get('owner') or 'no owner yet')}",
        f"*Fix*\n{fix}",
    ]
    title = f"*{i}. {esc(cut(c['title'], 200))}*  `{esc(c['key'])}`{both}"
    links = ", ".join(evidence_link(e, permalinks) for e in c["evidence"]) or "none"
    return [fields_section(fields, title), note(f"Evidence: {links}")]


def knowledge_text(k: dict[str, Any]) -> str:
    """The knowledge section: articles published from gaps with what they solved since, and open gaps."""
    lines = [f"• published *{esc(cut(p['title'], 150))}*: solved {p['solved_since']} tickets since"
             for p in k["published"]] or ["• no article published from a gap yet"]
    lines += [f"• gap ({esc(g['surface'])}): *{esc(cut(g['title'], 150))}*, {g['tickets']} tickets solved "
              "without an article" for g in k["gaps"]]
    return ":books: *Knowledge*\n" + "\n".join(lines)


def digest(data: dict[str, Any], permalinks: Mapping[str, str] | None = None, chart: bool = False) -> Blocks:
    """The digest message; the chart follows as a file when there is one."""
    links = permalinks or {}
    out: Blocks = [
        header(":bar_chart: Fixloop weekly digest"),
        note(f"{esc(data['title'].split(': ', 1)[-1])} · changes are against the previous week"),
        section("*Key figures* (total, with the change; then internal · external)"),
        *kpi_sections(data["kpis"]),
        {"type": "divider"},
        section("*Top causes by business impact* (last 4 weeks)"),
    ]
    causes = data["top_causes"][:CAUSES_SHOWN]
    for i, c in enumerate(causes, 1):
        out += cause_blocks(i, c, links)
    if not causes:
        out.append(section("No causes recorded yet."))
    both = data["cross_surface"]
    if both:
        lines = "\n".join(f"• *{esc(cut(c['title'], 150))}* ({c['tickets']} tickets)" for c in both)
        out += [
            {"type": "divider"},
            section(f":rotating_light: *Seen in both the internal and the external queue*\n{lines}"),
        ]
    wins = "\n".join(f"• {esc(w)}" for w in data["wins"]) or "None this week."
    out += [{"type": "divider"}, section(f":trophy: *Wins*\n{wins}")]
    out += fixes_section(data.get("fixes"))
    if data.get("knowledge"):
        out += [{"type": "divider"}, section(knowledge_text(data["knowledge"]))]
    if chart:
        out.append(note("The 12-week trend chart follows as an image."))
    return out[:50]

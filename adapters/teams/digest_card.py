"""The weekly digest as an Adaptive Card: KPIs with their change, top causes, both-queue causes, wins, chart.

Pure: it reads `Digest.to_dict()` (notice.data["digest"]) and a chart URL, and returns card JSON. Teams
refuses messages over about 28 KB, so the chart is an Image element pointing at Fixloop, never a data URI.
"""

from __future__ import annotations

from typing import Any

from adapters.chat_links import teams_message_url
from adapters.teams.cards import Card, Element, card, cut, facts, text
from adapters.teams.escape import md, md_link
from adapters.teams.fix_cards import fixes_section

CAUSES_SHOWN = 5
NO_CHART = (
    "The 12-week trend chart is not shown here: Fixloop has no public web address for Teams to load "
    "images from (FIXLOOP_PUBLIC_URL is not set). The chart is posted with the Slack digest when Slack is "
    "connected, and `fixloop digest --chart trend.png` saves it as a file."
)


def evidence_link(item: dict[str, Any]) -> str:
    """An evidence ticket as a Teams deep link when it lives in Teams, else its id."""
    url = teams_message_url(item.get("chat") or {}) if item.get("platform") == "teams" else None
    return md_link(url, str(item["id"])) if url else md(str(item["id"]))


def _kpis(digest: dict[str, Any]) -> Element:
    pairs = []
    for k in digest["kpis"]:
        t = k["text"]
        figures = f"{t['total']} · internal {t['internal']} · external {t['external']}"
        pairs.append((md(k["label"]), md(figures)))
    return facts(pairs)


def _cause(i: int, c: dict[str, Any]) -> Element:
    fix = md(str(c["fix_status"])) + (f" ({md_link(c['fix_url'], 'link')})" if c.get("fix_url") else "")
    both = " · seen in both queues" if c.get("cross_surface") else ""
    items = [
        text(f"**{i}. {md(cut(c['title'], 120))}** \\[{md(c['key'])}\\]{both}"),
        facts(
            [
                ("Volume", f"{c['tickets']} tickets ({c['open_tickets']} open), impact {c['impact']:,.0f}"),
                ("Surfaces", md(" + ".join(c["surfaces"])) or "none"),
                ("Owner", md(c.get("owner") or "no owner yet")),
                ("Fix", fix),
            ]
        ),
        text("Evidence: " + (", ".join(evidence_link(e) for e in c["evidence"]) or "none"), isSubtle=True),
    ]
    return {"type": "Container", "separator": True, "spacing": "Medium", "items": items}


def chart_element(url: str | None) -> Element:
    """The trend chart by URL, or a plain sentence saying where to see it."""
    if url:
        alt = "Weekly volume (bot-deflected and human-handled), tickets prevented by fixes, repeat-cause rate"
        return {"type": "Image", "url": url, "altText": alt, "size": "Stretch"}
    return text(NO_CHART, isSubtle=True, wrap=True)


def digest(data: dict[str, Any], chart_url: str | None, has_chart: bool = True) -> Card:
    """The digest card; the chart is an Image by URL, or a note when Fixloop has no public URL."""
    body: list[Element] = [
        text(md(data["title"]), size="Large", weight="Bolder"),
        text("Changes are against the previous week.", isSubtle=True, spacing="None"),
        text("**Key figures** (total · internal · external)", spacing="Medium"),
        _kpis(data),
    ]
    if has_chart:
        body.append(chart_element(chart_url))
    body.append(text("**Top causes by business impact** (last 4 weeks)", spacing="Large"))
    causes = data["top_causes"][:CAUSES_SHOWN]
    body += [_cause(i, c) for i, c in enumerate(causes, 1)] or [text("No causes recorded yet.")]
    both = data["cross_surface"]
    if both:
        names = ", ".join(f"{md(cut(c['title'], 80))} ({c['tickets']} tickets)" for c in both)
        body.append(
            {
                "type": "Container",
                "style": "warning",
                "spacing": "Large",
                "items": [text(f"**Seen in both the internal and the external queue:** {names}")],
            }
        )
    wins = data["wins"]
    body.append(text("**Wins**", spacing="Large"))
    body.append(text("\n".join(f"- {md(w)}" for w in wins) if wins else "None this week."))
    body += fixes_section(data.get("fixes"))
    if data.get("knowledge"):
        body += [text("**Knowledge**", spacing="Large"), text(knowledge_text(data["knowledge"]))]
    return card(*body)


def knowledge_text(k: dict[str, Any]) -> str:
    """The knowledge section: articles published from gaps with what they solved since, and open gaps."""
    lines = [f"- published **{md(p['title'])}**: solved {p['solved_since']} tickets since"
             for p in k["published"]] or ["- no article published from a gap yet"]
    lines += [f"- gap ({md(g['surface'])}): **{md(g['title'])}**, {g['tickets']} tickets solved without an "
              "article" for g in k["gaps"]]
    return "\n".join(lines)

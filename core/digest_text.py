"""Renderings of the weekly digest: plain text, and JSON-able data for the chat adapters' cards."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.fix_digest import fix_news_text

if TYPE_CHECKING:
    from core.causes import RankedCause
    from core.digests import Digest, Line

UNITS = {"hours": " h", "minutes": " min", "seconds": " s", "score": "", "tickets": "", "count": ""}


def fmt(unit: str, value: Any) -> str:
    """A KPI value as a leader reads it; "no data" when there was nothing to count."""
    if value is None:
        return "no data"
    if unit == "rate":
        return f"{value * 100:.0f}%"
    if isinstance(value, float):
        return f"{value:.1f}{UNITS.get(unit, '')}"
    return f"{value}{UNITS.get(unit, '')}"


def delta(line: Line, surface: str = "total") -> float | None:
    """Now minus the previous period, or None when either side had no data."""
    now, before = line.now.get(surface), line.before.get(surface)
    return None if now is None or before is None else now - before


def change(line: Line, surface: str = "total") -> str:
    """The change against the previous period, with a word that says whether it is better."""
    d = delta(line, surface)
    if d is None:
        return ""
    if abs(d) < 1e-9:
        return "(=)"
    better = (d > 0) == line.up_is_good
    shown = f"{d:+d}" if isinstance(d, int) else f"{d:+.1f}"
    if line.unit == "rate":
        shown = f"{d * 100:+.0f} pts"
    return f"({shown}, {'better' if better else 'worse'})"


def _cell(line: Line, surface: str) -> str:
    return f"{fmt(line.unit, line.now[surface])} {change(line, surface)}".strip()


def _cause_line(i: int, r: RankedCause) -> list[str]:
    c = r.cause
    fix = f"fix {c.fix_status}" + (f" {c.fix_url}" if c.fix_url else "")
    return [
        f"  {i}. {c.title} [{c.key}] impact {r.impact:,.0f}, {r.tickets} tickets, "
        f"{'+'.join(r.surfaces)}, owner {c.owner or 'none'}, {fix}",
        f"     evidence: {', '.join(r.evidence)}",
    ]


def render_text(digest: Digest) -> str:
    """The whole digest as text; changes are against the previous period of the same length."""
    zone = digest.local_start().tzinfo
    start, end = digest.local_start(), digest.period.end.astimezone(zone)
    span = f"{start:%a %Y-%m-%d %H:%M} to {end:%a %Y-%m-%d %H:%M} ({digest.timezone})"
    out = [f"Fixloop weekly digest: {span}", "", f"{'':32}{'total':<26}{'internal':<26}external"]
    for line in digest.lines:
        out.append(
            f"{line.label:32}"
            + "".join(f"{_cell(line, s):<26}" for s in ("total", "internal"))
            + _cell(line, "external")
        )
    out += ["", "Top causes by business impact (last 4 weeks):"]
    if not digest.top_causes:
        out.append("  no data")
    for i, r in enumerate(digest.top_causes, 1):
        out += _cause_line(i, r)
    if digest.cross_surface:
        out += ["", "Seen in both the internal and the external queue:"]
        out += [f"  - {r.cause.title} [{r.cause.key}] ({r.tickets} tickets)" for r in digest.cross_surface]
    out += ["", "Wins:"] + ([f"  - {w}" for w in digest.wins] or ["  none this week"])
    out += fix_news_text(digest.fixes)
    if digest.knowledge is not None:
        out += ["", "Knowledge:", *digest.knowledge.lines()]
    return "\n".join(out)


def _cause_dict(r: RankedCause, evidence: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {**r.to_dict(), "evidence": [{"id": i, **evidence.get(i, {})} for i in r.evidence]}


def _line_dict(line: Line) -> dict[str, Any]:
    return {
        "key": line.key,
        "sub": line.sub,
        "label": line.label,
        "unit": line.unit,
        "up_is_good": line.up_is_good,
        "now": dict(line.now),
        "before": dict(line.before),
        "change": {s: delta(line, s) for s in line.now},
        "text": {s: _cell(line, s) for s in line.now},
    }


def render_dict(digest: Digest) -> dict[str, Any]:
    """The digest as JSON-able data: null where there was no data, times as ISO 8601."""
    return {
        "from": digest.period.start.isoformat(),
        "to": digest.period.end.isoformat(),
        "timezone": digest.timezone,
        "title": render_text(digest).splitlines()[0],
        "kpis": [_line_dict(line) for line in digest.lines],
        "top_causes": [_cause_dict(r, digest.evidence) for r in digest.top_causes],
        "cross_surface": [_cause_dict(r, digest.evidence) for r in digest.cross_surface],
        "wins": list(digest.wins),
        "fixes": digest.fixes.to_dict(),
        "knowledge": digest.knowledge.to_dict() if digest.knowledge is not None else None,
        "fades": [
            {"key": f.cause.key, "title": f.cause.title, "before_per_week": f.before, "now": f.now}
            for f in digest.fades
        ],
        "more_fades": digest.more_fades,
        "trend": [
            {
                "week_start": p.start.isoformat(),
                "created": p.created,
                "bot_deflected": p.bot_deflected,
                "human_handled": p.human_handled,
                "repeat_cause_rate": p.repeat_cause_rate,
                "prevented": p.prevented,
            }
            for p in digest.trend
        ],
    }

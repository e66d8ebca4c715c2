"""Plain-text rendering of the weekly digest (chat adapters render their own cards)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from core.digests import Digest, Line


def fmt(key: str, value: Any) -> str:
    """A KPI value as a leader reads it; "no data" when there was nothing to count."""
    from core.digests import RATES

    if value is None:
        return "no data"
    if key in RATES:
        return f"{value * 100:.0f}%"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def change(line: Line, surface: str = "total") -> str:
    """The change against the previous period, with an arrow that says whether it is better."""
    now, before = line.now.get(surface), line.before.get(surface)
    if now is None or before is None:
        return ""
    delta = now - before
    if abs(delta) < 1e-9:
        return "(=)"
    from core.digests import RATES

    better = (delta > 0) == line.up_is_good
    if line.key in RATES:
        shown = f"{delta * 100:+.0f} pts"
    else:
        shown = f"{delta:+d}" if isinstance(delta, int) else f"{delta:+.1f}"
    return f"({shown}, {'better' if better else 'worse'})"


def render_text(digest: Digest) -> str:
    """The whole digest as text."""
    p = digest.period
    zone = ZoneInfo(digest.timezone)
    start, end = p.start.astimezone(zone), p.end.astimezone(zone)
    span = f"{start:%a %Y-%m-%d %H:%M} to {end:%a %Y-%m-%d %H:%M} ({digest.timezone})"
    out = [f"Fixloop weekly digest: {span}", ""]
    out.append(f"{'':38}{'total':>22}{'internal':>12}{'external':>12}")
    for line in digest.lines:
        total = f"{fmt(line.key, line.now['total'])} {change(line)}"
        out.append(
            f"{line.label:38}{total:>22}{fmt(line.key, line.now['internal']):>12}"
            f"{fmt(line.key, line.now['external']):>12}"
        )
    out += ["", "Top causes by business impact (last 4 weeks):"]
    if not digest.top_causes:
        out.append("  no data")
    for i, r in enumerate(digest.top_causes, 1):
        c = r.cause
        fix = f"fix {c.fix_status}" + (f" {c.fix_url}" if c.fix_url else "")
        out.append(
            f"  {i}. {c.title} [{c.key}] impact {r.impact:.0f}, {r.tickets} tickets, "
            f"{'+'.join(r.surfaces)}, owner {c.owner or 'none'}, {fix}"
        )
        out.append(f"     evidence: {', '.join(r.evidence)}")
    if digest.cross_surface:
        out += ["", "Seen in both the internal and the external queue:"]
        out += [f"  - {r.cause.title} ({r.tickets} tickets)" for r in digest.cross_surface]
    out += ["", "Wins:"] + ([f"  - {w}" for w in digest.wins] or ["  none this week"])
    return "\n".join(out)

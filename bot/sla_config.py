"""[sla] and each team's `lead` and [teams.<key>.hours] in fixloop.toml, read into core.sla.SlaPolicy."""

from __future__ import annotations

from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.business_hours import WEEKDAYS, BusinessHours
from core.sla import DEFAULT_FIRST_RESPONSE, DEFAULT_WORDS, SlaPolicy, Target
from core.tickets import Priority, Surface

SLA_KEYS = {"first_response", "resolution", "internal", "external", "words", "tiers", "nudge_at"}
HOURS_KEYS = {"timezone", "days", "open", "close", "holidays"}


class SlaConfigError(ValueError):
    """A bad [sla] or team hours entry; the message names the key (bot/config turns it into ConfigError)."""


def sla_policy(data: dict[str, Any], timezone: str, where: str) -> SlaPolicy:
    """The SLA policy of a parsed fixloop.toml."""
    table = _table(data.get("sla", {}), "sla", where)
    unknown = set(table) - SLA_KEYS
    if unknown:
        raise SlaConfigError(f"{where}: sla.{sorted(unknown)[0]} is unknown ({', '.join(sorted(SLA_KEYS))})")
    teams = _table(data.get("teams", {}), "teams", where)
    people = set(_table(data.get("people", {}), "people", where))
    share = table.get("nudge_at", 0.8)
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share < 1:
        raise SlaConfigError(f"{where}: sla.nudge_at must be a share of the target between 0 and 1, e.g. 0.8")
    return SlaPolicy(
        first_response={**DEFAULT_FIRST_RESPONSE, **_targets(table, "first_response", "sla", where)},
        resolution=_targets(table, "resolution", "sla", where),
        surfaces={s.value: _surface_targets(table, s.value, where) for s in Surface if s.value in table},
        hours={
            k: _hours(v["hours"], timezone, f"teams.{k}.hours", where)
            for k, v in teams.items()
            if "hours" in v
        },
        leads={k: _lead(k, v["lead"], people, where) for k, v in teams.items() if "lead" in v},
        words=_words(table, where) if "words" in table else DEFAULT_WORDS,
        tiers={
            str(k): _priority(v, f"sla.tiers.{k}", where)
            for k, v in _table(table.get("tiers", {}), "sla.tiers", where).items()
        },
        nudge_share=float(share),
    )


def _table(value: Any, key: str, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SlaConfigError(f"{where}: {key} must be a table")
    return value


def _priority(value: Any, key: str, where: str) -> Priority:
    try:
        return Priority(str(value))
    except ValueError:
        raise SlaConfigError(
            f"{where}: {key} must be one of {', '.join(p.value for p in Priority)}"
        ) from None


def _targets(table: dict[str, Any], target: str, prefix: str, where: str) -> dict[str, float]:
    """{priority: hours} of one target table."""
    out = {}
    for key, value in _table(table.get(target, {}), f"{prefix}.{target}", where).items():
        name = f"{prefix}.{target}.{key}"
        _priority(key, name, where)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise SlaConfigError(f"{where}: {name} must be a number of hours above 0")
        out[key] = float(value)
    return out


def _surface_targets(table: dict[str, Any], surface: str, where: str) -> dict[str, dict[str, float]]:
    """[sla.<surface>.first_response] and [sla.<surface>.resolution]: overrides for one surface."""
    inner = _table(table[surface], f"sla.{surface}", where)
    unknown = set(inner) - {t.value for t in Target}
    if unknown:
        raise SlaConfigError(
            f"{where}: sla.{surface}.{sorted(unknown)[0]} is unknown (first_response, resolution)"
        )
    return {t.value: _targets(inner, t.value, f"sla.{surface}", where) for t in Target if t.value in inner}


def _words(table: dict[str, Any], where: str) -> tuple[tuple[Priority, tuple[str, ...]], ...]:
    """[sla.words]: priority = ["phrase", ...], replacing the defaults."""
    out = []
    for key, phrases in _table(table["words"], "sla.words", where).items():
        priority = _priority(key, f"sla.words.{key}", where)
        if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
            raise SlaConfigError(f"{where}: sla.words.{key} must be a list of words or phrases")
        out.append((priority, tuple(" ".join(p.lower().split()) for p in phrases)))
    return tuple(out)


def _lead(team: str, value: Any, people: set[str], where: str) -> str:
    if not isinstance(value, str) or value not in people:
        raise SlaConfigError(f"{where}: teams.{team}.lead must name someone in [people], not {value!r}")
    return value


def _clock(value: Any, key: str, where: str) -> time:
    try:
        hour, minute = (int(x) for x in str(value).split(":"))
        return time(hour, minute)
    except ValueError:
        raise SlaConfigError(f'{where}: {key} must be a time as HH:MM, e.g. "09:00"') from None


def _hours(value: Any, timezone: str, key: str, where: str) -> BusinessHours:
    """A team's business hours: days, open, close, holidays, and its own time zone if it has one."""
    table = _table(value, key, where)
    unknown = set(table) - HOURS_KEYS
    if unknown:
        raise SlaConfigError(
            f"{where}: {key}.{sorted(unknown)[0]} is unknown ({', '.join(sorted(HOURS_KEYS))})"
        )
    zone = str(table.get("timezone", timezone))
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SlaConfigError(f"{where}: {key}.timezone {zone!r} is not a known time zone") from None
    days = table.get("days", list(WEEKDAYS[:5]))
    if not isinstance(days, list) or not days or not all(d in WEEKDAYS for d in days):
        raise SlaConfigError(f"{where}: {key}.days must list days among {', '.join(WEEKDAYS)}")
    try:
        holidays = frozenset(
            h if isinstance(h, date) else date.fromisoformat(str(h)) for h in table.get("holidays", [])
        )
        return BusinessHours(
            timezone=zone,
            days=frozenset(WEEKDAYS.index(d) for d in days),
            opens=_clock(table.get("open", "09:00"), f"{key}.open", where),
            closes=_clock(table.get("close", "17:00"), f"{key}.close", where),
            holidays=holidays,
        )
    except (ValueError, TypeError) as exc:
        raise SlaConfigError(f"{where}: {key}: {exc} (holidays are dates like 2026-12-25)") from None

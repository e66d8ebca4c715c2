"""fixloop.toml: teams, people, channels, surfaces, SLA targets, impact weights and schedules."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.incident_config import incident_policy
from bot.sla_config import SlaConfigError, sla_policy
from bot.tracker_config import tracker_setup
from core.incidents import IncidentPolicy
from core.org import ImpactWeights, Org, Person, PersonRole, Team
from core.sla import SlaPolicy
from core.tickets import Priority, Surface
from core.trackers import TrackerSetup

TOP_KEYS = {
    "timezone",
    "default_surface",
    "triage_team",
    "channels",
    "surfaces",
    "sla_hours",
    "sla",
    "impact",
    "schedule",
    "teams",
    "people",
    "incidents",
}
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ConfigError(Exception):
    """A bad fixloop.toml; the message names the file and the key."""


@dataclass(frozen=True)
class Schedule:
    job: str
    day: str  # mon..sun
    time: str  # HH:MM in the configured time zone


@dataclass(frozen=True)
class AppConfig:
    org: Org
    schedules: tuple[Schedule, ...] = field(default_factory=tuple)
    source: str = "(defaults)"
    trackers: dict[str, TrackerSetup] = field(default_factory=dict)  # team key -> its tracker
    incidents: IncidentPolicy | None = field(default_factory=IncidentPolicy)  # None: turned off


def load_config(path: Path | None) -> AppConfig:
    """Read and check fixloop.toml; a missing file gives the defaults."""
    if path is None or not path.exists():
        return AppConfig(org=Org(), schedules=_schedules({}, "(defaults)"))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return parse_config(data, str(path))


def parse_config(data: dict[str, Any], where: str) -> AppConfig:
    """Build the configuration from parsed TOML, naming the key of the first problem."""
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {sorted(unknown)[0]!r} (known: {', '.join(sorted(TOP_KEYS))})"
        )
    tz = _str(data, "timezone", where, "UTC")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"{where}: timezone {tz!r} is not a known time zone") from exc
    org = Org(
        teams=tuple(_team(k, v, where) for k, v in _table(data, "teams", where).items()),
        people=tuple(_person(k, v, where) for k, v in _table(data, "people", where).items()),
        sla_hours=_sla(_table(data, "sla_hours", where), where),
        weights=_weights(_table(data, "impact", where), where),
        timezone=tz,
        channels={k: _strmap(v, f"channels.{k}", where) for k, v in _table(data, "channels", where).items()},
        surfaces=_surfaces(_table(data, "surfaces", where), where),
        default_surface=_surface(_str(data, "default_surface", where, "internal"), "default_surface", where),
        triage_team=_str(data, "triage_team", where, "tier1"),
        sla=_sla_policy(data, tz, where),
    )
    _check_links(org, where)
    teams = _table(data, "teams", where)
    trackers = {k: tracker_setup(k, v["tracker"], where) for k, v in teams.items() if "tracker" in v}
    schedules = _schedules(_table(data, "schedule", where), where)
    incidents = incident_policy(_table(data, "incidents", where), where)
    return AppConfig(org=org, schedules=schedules, source=where, trackers=trackers, incidents=incidents)


def _sla_policy(data: dict[str, Any], tz: str, where: str) -> SlaPolicy:
    try:
        return sla_policy(data, tz, where)
    except SlaConfigError as exc:
        raise ConfigError(str(exc)) from None


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: {key} must be a table ([{key}])")
    return value


def _str(data: dict[str, Any], key: str, where: str, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: {key} must be a non-empty string")
    return value


def _strmap(value: Any, key: str, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ConfigError(f'{where}: {key} must map platforms to channel ids, e.g. slack = "C012AB3CD"')
    return dict(value)


def _surface(value: str, key: str, where: str) -> Surface:
    try:
        return Surface(value)
    except ValueError:
        raise ConfigError(f"{where}: {key} must be internal or external, not {value!r}") from None


def _surfaces(table: dict[str, Any], where: str) -> dict[str, str]:
    out = {}
    for channel, value in table.items():
        if ":" not in channel:
            raise ConfigError(f'{where}: surfaces.{channel} must be written "platform:channel"')
        out[channel] = str(_surface(str(value), f"surfaces.{channel}", where))
    return out


def _number(value: Any, key: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"{where}: {key} must be a number of 0 or more, not {value!r}")
    return float(value)


def _sla(table: dict[str, Any], where: str) -> dict[str, float]:
    known = {p.value for p in Priority}
    for key in table:
        if key not in known:
            raise ConfigError(f"{where}: sla_hours.{key} is not a priority ({', '.join(sorted(known))})")
    return {k: _number(v, f"sla_hours.{k}", where) for k, v in table.items()}


def _weights(table: dict[str, Any], where: str) -> ImpactWeights:
    default = ImpactWeights()
    extra = set(table) - {"priority", "surface", "hours_cap"}
    if extra:
        raise ConfigError(f"{where}: impact.{sorted(extra)[0]} is unknown (priority, surface, hours_cap)")
    prio = {k: _number(v, f"impact.priority.{k}", where) for k, v in _table(table, "priority", where).items()}
    surf = {k: _number(v, f"impact.surface.{k}", where) for k, v in _table(table, "surface", where).items()}
    cap = _number(table.get("hours_cap", default.hours_cap), "impact.hours_cap", where)
    return ImpactWeights(
        priority={**default.priority, **prio}, surface={**default.surface, **surf}, hours_cap=cap
    )


def _team(key: str, value: Any, where: str) -> Team:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: teams.{key} must be a table")
    owns = value.get("owns", [])
    if not isinstance(owns, list) or not all(isinstance(o, str) for o in owns):
        raise ConfigError(f"{where}: teams.{key}.owns must be a list of strings")
    channels = {k: v for k, v in value.items() if k in ("slack", "teams")}
    _strmap(channels, f"teams.{key}", where)
    extra = set(value) - {"name", "owns", "slack", "teams", "tracker", "lead", "hours"}  # lead, hours: SLA
    if extra:
        raise ConfigError(
            f"{where}: teams.{key}.{sorted(extra)[0]} is unknown "
            "(name, owns, slack, teams, tracker, lead, hours)"
        )
    return Team(
        key=key, name=str(value.get("name", key)), owns=tuple(o.lower() for o in owns), channels=channels
    )


def _person(key: str, value: Any, where: str) -> Person:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: people.{key} must be a table")
    extra = set(value) - {"name", "roles", "manager", "slack", "teams"}
    if extra:
        raise ConfigError(
            f"{where}: people.{key}.{sorted(extra)[0]} is unknown (name, roles, manager, slack, teams)"
        )
    roles = value.get("roles", ["employee"])
    try:
        parsed = frozenset(PersonRole(r) for r in roles)
    except (ValueError, TypeError):
        raise ConfigError(
            f"{where}: people.{key}.roles must list employee, agent, manager or leader"
        ) from None
    ids = {k: str(v) for k, v in value.items() if k in ("slack", "teams")}
    return Person(
        key=key, name=str(value.get("name", key)), roles=parsed, manager=value.get("manager"), ids=ids
    )


def _check_links(org: Org, where: str) -> None:
    keys = {p.key for p in org.people}
    for p in org.people:
        if p.manager and p.manager not in keys:
            raise ConfigError(f"{where}: people.{p.key}.manager names {p.manager!r}, who is not in [people]")


def _schedules(table: dict[str, Any], where: str) -> tuple[Schedule, ...]:
    defaults = {
        "digest": ("mon", "09:00"),
        "coaching": ("mon", "10:00"),
        "recluster": ("sun", "22:00"),  # before the Monday digest, so it ranks this week's causes
        "sla_nudge": ("*", "every 15 min"),
    }
    out = []
    for job, (day, time) in defaults.items():
        spec = table.get(job, {})
        if not isinstance(spec, dict):
            raise ConfigError(f"{where}: schedule.{job} must be a table with day and time")
        day, time = str(spec.get("day", day)), str(spec.get("time", time))
        if job != "sla_nudge" and (day not in DAYS or not _is_hhmm(time)):
            raise ConfigError(f"{where}: schedule.{job} needs day in {'/'.join(DAYS)} and time as HH:MM")
        out.append(Schedule(job=job, day=day, time=time))
    return tuple(out)


def _is_hhmm(value: str) -> bool:
    parts = value.split(":")
    return len(parts) == 2 and all(p.isdigit() for p in parts) and int(parts[0]) < 24 and int(parts[1]) < 60

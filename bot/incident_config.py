"""fixloop.toml [incidents]: the incident rule's thresholds, checked, with defaults for missing keys."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from core.incidents import IncidentPolicy

BOUNDS: dict[str, tuple[float, float]] = {
    "min_tickets": (2, 1000),
    "min_requesters": (1, 1000),
    "window_minutes": (1, 7 * 24 * 60),
    "similarity": (0.05, 1.0),
    "duplicate_similarity": (0.05, 1.0),
    "similar_shown": (0, 10),
}
KNOWN = ("enabled", *BOUNDS)


def incident_policy(table: dict[str, Any], where: str) -> IncidentPolicy | None:
    """The policy of an [incidents] table; None when `enabled = false` turns incidents and duplicates off."""
    from bot.config import ConfigError  # bot.config imports this module

    unknown = set(table) - set(KNOWN)
    if unknown:
        raise ConfigError(f"{where}: incidents.{sorted(unknown)[0]} is unknown ({', '.join(KNOWN)})")
    if not isinstance(table.get("enabled", True), bool):
        raise ConfigError(f"{where}: incidents.enabled must be true or false")
    if table.get("enabled", True) is False:
        return None
    chosen: dict[str, Any] = {key: _checked(key, table[key], where) for key in BOUNDS if key in table}
    policy = IncidentPolicy(**chosen)
    if policy.min_requesters > policy.min_tickets:
        raise ConfigError(f"{where}: incidents.min_requesters cannot exceed incidents.min_tickets")
    return policy


def _checked(key: str, value: object, where: str) -> float:
    """A threshold within its bounds; a whole number where the policy counts."""
    from bot.config import ConfigError

    whole = {f.name: f.type for f in fields(IncidentPolicy)}[key] in ("int", int)
    if isinstance(value, bool) or not isinstance(value, int | float) or (whole and isinstance(value, float)):
        raise ConfigError(f"{where}: incidents.{key} must be a {'whole ' if whole else ''}number")
    low, high = BOUNDS[key]
    if not low <= value <= high:
        raise ConfigError(f"{where}: incidents.{key} must be between {low:g} and {high:g}")
    return value

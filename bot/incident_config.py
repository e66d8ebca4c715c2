"""fixloop.toml [incidents]: the incident rule's thresholds, checked, with defaults for missing keys."""

from __future__ import annotations

from dataclasses import fields, replace
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
    if table.get("enabled", True) is False:
        return None
    policy, kinds = IncidentPolicy(), {f.name: f.type for f in fields(IncidentPolicy)}
    for key, (low, high) in BOUNDS.items():
        if key not in table:
            continue
        value = table[key]
        whole = kinds[key] in ("int", int)
        if isinstance(value, bool) or not isinstance(value, int | float) or (whole and not isinstance(value, int)):
            raise ConfigError(f"{where}: incidents.{key} must be a {'whole ' if whole else ''}number")
        if not low <= value <= high:
            raise ConfigError(f"{where}: incidents.{key} must be between {low:g} and {high:g}")
        policy = replace(policy, **{key: value})
    if policy.min_requesters > policy.min_tickets:
        raise ConfigError(f"{where}: incidents.min_requesters cannot exceed incidents.min_tickets")
    return policy

"""Who is who: teams and what they own, people and their roles, and the policies set in fixloop.toml."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from core.errors import NotAllowed
from core.sla import SlaPolicy
from core.tickets import Priority, Surface

CONSOLE = "console"  # the terminal chat's platform: people are named by their key


class PersonRole(StrEnum):
    EMPLOYEE = "employee"
    AGENT = "agent"
    MANAGER = "manager"
    LEADER = "leader"


STAFF = (PersonRole.AGENT, PersonRole.MANAGER, PersonRole.LEADER)  # the owning team's actions, any of these


@dataclass(frozen=True)
class Team:
    key: str
    name: str
    owns: tuple[str, ...] = ()  # cause keys and topic words this team fixes
    channels: dict[str, str] = field(default_factory=dict)  # platform -> channel/conversation id


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    roles: frozenset[PersonRole] = frozenset({PersonRole.EMPLOYEE})
    manager: str | None = None
    ids: dict[str, str] = field(default_factory=dict)  # platform -> user id


@dataclass(frozen=True)
class ImpactWeights:
    priority: dict[str, float] = field(
        default_factory=lambda: {"low": 0.5, "normal": 1.0, "high": 2.0, "urgent": 4.0}
    )
    surface: dict[str, float] = field(default_factory=lambda: {"internal": 1.0, "external": 1.5})
    hours_cap: float = 72.0


@dataclass(frozen=True)
class Org:
    """The organisation as configured; frozen, passed into use cases."""

    teams: tuple[Team, ...] = ()
    people: tuple[Person, ...] = ()
    sla_hours: dict[str, float] = field(default_factory=dict)  # priority -> hours
    weights: ImpactWeights = field(default_factory=ImpactWeights)
    timezone: str = "UTC"
    channels: dict[str, dict[str, str]] = field(default_factory=dict)  # role -> platform -> id
    surfaces: dict[str, str] = field(default_factory=dict)  # "platform:channel" -> surface
    default_surface: Surface = Surface.INTERNAL
    triage_team: str = "tier1"
    sla: SlaPolicy = field(default_factory=SlaPolicy)  # targets, business hours, leads (core/sla.py)

    def team(self, key: str) -> Team | None:
        """Find a team by key, case-insensitively."""
        return next((t for t in self.teams if t.key.lower() == key.lower()), None)

    def team_keys(self) -> list[str]:
        """All team keys, in configured order."""
        return [t.key for t in self.teams]

    def owner_of(self, cause_key: str | None, words: str = "") -> Team | None:
        """The team that owns a cause key, or failing that a topic word in the text."""
        if cause_key:
            for team in self.teams:
                if cause_key in team.owns:
                    return team
        lowered = words.lower()
        for team in self.teams:
            if any(re.search(rf"\b{re.escape(topic)}\b", lowered) for topic in team.owns):
                return team
        return None

    def person(self, key_or_id: str, platform: str | None = None) -> Person | None:
        """Find a person by key or user id; given a chat platform, only by that platform's user id.

        A chat platform vouches for its own ids only: a Teams sender whose id equals someone's Slack id (or
        key) is not that person. The console names people by key.
        """
        for p in self.people:
            if platform is None:
                found = p.key == key_or_id or key_or_id in p.ids.values()
            else:
                found = p.ids.get(platform) == key_or_id or (platform == CONSOLE and p.key == key_or_id)
            if found:
                return p
        return None

    def roles_of(self, key_or_id: str, platform: str | None = None) -> frozenset[PersonRole]:
        """The roles of a person; anyone unknown is an employee."""
        p = self.person(key_or_id, platform)
        return p.roles if p else frozenset({PersonRole.EMPLOYEE})

    def require(self, key_or_id: str, *roles: PersonRole, platform: str | None = None) -> None:
        """Refuse unless the person has one of the roles (as identified on the platform, when given)."""
        if not self.roles_of(key_or_id, platform) & set(roles):
            needed = " or ".join(r.value for r in roles)
            article = "an" if needed[0] in "aeiou" else "a"
            raise NotAllowed(
                f"Only {article} {needed} can do that. Ask your Fixloop admin if you need access."
            )

    def acting(self, user: str, *roles: PersonRole, platform: str | None = None) -> str:
        """The person key of `user` acting in one of the roles on the platform; NotAllowed for anyone else."""
        self.require(user, *roles, platform=platform)
        return self.key_of(user, platform)

    def key_of(self, user: str, platform: str | None = None) -> str:
        """The person key of a user id on the platform, or the id itself for someone not in fixloop.toml."""
        person = self.person(user, platform)
        return person.key if person else user

    def reports_of(self, manager: str) -> list[Person]:
        """The agents a manager coaches."""
        return [p for p in self.people if p.manager == manager and PersonRole.AGENT in p.roles]

    def sla_for(self, priority: Priority | str) -> float:
        """SLA target in hours for a priority; 72 when none is set."""
        return float(self.sla_hours.get(str(priority), 72.0))

    def surface_for(self, platform: str, channel: str | None, seen: Surface | None = None) -> Surface:
        """The channel's configured surface (or the default), or what the platform showed, whichever is more
        external: a shared channel or a person from another workspace or tenant makes a ticket external."""
        configured = self.default_surface
        if channel:
            value = self.surfaces.get(f"{platform}:{channel}")
            if value:
                configured = Surface(value)
        return Surface.EXTERNAL if Surface.EXTERNAL in (configured, seen) else configured

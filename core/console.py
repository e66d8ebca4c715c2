"""The leaders' console: who may see what, and the one-time sign-in link the bot and the CLI hand out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from core.audit import AuditAction, AuditEntry
from core.errors import NotAllowed
from core.org import CONSOLE, Org, PersonRole
from core.ports import Clock, SignInLinks

LINK_LIFETIME = timedelta(minutes=10)  # DESIGN.md: a sign-in link is valid once, for 10 minutes
SESSION_LIFETIME = timedelta(hours=12)  # a working day; then sign in again


class Access(StrEnum):
    """What a person sees in the console, from their roles in fixloop.toml (the widest wins)."""

    LEADER = "leader"  # everything
    MANAGER = "manager"  # their agents' tickets and coaching
    AGENT = "agent"  # their own tickets and coaching


class Page(StrEnum):
    OVERVIEW = "overview"
    CAUSES = "causes"
    TEAMS = "teams"
    COACHING = "coaching"
    TICKETS = "tickets"


PAGES: dict[Access, tuple[Page, ...]] = {
    Access.LEADER: (Page.OVERVIEW, Page.CAUSES, Page.TEAMS, Page.COACHING, Page.TICKETS),
    Access.MANAGER: (Page.COACHING, Page.TICKETS),
    Access.AGENT: (Page.COACHING, Page.TICKETS),
}


@dataclass(frozen=True)
class Viewer:
    """A signed-in person and the agents whose tickets and coaching they may see (None: everyone's)."""

    key: str
    name: str
    access: Access
    agents: frozenset[str] | None

    def may_open(self, page: Page) -> bool:
        """Whether the page is open to this viewer."""
        return page in PAGES[self.access]

    def sees_agent(self, agent: str | None) -> bool:
        """Whether tickets and coaching of this agent are open to this viewer."""
        return self.agents is None or (agent is not None and agent in self.agents)

    @property
    def home(self) -> Page:
        """The first page the viewer lands on."""
        return PAGES[self.access][0]


def viewer_for(org: Org, key_or_id: str, platform: str | None = CONSOLE) -> Viewer | None:
    """The console viewer of a person key (or of a user id vouched for by `platform`; None: any id);
    None for anyone without console access."""
    person = org.person(key_or_id, platform)
    if person is None:
        return None
    if PersonRole.LEADER in person.roles:
        return Viewer(person.key, person.name, Access.LEADER, None)
    if PersonRole.MANAGER in person.roles:
        agents = frozenset({p.key for p in org.reports_of(person.key)})
        return Viewer(person.key, person.name, Access.MANAGER, agents)
    if PersonRole.AGENT in person.roles:
        return Viewer(person.key, person.name, Access.AGENT, frozenset({person.key}))
    return None


NO_ACCESS = (
    "The console is for the leaders, managers and agents listed in fixloop.toml. "
    "Ask your Fixloop admin if you need access."
)


@dataclass(frozen=True)
class ConsoleLink:
    """A one-time sign-in link for one person."""

    url: str
    person: str
    expires_at: datetime

    def to_text(self) -> str:
        """The message that carries the link."""
        return (
            f"Your Fixloop console sign-in link (valid once, for {int(LINK_LIFETIME.total_seconds() // 60)} "
            f"minutes): {self.url}"
        )


async def console_link(
    user: str, *, links: SignInLinks, org: Org, clock: Clock, platform: str | None = None
) -> ConsoleLink:
    """Issue a one-time sign-in link for a person with console access; anyone else is refused.

    `platform` names who vouches for the id (a chat platform for its own user ids); None (the server's
    command line) takes a key or any id."""
    viewer = viewer_for(org, user, platform)
    if viewer is None:
        raise NotAllowed(NO_ACCESS)
    now = clock.now()
    expires = now + LINK_LIFETIME
    return ConsoleLink(await links.issue(viewer.key, now, expires), viewer.key, expires)


VIA = "console sign-in via "


def sign_in_entry(person: str, via: str, at: datetime) -> AuditEntry:
    """The audit entry of a console sign-in (`via`: link, slack or entra)."""
    return AuditEntry(at=at, who=person, action=AuditAction.SIGNED_IN, detail=VIA + via)


def via_of(entry: AuditEntry) -> str:
    """How a sign-in entry's person signed in."""
    return entry.detail.removeprefix(VIA)


def sign_in_entry_for(org: Org, via: str, at: datetime) -> Callable[[str], AuditEntry | None]:
    """The audit entry of a person's sign-in when they have console access (None when they have not)."""

    def entry(person: str) -> AuditEntry | None:
        viewer = viewer_for(org, person)
        return sign_in_entry(viewer.key, via, at) if viewer is not None else None

    return entry

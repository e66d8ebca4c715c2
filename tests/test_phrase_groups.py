"""Tickets no cause holds, grouped by a telling phrase they share (the knowledge gaps' fallback)."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Callable
from pathlib import Path

from adapters.db.drafts import SqlDraftRepository
from adapters.db.repositories import SqlRepositories
from adapters.kb_export import MarkdownFolder
from adapters.search.tfidf import TfidfRetriever
from core.gaps import Gap, find_gaps
from core.kb import Library
from core.knowledge import KnowledgeDesk
from core.org import ImpactWeights
from core.phrase_groups import group_by_phrase
from core.tickets import Surface
from tests.fakes import FakeClock, FakeNotifier, sample_org
from tests.gaps_ledger import NOW, hand_made, ticket

LOOSE = [
    "Can't log in, says too many attempts.",
    "I can't see the billing menu, how do I get my invoice?",
    "Hello, can't log in: too many attempts again",
    "Billing menu is missing so I can't download the invoice",
    "The export to CSV times out",
]


def named(groups: list[tuple[str, list[int]]]) -> dict[str, set[int]]:
    return {phrase: set(members) for phrase, members in groups}


def test_tickets_group_by_what_they_are_about_not_by_a_word_every_ticket_uses() -> None:
    groups = named(group_by_phrase(LOOSE))
    # "can't" is the first content word of four of them (their group before); it tells nothing about the gap.
    assert sorted(groups.values(), key=min) == [{0, 2}, {1, 3}]
    assert "can't" not in groups
    assert all(" " in phrase for phrase in groups)  # named by two-word phrases they share


def test_a_phrase_the_other_tickets_use_everywhere_does_not_name_a_group() -> None:
    texts = ["vpn token expired", "vpn token rejected", "sso token expired", "sso token rejected"]
    assert named(group_by_phrase(texts)) == {"sso token": {2, 3}, "vpn token": {0, 1}}
    # Where the deployment's other tickets (those a cause holds) say "vpn token" and "sso token" all the
    # time, what sets these four apart is how the token failed.
    background = [f"{kind} token issue {i}" for kind in ("vpn", "sso") for i in range(20)]
    assert named(group_by_phrase(texts, background)) == {"token expired": {0, 2}, "token rejected": {1, 3}}


def test_a_ticket_sharing_no_phrase_stays_out_and_groups_respect_the_minimum() -> None:
    groups = group_by_phrase(LOOSE)
    assert 4 not in {i for _, members in groups for i in members}
    assert group_by_phrase(LOOSE, min_size=3) == []
    assert group_by_phrase([]) == []


def test_the_grouping_does_not_depend_on_the_order_tickets_arrive_in() -> None:
    forward = named(group_by_phrase(LOOSE))
    backward = named(group_by_phrase(LOOSE[::-1]))
    last = len(LOOSE) - 1
    assert {p: {last - i for i in m} for p, m in backward.items()} == forward


def test_gaps_list_tickets_without_a_cause_under_the_phrase_they_share_per_surface() -> None:
    tickets, causes = hand_made()
    loose = [ticket(f"LX-{i}", text, cause=None, surface=Surface.EXTERNAL) for i, text in enumerate(LOOSE)]
    loose.append(ticket("LX-9", "Can't log in, too many attempts", cause=None))  # internal: its own surface
    gaps = {g.key: g for g in find_gaps(tickets + loose, causes, now=NOW, weights=ImpactWeights())}
    phrase_gaps = {k: sorted(g.ticket_ids) for k, g in gaps.items() if ":phrase:" in k}
    assert sorted(phrase_gaps.values()) == [["LX-0", "LX-2"], ["LX-1", "LX-3"]]
    assert all(k.startswith("external:phrase:") for k in phrase_gaps)
    assert "internal:c-cert" in gaps  # tickets a cause holds keep their cause's gap
    login = next(g for g in gaps.values() if sorted(g.ticket_ids) == ["LX-0", "LX-2"])
    # Named by the phrase they share, then by what else sets them apart, as a cause is.
    assert login.title.startswith("Many attempts, ") and login.group == "phrase:many_attempts"
    assert login.owner is None


async def test_the_desk_groups_the_gaps_where_it_is_told_to_off_the_event_loop(repos: SqlRepositories,
                                                                             tmp_path: Path) -> None:
    tickets, causes = hand_made()
    for cause in causes:
        await repos.causes.save(cause)
    for t in tickets + [ticket(f"LX-{i}", text, cause=None) for i, text in enumerate(LOOSE)]:
        await repos.tickets.add(t)
    where: list[int] = []

    async def worker(group: Callable[[], list[Gap]]) -> list[Gap]:
        def traced() -> list[Gap]:
            where.append(threading.get_ident())
            return group()
        return await asyncio.to_thread(traced)

    inline = KnowledgeDesk(tickets=repos.tickets, causes=repos.causes, drafts=SqlDraftRepository(repos.sessions),
                           articles=repos.articles, library=Library(TfidfRetriever()), org=sample_org(),
                           clock=FakeClock(), export=MarkdownFolder(tmp_path), new_id=lambda: "d1",
                           uow=lambda: repos.unit_of_work(notifier=FakeNotifier()))
    threaded = dataclasses.replace(inline, run=worker)
    gaps = await threaded.gaps("ana", None)
    assert where and where[0] != threading.get_ident()
    assert [(g.key, g.ticket_ids) for g in gaps] == [(g.key, g.ticket_ids) for g in await inline.gaps("ana", None)]
    assert {"internal:c-cert", "internal:phrase:many_attempts"} <= {g.key for g in gaps}
    draft = await threaded.draft("internal:phrase:many_attempts", "ana", None)
    assert len(where) == 2 and set(draft.ticket_ids) == {"LX-0", "LX-2"}

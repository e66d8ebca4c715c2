"""Publishing a drafted article is one transaction: the draft's state, the article, the audit entry and the
leaders' notice are stored together or not at all, and only then does the article go live and get exported."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.db.drafts import SqlDraftRepository
from adapters.db.outbox import SqlOutbox
from adapters.db.repositories import SqlRepositories
from adapters.kb_export import MarkdownFolder
from adapters.outbox.notifier import OutboxNotifier
from adapters.search.tfidf import TfidfRetriever
from core.drafts import DraftStatus
from core.kb import Library
from core.knowledge import KnowledgeDesk, draft_gap
from tests.fakes import FakeClock, FakeNotifier, sample_org
from tests.gaps_ledger import hand_made


class Crash(Exception):
    """Stands for the process dying at this very point."""


class CrashingOutbox(SqlOutbox):
    async def put(self, *args, **kwargs) -> bool:  # type: ignore[no-untyped-def]
        raise Crash("died after the article was written, before its notice")


def knowledge(repos: SqlRepositories, folder: Path, outbox: SqlOutbox | None = None) -> KnowledgeDesk:
    queued = OutboxNotifier(outbox or repos.outbox, ["slack"], wake=lambda: None)
    library = Library(TfidfRetriever())
    return KnowledgeDesk(tickets=repos.tickets, causes=repos.causes, drafts=SqlDraftRepository(repos.sessions),
                         articles=repos.articles, library=library, org=sample_org(), clock=FakeClock(),
                         export=MarkdownFolder(folder), new_id=lambda: "d1",
                         uow=lambda: repos.unit_of_work(outbox=queued, notifier=FakeNotifier()))


async def drafted(repos: SqlRepositories, k: KnowledgeDesk) -> str:
    tickets, causes = hand_made()
    for cause in causes:
        await repos.causes.save(cause)
    for t in tickets:
        await repos.tickets.add(t)
    draft = await draft_gap("internal:c-cert", tickets=k.tickets, causes=k.causes, drafts=k.drafts, org=k.org,
                            clock=k.clock, new_id=k.new_id)
    return draft.id


async def test_a_crash_before_the_notice_leaves_the_draft_undecided_and_nothing_published(repos, tmp_path) -> None:
    crashing = knowledge(repos, tmp_path, CrashingOutbox(repos.sessions))
    draft_id = await drafted(repos, crashing)
    with pytest.raises(Crash):
        await crashing.decide(draft_id, "publish", "ana", None)
    draft = await crashing.drafts.get(draft_id)
    assert draft is not None and draft.status == DraftStatus.DRAFT and draft.article_id is None
    assert await repos.articles.get("kb-gap-d1") is None and await repos.audit.list() == []
    assert (await repos.outbox.depth()).get("pending", 0) == 0
    assert "kb-gap-d1" not in crashing.library.articles and not list(tmp_path.iterdir())

    # Started again, the same click goes through whole, once.
    k = knowledge(repos, tmp_path)
    decision = await k.decide(draft_id, "publish", "ana", None)
    assert decision.changed and decision.draft.status == DraftStatus.PUBLISHED
    article = await repos.articles.get("kb-gap-d1")
    assert article is not None and "Keychain Access" in article.body
    assert [e.action for e in await repos.audit.list()] == ["article_published"]
    assert (await repos.outbox.depth()).get("pending", 0) == 1
    assert "kb-gap-d1" in k.library.articles  # live: the next suggestion refits with it
    assert decision.exported_to == str(tmp_path / "kb-gap-d1.md")
    assert (tmp_path / "kb-gap-d1.md").read_text(encoding="utf-8").startswith("---\nid: kb-gap-d1\n")
    again = await k.decide(draft_id, "discard", "lea", None)
    assert not again.changed and again.draft.status == DraftStatus.PUBLISHED
    assert len(await repos.audit.list()) == 1 and (await repos.outbox.depth()).get("pending", 0) == 1

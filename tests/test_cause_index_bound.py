"""The cause index's fit is bounded like the other fits (FIXLOOP_FIT_EXAMPLES), on SQLite and PostgreSQL:
at most `limit` ticket texts in all, and a cause whose tickets are all older than the newest `limit` keeps
its few newest texts, so a new ticket like them is still matched to it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.db.model_inputs import SqlModelInputs
from adapters.db.repositories import SqlRepositories
from adapters.model_kinds import CauseModel
from adapters.search.tfidf import TfidfRetriever
from core.cause_matching import FLOOR, CauseMatcher, newest_texts
from core.causes import Cause
from core.tickets import Surface, Ticket

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
LIMIT, PER_CAUSE = 12, 8


def ledger() -> list[Ticket]:
    """A yearly cause whose 5 tickets are the oldest, then 2 busy causes of 10 newer tickets each."""
    rows = [("cert", f"certificate expired on the intranet site {i}", i) for i in range(5)]
    rows += [("vpn", f"vpn drops every hour at home {i}", 100 + 2 * i) for i in range(10)]
    rows += [("printer", f"printer jams on tray two {i}", 101 + 2 * i) for i in range(10)]
    rows.append(("printer", "printer offline again", 110))  # a tie in time with vpn's ticket: id order
    return [Ticket(id=f"T{n:03d}", surface=Surface.INTERNAL, created_at=T0 + timedelta(days=day), subject=text.split()[0], text=text,
                   cause_key=key) for n, (key, text, day) in enumerate(rows)]


async def seeded(repos: SqlRepositories) -> list[Ticket]:
    for key in ("cert", "vpn", "printer"):
        await repos.causes.save(Cause(key=key, title=key))
    await repos.tickets.save_many(ledger())
    return ledger()


def test_the_oracle_takes_each_causes_newest_few_then_the_newest_of_the_rest() -> None:
    texts = newest_texts(ledger(), ["cert", "vpn", "printer", "none"], PER_CAUSE, LIMIT)
    assert sum(map(len, texts.values())) == LIMIT
    assert texts["cert"] == [f"certificate certificate expired on the intranet site {i}" for i in (4, 3, 2)]
    assert len(texts["vpn"]) + len(texts["printer"]) == LIMIT - FLOOR and texts["none"] == []
    unbounded = newest_texts(ledger(), ["cert", "vpn", "printer"], PER_CAUSE)
    assert [len(v) for v in unbounded.values()] == [5, PER_CAUSE, PER_CAUSE]


async def test_the_sql_reads_take_at_most_the_bound_and_every_cause_keeps_its_newest(repos) -> None:
    every, keys = await seeded(repos), ["cert", "vpn", "printer", "none"]
    expected = newest_texts(every, keys, PER_CAUSE, LIMIT)
    assert await repos.tickets.cause_texts(keys, PER_CAUSE, LIMIT) == expected
    inputs = SqlModelInputs(repos.sessions)
    inputs.limit = LIMIT  # FIXLOOP_FIT_EXAMPLES
    assert await inputs.cause_texts(keys, PER_CAUSE) == expected
    assert await repos.tickets.cause_texts(keys, PER_CAUSE) == newest_texts(every, keys, PER_CAUSE)


async def test_the_stored_cause_index_is_fitted_on_at_most_the_bound_and_still_matches_old_causes(repos) -> None:
    await seeded(repos)
    inputs = SqlModelInputs(repos.sessions)
    inputs.limit = LIMIT
    matcher = CauseMatcher(TfidfRetriever(chars=False), per_cause=PER_CAUSE)
    model = CauseModel(matcher, lambda: TfidfRetriever(chars=False), repos.causes, inputs)
    fitted = model.fit(await model.data(), await model.context())
    assert fitted.examples == LIMIT  # 25 tickets on causes, 21 within per_cause: the bound holds
    model.swap(fitted)
    found = matcher.match("the certificate expired on our intranet site")
    assert found is not None and found[0].key == "cert"


async def test_more_cause_keys_than_sqlite_takes_parameters_are_read_and_each_key_is_escaped(repos) -> None:
    every = await seeded(repos)
    await repos.causes.save(Cause(key="o'brien\"; --", title="a key that needs escaping"))
    odd = Ticket(id="T999", surface=Surface.INTERNAL, created_at=T0, subject="badge", text="badge reader",
                 cause_key="o'brien\"; --")
    await repos.tickets.save(odd)
    keys = ["cert", "vpn", "printer", "o'brien\"; --"] + [f"gone-{n}" for n in range(260_000)]  # > 250,000
    texts = await repos.tickets.cause_texts(keys, PER_CAUSE, LIMIT)
    assert texts == newest_texts([*every, odd], keys, PER_CAUSE, LIMIT)
    assert texts["o'brien\"; --"] == ["badge badge reader"]

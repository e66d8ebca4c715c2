"""Kept word weights give the incident rule's similarities of a fit over the documents and the newest texts."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from adapters.search.tfidf import TfidfRetriever
from adapters.search.word_weights import Words
from core.gists import QUERY, KeptWeights
from core.incidents import IncidentPolicy, IncidentRules, close_to, matching, words
from core.tickets import Surface, Ticket
from tests.incident_support import OUTAGE, history

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
FRESH = lambda: TfidfRetriever(chars=False)  # noqa: E731 - the rule's index as wired before


def report(n: int, text: str) -> Ticket:
    return Ticket(id=f"FX-W{n:05d}", surface=Surface.INTERNAL, created_at=NOW, requester=f"U{n}",
                  subject=text, text=text)


def pool_ids(found: list[tuple[str, float]]) -> dict[str, float]:
    return {i: score for i, score in found if i != QUERY}


def test_scores_are_those_of_one_fit_over_the_documents_and_the_newest_texts():
    tickets = history(400)
    background = [words(t) for t in tickets[:300]]
    docs = [(t.id, words(t)) for t in tickets[300:380]] + [(QUERY, OUTAGE[0])]
    before = FRESH()
    before.fit([*docs, *((QUERY, text) for text in background)])
    after = Words().weigh(background).similar()
    after.fit(docs)
    for asked in [OUTAGE[0], "printer offline again", *(text for _, text in docs[:20])]:
        expected, got = pool_ids(before.search(asked, 10_000)), pool_ids(after.search(asked, 10_000))
        assert got.keys() == expected.keys() and expected
        assert all(math.isclose(got[i], expected[i], rel_tol=1e-9, abs_tol=1e-12) for i in got)


def test_matching_finds_the_same_tickets_with_kept_weights_as_with_the_texts():
    outage = [report(n, text) for n, text in enumerate(OUTAGE[:5])]
    unrelated = [report(10 + n, words(t)) for n, t in enumerate(history(40))]
    background = [words(t) for t in history(300)]
    rules = IncidentRules(IncidentPolicy(), FRESH, weigh=Words().weigh)
    weights = Words().weigh(background)
    for new in [report(99, OUTAGE[5]), *unrelated[:10]]:
        others = [t for t in [*outage, *unrelated] if t.id != new.id]
        assert matching(new, others, rules, weights=weights) == matching(new, others, rules, background)
    assert {t.id for t in matching(report(99, OUTAGE[5]), [*outage, *unrelated], rules, weights=weights)} == {
        t.id for t in outage
    }


def test_texts_of_stop_words_alone_are_compared_by_characters_as_before():
    pool = [report(1, "it is"), report(2, "is it")]
    texts = ["it was", "to be"]
    before = close_to("it is", pool, FRESH, 0.3, background=texts)
    assert close_to("it is", pool, Words().weigh(texts).similar, 0.3) == before and before


def test_weights_are_kept_for_their_time_and_stale_after_it_or_when_the_clock_went_back():
    kept = KeptWeights(ttl=timedelta(minutes=1))
    weights = Words().weigh(["vpn down"])
    assert kept.fresh(NOW) is None
    kept.keep(weights, NOW)
    assert kept.fresh(NOW + timedelta(seconds=59)) is weights
    assert kept.fresh(NOW + timedelta(seconds=60)) is None
    assert kept.fresh(NOW - timedelta(seconds=1)) is None


class CountedReads:
    """The newest texts, counting the reads (the only read word_weights makes)."""

    def __init__(self) -> None:
        self.reads = 0

    async def newest_texts(self, limit: int) -> list[str]:
        self.reads += 1
        return [words(t) for t in history(limit)]


async def test_the_rule_reads_the_newest_texts_once_a_minute_and_each_time_without_kept_weights():
    reads = CountedReads()
    rules = IncidentRules(IncidentPolicy(), FRESH, weigh=Words().weigh)
    first = await rules.word_weights(reads, NOW)  # type: ignore[arg-type]
    assert await rules.word_weights(reads, NOW + timedelta(seconds=30)) is first  # type: ignore[arg-type]
    assert reads.reads == 1
    assert await rules.word_weights(reads, NOW + timedelta(seconds=61)) is not first  # type: ignore[arg-type]
    assert reads.reads == 2
    unkept = IncidentRules(IncidentPolicy(), FRESH)
    for _ in range(2):
        await unkept.word_weights(reads, NOW)  # type: ignore[arg-type]
    assert reads.reads == 4

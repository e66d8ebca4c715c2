"""The job-claim lease: one winner among concurrent replicas, expiry and takeover, posted only by its owner."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db.claims import SqlJobClaims
from adapters.db.engine import make_engine

WEEK = datetime(2026, 11, 9, tzinfo=UTC)
NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=10)


async def test_exactly_one_of_eight_concurrent_replicas_wins_the_claim(db_url: str, engine: AsyncEngine):
    replicas = [make_engine(db_url) for _ in range(8)]  # a pool each, like separate processes
    try:
        claims = [SqlJobClaims(e) for e in replicas]
        for attempt in range(3):  # a few rounds, so a lucky interleaving cannot hide a race
            week = WEEK - timedelta(weeks=attempt)
            won = await asyncio.gather(
                *(c.claim("digest", week, f"r{i}", LEASE, now=NOW) for i, c in enumerate(claims))
            )
            assert sum(won) == 1
    finally:
        for e in replicas:
            await e.dispose()


async def test_a_live_claim_blocks_others_and_an_expired_unposted_one_is_taken_over(engine: AsyncEngine):
    claims = SqlJobClaims(engine)
    assert await claims.claim("digest", WEEK, "dead", LEASE, now=NOW)
    assert not await claims.claim("digest", WEEK, "other", LEASE, now=NOW + timedelta(minutes=9))
    assert await claims.claim("digest", WEEK, "other", LEASE, now=NOW + timedelta(minutes=10))
    assert not await claims.mark_posted("digest", WEEK, "dead", now=NOW)  # the old owner lost its lease
    assert await claims.mark_posted("digest", WEEK, "other", now=NOW + timedelta(minutes=11))
    assert await claims.posted_at("digest", WEEK) == NOW + timedelta(minutes=11)


async def test_a_posted_claim_is_never_taken_over_even_after_its_lease(engine: AsyncEngine):
    claims = SqlJobClaims(engine)
    assert await claims.claim("digest", WEEK, "a", LEASE, now=NOW)
    assert await claims.mark_posted("digest", WEEK, "a", now=NOW)
    assert not await claims.claim("digest", WEEK, "b", LEASE, now=NOW + timedelta(days=30))
    assert await claims.posted_at("digest", WEEK) == NOW


async def test_claims_are_per_job_and_per_period(engine: AsyncEngine):
    claims = SqlJobClaims(engine)
    assert await claims.claim("digest", WEEK, "a", LEASE, now=NOW)
    assert await claims.claim("coaching:mia", WEEK, "a", LEASE, now=NOW)
    assert await claims.claim("digest", WEEK + timedelta(weeks=1), "a", LEASE, now=NOW)
    assert await claims.posted_at("digest", WEEK) is None

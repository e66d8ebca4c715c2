"""Two processes on one database: a "Solved it" click taken by one teaches the other's suggestions."""

from __future__ import annotations

import asyncio

from bot.settings import Settings
from bot.wiring import Runtime, build_runtime
from core.kb import NO_ARTICLE, Article
from core.messages import LogRequest
from tests.slack_fake import ROOT

ARTICLES = [
    Article(id="kb-vpn", title="VPN will not connect", body="Update the VPN client and check the certificate."),
    Article(id="kb-pwd", title="Reset your password", body="Use the self-service portal to reset a password."),
]


def request(n: int, text: str) -> LogRequest:
    return LogRequest(platform="console", requester=f"emp-{n}", text=text, thread_key=f"console:{n}")


async def process(db_url: str, relearn: float = 60.0) -> Runtime:
    settings = Settings(database_url=db_url, fixloop_config=ROOT / "fixloop.example.toml",
                        fixloop_relearn_seconds=relearn)
    return await build_runtime(settings)


async def two_processes(db_url: str, relearn: float = 60.0) -> tuple[Runtime, Runtime]:
    """The articles saved, then two processes started on the database (the second relearns as asked)."""
    setup = await process(db_url)
    for article in ARTICLES:
        await setup.repos.articles.save(article)
    await setup.close()
    return await process(db_url), await process(db_url, relearn)


async def test_each_process_learns_once_what_another_process_resolved(db_url: str, engine) -> None:
    a, b = await two_processes(db_url)  # e.g. `serve` takes clicks, a worker suggests
    try:
        assert a.keeper is not None and b.keeper is not None
        assert b.keeper.fits["suggestions"] == 0  # b serves what a fitted and stored at its start
        solved = await a.desk.log_request(request(1, "anyconnect posture check failed"))
        await a.desk.solved(solved.ticket.id, "kb-vpn", "emp-1")
        declined = await a.desk.log_request(request(2, "vpn and password both broken on the new laptop"))
        assert declined.suggestions.items  # articles were offered, and did not answer it
        await a.desk.need_human(declined.ticket.id, "emp-2")
        await a.desk.resolve(declined.ticket.id, "ana")
        lessons = [("anyconnect posture check failed", "kb-vpn"),
                   ("vpn and password both broken on the new laptop", NO_ARTICLE)]
        assert a.desk.library.history == lessons  # the process that took them noted them at once
        assert await b.keeper.tick() == 1  # b's background look: history grew, so b refitted and stored
        assert b.keeper.fits["suggestions"] == 1 and b.keeper.served["suggestions"].examples == 2
        version = b.keeper.served["suggestions"].version
        assert await a.keeper.tick() == 1  # a picks b's version up instead of fitting it again
        assert a.keeper.served["suggestions"].version == version and a.keeper.fits["suggestions"] == 1
        assert await b.keeper.tick() == 0 and await a.keeper.tick() == 0  # never learnt twice
        assert b.keeper.fits["suggestions"] == 1 and a.keeper.fits["suggestions"] == 1
    finally:
        await a.close()
        await b.close()


async def test_the_background_relearner_catches_up_by_itself(db_url: str, engine) -> None:
    a, b = await two_processes(db_url, relearn=0.05)
    b.start_background()
    try:
        assert b.keeper is not None
        reply = await a.desk.log_request(request(3, "cannot reach the intranet over vpn"))
        await a.desk.solved(reply.ticket.id, "kb-vpn", "emp-3")
        for _ in range(200):
            if b.keeper.served["suggestions"].examples:
                break
            await asyncio.sleep(0.05)
        assert b.keeper.served["suggestions"].examples == 1
        assert b.keeper.fits["suggestions"] == 1  # refitted in the background, off any request
    finally:
        await a.close()
        await b.close()


async def test_escalations_made_in_one_process_teach_the_others_routing(db_url: str, engine) -> None:
    from core.messages import Escalate

    a, b = await two_processes(db_url)
    try:
        assert a.desk.router is not None and b.desk.router is not None and b.keeper is not None
        texts = {"it-network": "the vpn tunnel drops every {} minutes", "it-identity": "sso login loops {} times"}
        for n in range(10):
            team = "it-network" if n % 2 else "it-identity"
            reply = await a.desk.log_request(request(100 + n, texts[team].format(n + 2)))
            await a.desk.escalate(Escalate(ticket_id=reply.ticket.id, agent="ana", team=team))
        assert b.desk.router.examples == 0  # learnt at start, before these escalations
        await b.keeper.tick()
        assert b.desk.router.examples == 10
        assert b.desk.router.predict("the vpn tunnel drops every hour")[0] == "it-network"
    finally:
        await a.close()
        await b.close()

"""Stored learnt models: a process started on a database that holds them serves without fitting anything;
newer versions are picked up; a corrupted or absent blob falls back to one fit, said in the log."""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.isotonic import IsotonicRegression
from sklearn.svm import LinearSVC
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db.model_store import SNAPSHOTS, SqlModelStore, digest
from adapters.db.repositories import SqlRepositories
from adapters.loaded_models import LoadedModels
from bot.server import create_app
from bot.settings import Settings
from bot.wiring import Runtime, build_runtime
from core.causes import Cause
from core.kb import Article
from core.messages import LogRequest
from core.tickets import Judgement, Resolution, Surface, Ticket
from tests.slack_fake import ROOT

TOPICS = {
    "kb-vpn": ("VPN will not connect", ["vpn", "tunnel", "anyconnect", "disconnects"], "it-network"),
    "kb-pwd": ("Reset your password", ["password", "reset", "locked out", "expired"], "it-identity"),
    "kb-print": ("Printer jams", ["printer", "toner", "paper jam", "print queue"], "it-endpoint"),
}
FRAMES = ["my {a} is broken since {b}", "{a} not working, {b} again", "help with {a} and {b} please",
          "urgent: {a} {b}", "{b} keeps happening with {a}"]
T0 = datetime(2026, 9, 1, tzinfo=UTC)


def history(n: int, seed: int = 3) -> list[Ticket]:
    """n tickets an article solved, every fourth also escalated (to its topic's team), some judged."""
    rnd, out = random.Random(seed), []
    for i in range(n):
        aid = rnd.choice(list(TOPICS))
        _, words, team = TOPICS[aid]
        at = T0 + timedelta(hours=i)
        t = Ticket(id=f"H{i}", surface=Surface.INTERNAL, created_at=at,
                   text=rnd.choice(FRAMES).format(a=rnd.choice(words), b=rnd.choice(words)),
                   resolved_at=at + timedelta(minutes=30), resolution=Resolution.ARTICLE, article_id=aid,
                   suggested_article_ids=[aid])
        if i % 4 == 0:
            t.escalated_to, t.escalated_at = team, at
            t.escalation_judgement = Judgement.NEEDED if i % 8 else None
        out.append(t)
    return out


async def process(db_url: str) -> Runtime:
    return await build_runtime(Settings(database_url=db_url, fixloop_config=ROOT / "fixloop.example.toml"))


async def seeded(db_url: str, engine: AsyncEngine, tickets: int = 120) -> Runtime:
    """The first process on a database with articles and history: it fits every model and stores it."""
    repos = SqlRepositories.build(engine)
    for aid, (title, words, _) in TOPICS.items():
        await repos.articles.save(Article(id=aid, title=title, body=" ".join(words)))
    await repos.tickets.save_many(history(tickets))
    return await process(db_url)


def ask(n: int, text: str) -> LogRequest:
    return LogRequest(platform="console", requester=f"emp-{n}", text=text, thread_key=f"console:s{n}")


def count_fits(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every scikit-learn fit from now on is recorded (and still runs)."""
    calls: list[str] = []
    for cls in (LinearSVC, TfidfVectorizer, IsotonicRegression):
        for name in ("fit", "fit_transform"):
            real = getattr(cls, name, None)
            if real is None or name not in cls.__dict__:
                continue

            def spy(self: object, *args: object, _real: object = real, _name: str = f"{cls.__name__}.{name}",
                    **kwargs: object) -> object:
                calls.append(_name)
                return _real(self, *args, **kwargs)  # type: ignore[operator]

            monkeypatch.setattr(cls, name, spy)
    return calls


async def test_a_process_on_stored_models_answers_its_first_message_without_fitting(
        db_url: str, engine, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    first = await seeded(db_url, engine)
    try:
        assert first.keeper is not None and sum(first.keeper.fits.values()) == 3  # fitted once, stored
        expected = first.desk.library.suggest("anyconnect tunnel disconnects again")
    finally:
        await first.close()
    caplog.set_level(logging.INFO, logger="fixloop.models")
    caplog.clear()
    fits = count_fits(monkeypatch)
    second = await process(db_url)
    try:
        reply = await second.desk.log_request(ask(1, "anyconnect tunnel disconnects again"))
        assert fits == []  # no vectorizer, SVM or calibration was fitted: at start or for the answer
        assert second.keeper is not None and sum(second.keeper.fits.values()) == 0
        assert [r.getMessage() for r in caplog.records if r.getMessage().startswith("serving stored")]
        assert [s.article.id for s in reply.suggestions.items] == [s.article.id for s in expected.items]
        assert [s.score for s in reply.suggestions.items] == [s.score for s in expected.items]
        assert reply.suggestions.items[0].article.id == "kb-vpn"
        assert second.desk.router is not None and second.desk.router.examples == 30
        assert sum(second.keeper.fits.values()) == 0  # nor on the request path
    finally:
        await second.close()


async def test_healthz_says_which_model_versions_are_served(db_url: str, engine) -> None:
    runtime = await seeded(db_url, engine, tickets=40)
    client = TestClient(TestServer(create_app(runtime)))
    await client.start_server()
    try:
        body = await (await client.get("/healthz")).json()
        assert set(body["models"]) == {"suggestions", "routing", "causes"}
        assert body["models"]["suggestions"]["version"] == 1 and body["models"]["suggestions"]["examples"] == 40
    finally:
        await client.close()


async def test_healthz_says_under_which_confidence_the_bot_stays_quiet(db_url: str, engine) -> None:
    runtime = await seeded(db_url, engine, tickets=60)  # history enough to learn the abstention from
    client = TestClient(TestServer(create_app(runtime)))
    await client.start_server()
    try:
        shown = (await (await client.get("/healthz")).json())["models"]["suggestions"]["abstention"]
        assert round(runtime.desk.library.retriever.abstain_below, 4) == shown["threshold"]
        assert shown["threshold"] >= shown["history_threshold"] and shown["asked"] == 60
        assert 0 <= shown["estimated_no_article_share"] <= 1
        assert shown["quiet_when"].startswith("The bot stays quiet when the chance that its first article")
    finally:
        await client.close()


async def test_a_newer_version_stored_elsewhere_is_picked_up_without_fitting(db_url: str, engine) -> None:
    a, b = await seeded(db_url, engine, tickets=60), await process(db_url)
    try:
        assert a.keeper is not None and b.keeper is not None
        assert b.keeper.served["suggestions"].version == 1
        await a.repos.tickets.save_many(history(90, seed=4)[60:])  # 30 more resolved: 50% growth
        assert await a.keeper.tick() == 2  # suggestions and routing (some were escalations) refitted
        assert a.keeper.served["suggestions"].version == 2 and a.keeper.served["routing"].version == 2
        assert await b.keeper.tick() == 2  # b polls the version numbers and loads a's fits
        assert b.keeper.served["suggestions"].version == 2 and sum(b.keeper.fits.values()) == 0
        assert b.desk.router is not None and b.desk.router.examples == 23
        text = "printer toner paper jam"
        assert b.desk.library.suggest(text) == a.desk.library.suggest(text)
    finally:
        await a.close()
        await b.close()


async def test_a_cause_index_rebuilt_here_is_stored_with_its_ticket_texts_and_picked_up_elsewhere(
    db_url: str, engine: AsyncEngine
) -> None:
    a, b = await seeded(db_url, engine, tickets=60), await process(db_url)
    try:
        assert a.keeper is not None and b.keeper is not None
        before = a.keeper.served["causes"].version or 0
        causes = [Cause(key="vpn-drops", title="VPN drops"), Cause(key="printer-jam", title="Printer jams")]
        texts = {"vpn-drops": ["vpn drops at home", "vpn cuts out", "vpn down"], "printer-jam": ["tray 2 jams"]}
        for cause in causes:
            await a.repos.causes.save(cause)
        a.desk.matcher.load_texts(causes, texts)  # as the weekly re-clustering rebuilds it
        assert await a.keeper.tick() == 1
        served = a.keeper.served["causes"]
        assert served.version == before + 1 and served.examples == 4  # ticket texts, not the 2 causes
        assert await b.keeper.tick() == 1 and b.keeper.served["causes"].examples == 4
        matched = b.desk.matcher.match("my vpn drops at home")
        assert matched is not None and matched[0].key == "vpn-drops"
    finally:
        await a.close()
        await b.close()


@pytest.mark.parametrize("damage", ["checksum", "content", "absent"])
async def test_a_corrupted_or_absent_blob_falls_back_to_one_fit_with_a_clear_log_line(
        db_url: str, engine, damage: str, caplog: pytest.LogCaptureFixture) -> None:
    await (await seeded(db_url, engine, tickets=40)).close()
    store = SqlModelStore(engine)
    async with engine.begin() as conn:
        if damage == "checksum":
            await conn.execute(update(SNAPSHOTS).where(SNAPSHOTS.c.kind == "suggestions").values(blob=b"x"))
        elif damage == "content":
            await conn.execute(update(SNAPSHOTS).where(SNAPSHOTS.c.kind == "suggestions")
                               .values(blob=b"not an npz", digest=digest(b"not an npz")))
        else:
            await conn.execute(SNAPSHOTS.delete().where(SNAPSHOTS.c.kind == "suggestions"))
    caplog.set_level(logging.INFO, logger="fixloop.models")
    caplog.clear()
    runtime = await process(db_url)
    try:
        assert runtime.keeper is not None
        assert dict(runtime.keeper.fits) == {"suggestions": 1}  # the other models were loaded
        said = [r.getMessage() for r in caplog.records]
        wanted = "no stored suggestions model: fitting one" if damage == "absent" else \
            "stored suggestions model could not be loaded"
        assert any(wanted in line for line in said), said
        newest = await store.latest("suggestions")
        assert newest is not None and newest.version == runtime.keeper.served["suggestions"].version
        assert runtime.desk.library.suggest("anyconnect vpn tunnel").items[0].article.id == "kb-vpn"
    finally:
        await runtime.close()


async def test_importing_articles_refits_and_stores_the_suggestion_model_only(
    db_url: str, engine: AsyncEngine, tmp_path
) -> None:
    import argparse

    from bot.commands import import_

    runtime = await seeded(db_url, engine)
    try:
        assert runtime.keeper is not None
        versions = {name: s.version for name, s in runtime.keeper.served.items()}
        fits = dict(runtime.keeper.fits)
        (tmp_path / "wifi-drops.md").write_text("# Wi-Fi drops every hour\n\nForget the network, join again.\n")
        assert await import_(runtime, argparse.Namespace(path=tmp_path, if_empty=False)) == 0
        assert {name: s.version for name, s in runtime.keeper.served.items()} == {
            **versions, "suggestions": (versions["suggestions"] or 0) + 1}  # stored for every other process
        assert {k: runtime.keeper.fits[k] - fits.get(k, 0) for k in runtime.keeper.fits} == {
            "suggestions": 1, "routing": 0, "causes": 0}
        assert "wifi-drops" in {a.id for a in await runtime.desk.articles.list()}
    finally:
        await runtime.close()


async def test_the_worker_threads_runtime_serves_the_models_the_serving_runtime_loaded(
        db_url: str, engine, caplog: pytest.LogCaptureFixture) -> None:
    """`serve` inline builds two runtimes; the second decodes no blob: it serves the first's objects."""
    await (await seeded(db_url, engine, tickets=40)).close()
    settings = Settings(database_url=db_url, fixloop_config=ROOT / "fixloop.example.toml")
    loaded = LoadedModels()
    serving = await build_runtime(settings, loaded=loaded)
    caplog.set_level(logging.INFO, logger="fixloop.models")
    caplog.clear()
    worker = await build_runtime(settings, in_worker_thread=True, loaded=loaded)
    alone = await build_runtime(settings)  # another process: its own copy, as before
    try:
        said = [r.getMessage() for r in caplog.records if "serving stored" in r.getMessage()]
        assert sum("shared with this process's other runtime" in line for line in said) == 3, said
        assert worker.desk.library.retriever is serving.desk.library.retriever
        assert worker.desk.matcher.retriever is serving.desk.matcher.retriever
        assert worker.desk.router is not None and serving.desk.router is not None
        assert worker.desk.router.classifier is serving.desk.router.classifier
        assert worker.desk.router.examples == serving.desk.router.examples
        assert alone.desk.matcher.retriever is not serving.desk.matcher.retriever
        text = "printer toner paper jam"
        assert worker.desk.library.suggest(text) == alone.desk.library.suggest(text)
    finally:
        for runtime in (worker, alone, serving):
            await runtime.close()

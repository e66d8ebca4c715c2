"""The HTTP skeleton: /healthz checks the database, /metrics speaks Prometheus text."""

from __future__ import annotations

from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from bot.server import RUNTIME, create_app
from bot.settings import Settings
from bot.wiring import build_runtime

ROOT = Path(__file__).resolve().parent.parent


async def _client(database_url: str) -> TestClient:
    settings = Settings(database_url=database_url, fixloop_config=ROOT / "fixloop.example.toml")
    runtime = await build_runtime(settings, load_indexes=False)
    client = TestClient(TestServer(create_app(runtime)))
    await client.start_server()
    return client


async def test_healthz_answers_ok_when_the_database_answers(db_url):
    client = await _client(db_url)
    try:
        response = await client.get("/healthz")
        body = await response.json()
        assert response.status == 200
        assert body["status"] == "ok" and body["database"] == "ok"
        assert body["retrieval"] == client.server.app[RUNTIME].retrieval and "tfidf" in body["retrieval"]
    finally:
        await client.close()


async def test_healthz_answers_503_when_the_database_is_gone():
    client = await _client("postgresql://postgres@127.0.0.1:1/nowhere")
    try:
        response = await client.get("/healthz")
        assert response.status == 503
        assert (await response.json())["database"] == "unavailable"
    finally:
        await client.close()


async def test_metrics_count_requests_in_prometheus_text(db_url):
    client = await _client(db_url)
    try:
        await client.get("/healthz")
        await client.get("/no-such-page")
        response = await client.get("/metrics")
        text = await response.text()
        assert response.status == 200 and response.content_type == "text/plain"
        assert 'fixloop_http_requests_total{path="/healthz",status="200"} 1.0' in text
        assert 'status="404"' in text
        assert "fixloop_http_request_seconds_bucket" in text
    finally:
        await client.close()

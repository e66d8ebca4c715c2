"""The OpenAI adapter against a fake OpenAI-compatible server on 127.0.0.1, with the real client."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from adapters.llm.openai_llm import OpenAILanguageModel
from core.redaction import redact
from tests.llm_fake import FakeOpenAI, completion, serve_openai


@pytest.fixture
async def fake() -> AsyncIterator[tuple[FakeOpenAI, str]]:
    async with serve_openai() as served:
        yield served


def model(base_url: str, timeout: float = 5.0) -> OpenAILanguageModel:
    return OpenAILanguageModel(api_key="test-key-not-secret", model="fake-model", base_url=base_url,
                               timeout=timeout)


async def test_summary_uses_a_strict_json_schema_and_returns_the_summary(fake) -> None:
    server, url = fake
    server.reply = lambda: web.json_response(completion(json.dumps({"summary": "VPN drops every hour."})))
    llm = model(url)
    assert await llm.summarize("requester: VPN drops") == "VPN drops every hour."
    body = server.requests[0]
    assert body["model"] == "fake-model"
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["strict"] is True
    await llm.close()


async def test_personal_data_is_redacted_before_it_leaves(fake) -> None:
    server, url = fake
    server.reply = lambda: web.json_response(completion(json.dumps({"summary": "ok"})))
    llm = model(url)
    await llm.summarize("I am jane.doe@example.com, card 4111 1111 1111 1111, call +1 415 555 0100")
    sent = json.dumps(server.requests[0])
    assert "jane.doe" not in sent and "4111" not in sent and "555 0100" not in sent
    assert "[EMAIL]" in sent and "[CARD]" in sent and "[PHONE]" in sent
    await llm.close()


async def test_cause_name_returns_name_and_summary(fake) -> None:
    server, url = fake
    server.reply = lambda: web.json_response(
        completion(json.dumps({"name": "Expired VPN certificate", "summary": "The VPN cert expired."})))
    llm = model(url)
    assert await llm.name_cause(["vpn fails", "vpn cert error"]) == ("Expired VPN certificate",
                                                                     "The VPN cert expired.")
    await llm.close()


@pytest.mark.parametrize("reply", [
    lambda: web.json_response(completion(None, refusal="I can't help with that.")),
    lambda: web.json_response(completion("this is not json")),
    lambda: web.json_response(completion(json.dumps({"wrong": "shape"}))),
    lambda: web.json_response({"error": {"message": "boom", "type": "server_error"}}, status=500),
    lambda: web.Response(text="<html>gateway</html>", content_type="text/html"),
], ids=["refusal", "not-json", "wrong-schema", "http-500", "garbage-body"])
async def test_bad_answers_fall_back_to_none(fake, reply) -> None:
    server, url = fake
    server.reply = reply
    llm = model(url)
    assert await llm.summarize("printer jammed") is None
    assert await llm.name_cause(["printer jammed"]) is None
    await llm.close()


async def test_a_slow_model_times_out_to_none(fake) -> None:
    server, url = fake
    server.delay = 2.0
    llm = model(url, timeout=0.3)
    assert await llm.summarize("printer jammed") is None
    await llm.close()


async def test_an_unreachable_server_falls_back_to_none() -> None:
    llm = model("http://127.0.0.1:9/v1", timeout=1.0)  # port 9 (discard) is closed on a test machine
    assert await llm.summarize("printer jammed") is None
    await llm.close()


def test_redaction_keeps_dates_times_and_ids_readable() -> None:
    text = "VPN fails since 09:15 on 2026-03-02, ticket 20261234, order 1234567812345678"
    assert redact(text) == text
    logged = "next run at: 2026-11-23 04:35:39 UTC (scheduled at 2026-11-23T04:30:39+00:00)"
    assert redact(logged) == logged


def test_redaction_removes_tokens_and_secrets() -> None:
    fake_key = "sk-" + "FAKE" * 5  # built at run time: no token-shaped literal sits in the repository
    out = redact(f"token {fake_key} and password: hunter2 and Bearer {'not-a-real-bearer' * 2}")
    assert fake_key not in out and "hunter2" not in out and "not-a-real-bearer" not in out

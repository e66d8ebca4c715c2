"""A fake OpenAI-compatible server on 127.0.0.1 that answers what a test sets and records every request."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web


def completion(content: str | None, refusal: str | None = None) -> dict[str, Any]:
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "fake",
            "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                         "message": {"role": "assistant", "content": content, "refusal": refusal}}]}


class FakeOpenAI:
    """Answers /v1/chat/completions with whatever the test set; records every request body."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.reply: Callable[[], web.StreamResponse] = lambda: web.json_response(completion("{}"))
        self.delay = 0.0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(await request.json())
        if self.delay:
            await asyncio.sleep(self.delay)
        return self.reply()


@asynccontextmanager
async def serve_openai() -> AsyncIterator[tuple[FakeOpenAI, str]]:
    """The fake running, with its /v1 base URL for OPENAI_BASE_URL."""
    server = FakeOpenAI()
    app = web.Application()
    app.router.add_post("/v1/chat/completions", server.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield server, f"http://127.0.0.1:{port}/v1"
    finally:
        await runner.cleanup()

"""The LanguageModel port over any OpenAI-compatible API: summaries and cause names, strict JSON only.

Every text is redacted before it leaves. Anything unexpected (timeout, refusal, HTTP error, JSON that
does not fit the schema) returns None, and core falls back to its offline path.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

import openai

from core.redaction import redact

log = logging.getLogger(__name__)

SUMMARY_SCHEMA = {
    "type": "object", "additionalProperties": False, "required": ["summary"],
    "properties": {"summary": {"type": "string", "description": "two or three sentences"}},
}
CAUSE_SCHEMA = {
    "type": "object", "additionalProperties": False, "required": ["name", "summary"],
    "properties": {"name": {"type": "string", "description": "one line, at most 80 characters"},
                   "summary": {"type": "string", "description": "one or two sentences"}},
}
SUMMARY_PROMPT = ("You summarise IT and customer support threads for the engineer who will fix the cause. "
                  "State the problem, what was tried and what is still wrong. No greetings, no speculation.")
CAUSE_PROMPT = ("The support tickets below share one root cause. Name the cause in one line as a problem "
                "to fix (not a ticket category), and summarise it for a leader deciding what to fix first.")


class OpenAILanguageModel:
    """Chat completions with a strict JSON schema, a short timeout and no retries: chat users are waiting."""

    def __init__(self, *, api_key: str, model: str, base_url: str | None = None, timeout: float = 20.0,
                 max_chars: int = 12_000) -> None:
        self.model = model
        self.max_chars = max_chars  # bounds cost and latency; the start of a thread carries the problem
        self._client = openai.AsyncOpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=0)

    async def summarize(self, text: str) -> str | None:
        """A short summary of a support thread, or None when the model is unavailable."""
        data = await self._ask(SUMMARY_PROMPT, text, "thread_summary", SUMMARY_SCHEMA)
        return _clean(data.get("summary"), 1000) if data else None

    async def name_cause(self, texts: Sequence[str]) -> tuple[str, str] | None:
        """A one-line name and a summary for tickets sharing a cause, or None."""
        joined = "\n".join(f"- {t.strip()[:400]}" for t in texts[:20])
        data = await self._ask(CAUSE_PROMPT, joined, "cause_name", CAUSE_SCHEMA)
        if not data:
            return None
        name, summary = _clean(data.get("name"), 120), _clean(data.get("summary"), 600)
        return (name, summary) if name and summary else None

    async def close(self) -> None:
        """Release the HTTP connections."""
        await self._client.close()

    async def _ask(self, system: str, text: str, name: str, schema: dict[str, Any]) -> dict[str, Any] | None:
        try:
            response = await self._client.chat.completions.create(
                model=self.model,
                messages=[{"role": "system", "content": system},
                          {"role": "user", "content": redact(text)[: self.max_chars]}],
                response_format={"type": "json_schema",
                                 "json_schema": {"name": name, "strict": True, "schema": schema}},
                temperature=0,
            )
        except (openai.OpenAIError, ValueError) as exc:  # timeouts, HTTP errors, bad bodies: offline path
            log.warning("language model call %s failed: %s", name, type(exc).__name__)
            return None
        return _parse(response, name, schema)


def _parse(response: Any, name: str, schema: dict[str, Any]) -> dict[str, Any] | None:
    choice = response.choices[0] if getattr(response, "choices", None) else None
    message = choice.message if choice else None
    if message is None or getattr(message, "refusal", None) or not message.content:
        log.warning("language model gave no answer for %s (refusal or empty)", name)
        return None
    try:
        data = json.loads(message.content)
    except (TypeError, ValueError):
        log.warning("language model answer for %s was not JSON", name)
        return None
    if not isinstance(data, dict) or any(not isinstance(data.get(k), str) for k in schema["required"]):
        log.warning("language model answer for %s did not fit the schema", name)
        return None
    return data


def _clean(value: object, limit: int) -> str | None:
    text = " ".join(str(value).split()) if isinstance(value, str) else ""
    return text[:limit] or None

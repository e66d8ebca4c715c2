"""The Slack Web API client: base URL from SLACK_API_URL, and retries for 429, 5xx and dropped connections."""

from __future__ import annotations

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.web.async_client import AsyncWebClient

TRANSIENT = {500, 502, 503, 504}


class TransientErrorRetryHandler(AsyncServerErrorRetryHandler):
    """Retries every transient server status, not only 500 and 503."""

    async def _can_retry_async(self, *, state, request, response=None, error=None) -> bool:  # type: ignore[no-untyped-def]
        return response is not None and response.status_code in TRANSIENT


def retry_handlers(retries: int = 4, backoff: float = 0.5) -> list[AsyncRetryHandler]:
    """429 waits for Retry-After; 5xx and connection errors back off exponentially with jitter."""
    interval = BackoffRetryIntervalCalculator(backoff_factor=backoff)
    return [
        AsyncRateLimitErrorRetryHandler(max_retry_count=retries),
        TransientErrorRetryHandler(max_retry_count=retries, interval_calculator=interval),
        AsyncConnectionErrorRetryHandler(max_retry_count=retries, interval_calculator=interval),
    ]


def make_client(
    token: str, base_url: str, *, retries: int = 4, backoff: float = 0.5, timeout: int = 15
) -> AsyncWebClient:
    """An AsyncWebClient pointed at base_url (Slack's, a proxy's or a test server's)."""
    return AsyncWebClient(
        token=token,
        base_url=base_url.rstrip("/") + "/",
        timeout=timeout,
        retry_handlers=retry_handlers(retries, backoff),
    )

"""Observability: JSON log lines carrying the request id, and /metrics for intake, outbox and HTTP."""

from __future__ import annotations

import io
import json
import logging

from bot import logs
from tests.slack_fake import harness

TOKEN = "-".join(["xoxb", "1234567890", "FAKEtestonly"])  # token-shaped, built at run time


def test_a_json_log_line_carries_the_request_id_and_extra_fields() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.RequestIdFilter())
    logger = logging.getLogger("fixloop.test.json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        rid = logs.new_request_id("abc-123")
        logger.warning("ticket %s logged", "FX-1", extra={"platform": "slack"})
        logs.new_request_id("not a sane id; drop table")  # replaced by a generated one
        logger.error("boom", exc_info=ValueError("bad"))
    finally:
        logger.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert rid == "abc-123"
    assert first["msg"] == "ticket FX-1 logged" and first["request_id"] == "abc-123"
    assert first["platform"] == "slack" and first["level"] == "WARNING" and first["ts"].endswith("+00:00")
    assert second["request_id"] != "abc-123" and len(second["request_id"]) == 16
    assert "ValueError: bad" in second["exc"]


async def test_metrics_count_intake_deliveries_and_requests(engine, db_url) -> None:
    async with harness(db_url) as h:
        event = {"type": "message", "channel": "D0EMP", "channel_type": "im", "user": "U0EMP",
                 "text": "VPN disconnects every few minutes", "ts": "1700000000.000100"}
        response = await h.event(event, event_id="EvM1")
        assert response.status == 200 and response.headers["X-Request-Id"]
        await h.event(event, event_id="EvM1", retry=1)
        await h.fake.wait_for("chat.postMessage")
        await h.eventually(lambda: _sent(h))
        text = await (await h.client.get("/metrics")).text()
    assert 'fixloop_intake_events_total{outcome="new",platform="slack"} 1.0' in text
    assert 'fixloop_intake_events_total{outcome="busy",platform="slack"} 1.0' in text or (
        'fixloop_intake_events_total{outcome="done",platform="slack"} 1.0' in text
    )
    assert 'fixloop_outbox_deliveries_total{destination="slack",outcome="sent"}' in text
    assert "fixloop_outbox_pending 0.0" in text and "fixloop_inbox_pending 0.0" in text
    assert 'fixloop_http_requests_total{path="/slack/events",status="200"} 2.0' in text


async def _sent(h) -> bool:  # type: ignore[no-untyped-def]
    return (await h.runtime.repos.outbox.depth()).get("pending", 0) == 0 and bool(
        (await h.runtime.repos.outbox.depth()).get("sent")
    )


def test_the_configured_log_line_redacts_personal_data_and_tokens_in_message_and_traceback(capsys) -> None:
    logs.configure("serve", fmt="json", level="INFO")
    try:
        try:
            raise RuntimeError("token " + TOKEN + " leaked")
        except RuntimeError:
            logging.getLogger("fixloop.test").exception("mail ana@example.com about card 4111 1111 1111 1111")
    finally:
        logs.configure("chat", fmt="text")
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert "ana@example.com" not in line["msg"] and "4111 1111 1111 1111" not in line["msg"]
    assert TOKEN not in line["exc"] and "RuntimeError: token [TOKEN] leaked" in line["exc"]
    assert "fixloop_redacted" not in line

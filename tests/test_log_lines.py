"""Log redaction on real log lines of `fixloop serve` and `fixloop worker` (tests/capture_log_lines.py).

Redaction must take out e-mails, phone numbers and tokens, and leave everything else of a line as it was:
timestamps (with microseconds), bind addresses, ports, ids, durations, sizes.
"""

from __future__ import annotations

import logging

import pytest

from adapters.logredact import RedactingFilter
from core.redaction import redact
from tests.capture_log_lines import PLANTED, stored_records

RECORDS = stored_records()


def expected(message: str) -> str:
    """The message with only the planted personal data and secrets replaced by their placeholders."""
    for value, placeholder in PLANTED.items():
        message = message.replace(value, placeholder)
    return message


def test_the_captured_lines_come_from_both_processes_and_carry_what_must_go_and_what_must_stay():
    processes = {r["process"] for r in RECORDS}
    text = "\n".join(r["msg"] for r in RECORDS)
    assert processes == {"serve", "worker"} and len(RECORDS) > 80
    assert all(value in text for value in PLANTED)
    for kept in ("Fixloop listening on http://127.0.0.1:", ":00 (in ", "scheduled at 20", "FX-",
                 "'ts': '1800000000.000001'", "(0 millis)", "worker started: 8 events at a time"):
        assert kept in text, kept


def test_redaction_leaves_every_real_log_line_intact_but_the_planted_personal_data_and_tokens():
    damaged = [(r["logger"], r["msg"], redact(r["msg"])) for r in RECORDS if redact(r["msg"]) != expected(r["msg"])]
    assert damaged == []


def test_the_installed_filter_gives_the_same_lines_as_redact():
    record = logging.LogRecord("fixloop", logging.INFO, __file__, 1, "%s", ("",), None)
    for r in RECORDS:
        record.msg, record.args, record.fixloop_redacted = r["msg"], None, False
        RedactingFilter().filter(record)
        assert record.getMessage() == expected(r["msg"])


@pytest.mark.parametrize(("line", "kept"), [
    ("Fixloop listening on http://127.0.0.1:3978 (GET /healthz, GET /metrics)", None),
    ("Fixloop listening on http://81.2.69.160:3978 (GET /healthz, GET /metrics)", None),
    ("serve --host 0.0.0.0 --port 3978; database at 10.20.30.40:5432", None),
    ('Running job "sweep" (scheduled at 2026-12-04 17:23:52.123456+00:00)', None),
    ("Next wakeup is due at 2026-12-04 20:14:41.465221+01:00 (in 299.994744 seconds)", None),
    ("slack request timestamp: 1733331234, activity 1733331234567, ts 1733331234.123456", None),
    ("outbox: notice:triage:FX-4PYRD3 failed (attempt 3), retry in 12.5 s: 503", None),
    ("request 8bcac5d0e1f2a3b4 took 0.048 s for T-10712 and INV-2026-04711", None),
    ("call +44 20 7946 0958 or (415) 555-2671 from 81.2.69.160", "call [PHONE] or [PHONE] from [IP]"),
    ("mail ana.souza@example.com, card 4111 1111 1111 1111", "mail [EMAIL], card [CARD]"),
])
def test_a_log_line_keeps_times_addresses_ports_ids_and_durations_and_loses_personal_data(line, kept):
    assert redact(line) == (kept or line)

"""Logging set-up: JSON lines with the request id for a service's collector, readable text for a person."""

from __future__ import annotations

import contextvars
import json
import logging
import os
import secrets
import sys
from datetime import UTC, datetime

from adapters.logredact import RedactingFilter

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("fixloop_request_id", default=None)
STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}
INTERNAL = {"request_id", "fixloop_redacted"}
OWN = {"fixloop", "bot", "adapters", "core"}  # top-level names of Fixloop's own loggers


def new_request_id(given: str | None = None) -> str:
    """Use the caller's id when it is sane (a proxy's X-Request-Id), else make one; set it for this task."""
    value = given if given and len(given) <= 64 and given.replace("-", "").isalnum() else secrets.token_hex(8)
    REQUEST_ID.set(value)
    return value


class RequestIdFilter(logging.Filter):
    """Stamp each record with the request id of the task that logged it (background tasks inherit it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Always keep the record."""
        record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extra fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if request_id := getattr(record, "request_id", None):
            entry["request_id"] = request_id
        entry |= {k: v for k, v in record.__dict__.items() if k not in STANDARD and k not in INTERNAL}
        if record.exc_text or record.exc_info:  # exc_text first: the redacting filter rewrote it
            entry["exc"] = record.exc_text or self.formatException(record.exc_info)  # type: ignore[arg-type]
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """One readable line: time, level, logger, message, and the request id when there is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        """The line before any traceback, with the request id at its end."""
        line = super().formatMessage(record)
        request_id = getattr(record, "request_id", None)
        return f"{line} [request {request_id}]" if request_id else line


class LibraryChatterFilter(logging.Filter):
    """Only warnings and errors from libraries (APScheduler's "Adding job tentatively" is not news)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep Fixloop's own records, and a library's from WARNING up."""
        return record.levelno >= logging.WARNING or record.name.split(".", 1)[0] in OWN


def configure(command: str, *, fmt: str | None = None, level: str | None = None) -> str:
    """Set up root logging for a command and return its format (json, text); the environment overrides."""
    service = command in ("serve", "worker")  # long-running: structured lines for a log collector
    collected = service and not sys.stderr.isatty()  # on a terminal a person reads the log
    fmt = (fmt or os.environ.get("FIXLOOP_LOG_FORMAT") or ("json" if collected else "text")).lower()
    default = "INFO" if service else "WARNING"
    chosen = (level or os.environ.get("FIXLOOP_LOG_LEVEL") or default).upper()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    if fmt != "json":
        handler.addFilter(LibraryChatterFilter())
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactingFilter())  # emails, phone and card numbers, tokens: never in a log line
    handler.fixloop = True  # type: ignore[attr-defined]
    root = logging.getLogger()
    # Replace only our own handler (a second configure in one process); keep others, e.g. pytest's.
    root.handlers[:] = [h for h in root.handlers if not getattr(h, "fixloop", False)] + [handler]
    root.setLevel(getattr(logging, chosen, logging.INFO))
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its plugin set-up chatter is not news
    return fmt

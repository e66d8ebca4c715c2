"""Keep personal data and secrets out of the logs: a logging.Filter that applies core.redaction."""

from __future__ import annotations

import logging

from core.redaction import redact


class RedactingFilter(logging.Filter):
    """Rewrite each record so that its message, arguments, exception and stack text are redacted.

    The message is formatted once with its arguments and redacted as a whole (a secret can straddle
    the format string and an argument); the record then carries the redacted text and no arguments,
    so every handler and formatter after this filter sees only the redacted form.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drop it."""
        if getattr(record, "fixloop_redacted", False):
            return True  # a record passes a logger's filter and its handlers' filters: redact once
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what there is, redacted, rather than lose the record
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record.fixloop_redacted = True
        return True


def install_redaction(logger: logging.Logger | None = None) -> RedactingFilter:
    """Install one RedactingFilter on a logger (default: the root logger) and on each of its handlers.

    A logger's own filters see only records logged to that very logger; its handlers' filters also
    see records that propagate up from child loggers (fixloop.slack, aiohttp.access, ...). Handlers
    added to the logger later need `handler.addFilter(the returned filter)` too.
    """
    target = logger if logger is not None else logging.getLogger()
    found = next((f for f in target.filters if isinstance(f, RedactingFilter)), None)
    redacting = found or RedactingFilter()
    if found is None:
        target.addFilter(redacting)
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(redacting)
    return redacting

"""Personal data and secrets never reach the log output, and Settings never prints a secret."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator

import pytest

from adapters.logredact import RedactingFilter, install_redaction
from bot.settings import Settings, hide_password
from bot.wiring import build_runtime
from core.redaction import redact
from tests.fake_secrets import OPENAI_API_KEY, SLACK_APP_TOKEN, SLACK_BOT_TOKEN, fake
from tests.slack_fake import ROOT

SECRETS = {
    "email": "ana.souza@example.com",
    "phone": "+44 20 7946 0958",
    "card": "4111 1111 1111 1111",
    "slack bot token": SLACK_BOT_TOKEN,
    "slack app token": SLACK_APP_TOKEN,
    "openai key": OPENAI_API_KEY,
    "bearer": "Bearer FAKEtokenFAKEtoken0000",
    "url password": "postgresql://fixloop:FAKE-db-password@127.0.0.1:5432/test",
}
SHOULD_NOT_APPEAR = [*SECRETS.values(), "FAKE-db-password", "FAKEtokenFAKEtoken0000", "7946 0958"]


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger of its own writing to a string, with redaction installed; removed afterwards."""
    logger = logging.getLogger("fixloop.test.redaction")
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    install_redaction(logger)
    yield logger, out
    logger.removeHandler(handler)
    logger.filters.clear()


@pytest.mark.parametrize("kind", list(SECRETS))
def test_a_secret_or_personal_datum_logged_any_way_never_reaches_the_output(captured, kind):
    logger, out = captured
    value = SECRETS[kind]
    logger.info("in the message: %s", value)  # as an argument
    logger.warning(f"in the format string: {value}")  # noqa: G004 (the careless way, on purpose)
    logger.info("in a dict argument: %r", {"user": value})
    logging.getLogger("fixloop.test.redaction.child").error("from a child logger: %s", value)
    try:
        raise RuntimeError(f"failed for {value}")
    except RuntimeError:
        logger.exception("with a traceback")
    text = out.getvalue()
    assert all(secret not in text for secret in SHOULD_NOT_APPEAR), text
    assert text.count("\n") >= 5 and "Traceback" in text and "RuntimeError: failed for " in text


def test_redaction_keeps_the_rest_of_the_message_and_its_numbers(captured):
    logger, out = captured
    logger.info("ticket %s escalated to %s after %d minutes by %s", "FX-AB12CD", "billing", 42, "ana@example.com")
    assert out.getvalue().strip() == "INFO fixloop.test.redaction ticket FX-AB12CD escalated to billing after 42 minutes by [EMAIL]"


def test_a_database_url_keeps_its_user_and_host_but_not_its_password(captured):
    logger, out = captured
    logger.info("database %s and %s", "postgresql://postgres@127.0.0.1:5432/test", "postgresql://app:s3cret@db:5432/x")
    assert out.getvalue().strip() == (
        "INFO fixloop.test.redaction database postgresql://postgres@127.0.0.1:5432/test"
        " and postgresql://[CREDENTIALS]@db:5432/x"
    )


def test_installing_twice_adds_one_filter_and_a_record_is_redacted_once(captured):
    logger, out = captured
    install_redaction(logger)
    assert sum(isinstance(f, RedactingFilter) for f in logger.filters) == 1
    assert sum(isinstance(f, RedactingFilter) for f in logger.handlers[0].filters) == 1
    logger.info("mail %s", "a@b.example")
    assert out.getvalue().strip().endswith("mail [EMAIL]")


def test_settings_never_print_a_secret_or_a_database_password(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", SECRETS["slack bot token"])
    monkeypatch.setenv("SLACK_APP_TOKEN", SECRETS["slack app token"])
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "fake-signing-secret-for-tests")
    monkeypatch.setenv("OPENAI_API_KEY", SECRETS["openai key"])
    monkeypatch.setenv("MICROSOFT_APP_PASSWORD", "fake-teams-password-0000")
    monkeypatch.setenv("DATABASE_URL", SECRETS["url password"])
    settings = Settings()
    shown = [repr(settings), str(settings), settings.model_dump_json(), f"{settings!r}"]
    for secret in (fake("xoxb")[:9], fake("xapp")[:9], "fake-signing-secret", fake("sk")[:7], "fake-teams-password",
                   "FAKE-db-password"):  # fmt: skip
        assert all(secret not in text for text in shown), secret
    assert "postgresql://fixloop:***@127.0.0.1:5432/test" in repr(settings)
    assert settings.database_url == SECRETS["url password"]  # the connection still gets the real one
    assert hide_password("sqlite:///var/fixloop.db") == "sqlite:///var/fixloop.db"


async def test_starting_fixloop_logs_no_secret(db_url, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="fixloop")  # Bolt copies the root's level onto "fixloop" when built
    settings = Settings(
        database_url=db_url,
        fixloop_config=ROOT / "fixloop.example.toml",
        slack_bot_token=SECRETS["slack bot token"],
        slack_signing_secret="fake-signing-secret-for-tests",
        openai_api_key=SECRETS["openai key"],
        openai_base_url="http://127.0.0.1:9/v1",
    )
    runtime = await build_runtime(settings, load_indexes=False)
    await runtime.close()
    assert "language model: on" in caplog.text
    for secret in (fake("xoxb")[:9], "fake-signing-secret", fake("sk")[:7]):  # the prefixes, as before
        assert secret not in caplog.text


HOSTILE = ["a." * 20_000, "a-" * 20_000, "sk-" * 13_000 + "%", "eyJ-" * 10_000, "1-" * 20_000, "(1) " * 10_000]


@pytest.mark.parametrize("text", HOSTILE, ids=["dots", "dashes", "token-prefixes", "jwt-prefixes", "digits", "parens"])
def test_redacting_a_hostile_40000_character_text_takes_linear_time(text):
    started = time.perf_counter()
    redact(text)
    assert time.perf_counter() - started < 1.5  # quadratic patterns took 3-4 s on these (and block the loop)

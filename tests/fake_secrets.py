"""Obviously fake credentials for tests, assembled at run time so no token-shaped literal is committed.

They carry the real prefixes (xoxb-, xapp-, sk-) only because the code under test recognises them:
the log redaction looks for those shapes, and Socket Mode wants an app-level token.
"""

from __future__ import annotations


def fake(prefix: str) -> str:
    """`prefix`-FAKE-test-only, e.g. fake("xoxb") for a Slack bot token."""
    return "-".join((prefix, "FAKE", "test", "only"))


SLACK_BOT_TOKEN = fake("xoxb")
SLACK_APP_TOKEN = fake("xapp")
OPENAI_API_KEY = fake("sk")

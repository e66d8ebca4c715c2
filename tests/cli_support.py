"""Running the real `fixloop` command line in a subprocess against a scratch database, and waiting for it."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from tests.fake_secrets import SLACK_BOT_TOKEN
from tests.slack_fake import SECRET

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Cli:
    env: dict[str, str]

    def run(self, *args: str, check: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run `python -m bot ARGS` and return the finished process."""
        proc = subprocess.run(
            [sys.executable, "-m", "bot", *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
            input=stdin, timeout=120,
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"fixloop {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
        return proc


def cli_for(database_url: str, config: Path | None = None) -> Cli:
    """A CLI runner whose DATABASE_URL and FIXLOOP_CONFIG point at the test's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_", "MICROSOFT_"))}
    env.update(DATABASE_URL=database_url, FIXLOOP_CONFIG=str(config or ROOT / "fixloop.example.toml"),
               PYTHONPATH=str(ROOT))
    return Cli(env=env)


def slack_process(
    args: list[str], database_url: str, slack_url: str, log: Path, **env: str
) -> subprocess.Popen[bytes]:
    """`fixloop ARGS` as its own process, as in production, talking to the Slack at `slack_url` (and with
    `env` set); its output is appended to `log`."""
    left_out = ("SLACK_APP_TOKEN", "MICROSOFT_APP_ID", "OPENAI_API_KEY")
    environ = {k: v for k, v in os.environ.items() if k not in left_out}
    environ.update(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN=SLACK_BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack_url,
        FIXLOOP_CONFIG=str(ROOT / "fixloop.example.toml"),
        **env,
    )
    command = [sys.executable, "-m", "bot", *args]
    return subprocess.Popen(command, cwd=ROOT, env=environ, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def healthy(
    base: str, proc: subprocess.Popen[bytes] | list[subprocess.Popen[bytes]], within: float = 60
) -> None:
    """Wait until `fixloop serve` answers /healthz; fail if it (or any process given with it) exits first."""
    procs = proc if isinstance(proc, list) else [proc]
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            assert all(p.poll() is None for p in procs), "a fixloop process exited"
            try:
                async with session.get(f"{base}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError("fixloop serve did not become healthy")

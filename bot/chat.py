"""`fixloop chat`: the same use cases as Slack and Teams, in a terminal, to try the loop with no workspace."""

from __future__ import annotations

import asyncio
import shlex
import sys
from collections.abc import Awaitable, Callable

from adapters.notify import CallbackNotifier
from bot import heap
from bot.chat_commands import COMMANDS, HELP, Session
from bot.settings import Settings
from bot.wiring import build_runtime
from core.errors import FixloopError
from core.messages import LogRequest
from core.org import PersonRole
from core.ports import Notice

DEFAULT_USER = {"employee": "emp-console"}


def run_chat(settings: Settings, *, role: str, user: str | None) -> int:
    """Run the terminal chat until /quit or end of input."""
    return asyncio.run(_chat(settings, role, user))


def describe(notice: Notice, *, role: str, user: str) -> str:
    """How the terminal shows a notice: in full to staff; to an employee only their own and their threads'."""
    if role == "employee" and notice.to != f"person:{user}" and not notice.to.startswith("thread:"):
        # Staff channels' posts are not the employee's to read.
        return f"  (passed on to {notice.to.replace(':', ' ')})"
    return f"  [{notice.kind} -> {notice.to}] {notice.text}"


async def _chat(settings: Settings, role: str, user: str | None) -> int:
    viewer = {"user": user or ""}
    runtime = await build_runtime(settings, notifier=CallbackNotifier(
        lambda notice: print(describe(notice, role=role, user=viewer["user"]), flush=True)
    ))
    heap.settle()  # as serve and worker do: full collections leave the loaded models alone
    try:
        who = user or DEFAULT_USER.get(role) or _first_with_role(runtime.config.org.people, role)
        viewer["user"] = who or ""
        if who is None:
            print(
                f"fixloop: no {role} is configured in fixloop.toml; add one under [people] or use --user.",
                file=sys.stderr,
            )
            return 2
        session = Session(desk=runtime.desk, user=who, role=role)
        print(f"Fixloop terminal chat. You are {who} ({role}). Type /help for commands, /quit to leave.")
        print(HELP[role])
        await _loop(session)
        return 0
    finally:
        await runtime.close()


def _first_with_role(people: tuple, role: str) -> str | None:  # type: ignore[type-arg]
    wanted = PersonRole(role)
    return next((p.key for p in people if wanted in p.roles), None)


async def _loop(session: Session) -> None:
    loop = asyncio.get_running_loop()
    while True:
        try:
            line = await loop.run_in_executor(None, _read, "> ")
        except EOFError:
            print()
            return
        line = line.strip()
        if not line:
            continue
        if line in ("/quit", "/exit"):
            return
        await _handle(session, line)


def _read(prompt: str) -> str:
    print(prompt, end="", flush=True)
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line


async def _handle(session: Session, line: str) -> None:
    try:
        if line.startswith("/") or line.split()[0].lower() in ("solved", "help"):
            await _command(session, line)
        else:
            await _message(session, line)
    except FixloopError as exc:
        print(f"  ! {exc}")
    except ValueError as exc:
        print(f"  ! {exc}. Type /help for the commands.")


async def _message(session: Session, text: str) -> None:
    cmd = LogRequest(
        platform="console",
        requester=session.user,
        text=text,
        thread_key=f"console:{session.user}:{session.session_id}:{session.thread}",
    )
    reply = await session.desk.log_request(cmd)
    session.current = reply.ticket.id
    print(reply.text)


async def _command(session: Session, line: str) -> None:
    parts = shlex.split(line)
    name, args = parts[0].lstrip("/").lower(), parts[1:]
    if parts[0] == "/help":  # the bare word "help" asks for a person; /help lists the commands
        name = "show_help"
    handler: Callable[[Session, list[str]], Awaitable[None]] | None = COMMANDS.get(name)
    if handler is None:
        raise ValueError(f"unknown command /{name}")
    await handler(session, args)

"""A minimal Slack Web API and Bot Framework connector that accept every post, for load runs.

Runs in its own process so that answering posts does not steal time from the load generator.
"""

from __future__ import annotations

import itertools

from aiohttp import web

_ts = itertools.count(1)


async def slack_api(request: web.Request) -> web.Response:
    """Answer any Web API method with ok; posts get a fresh ts."""
    method = request.match_info["method"]
    if method == "auth.test":
        return web.json_response({"ok": True, "user_id": "U0BOT", "bot_id": "B0BOT", "team_id": "T0ACME"})
    if method == "conversations.info":  # a channel object, as Slack answers it (shared-channel look-ups)
        return web.json_response({"ok": True, "channel": {"id": "C0", "is_ext_shared": False}})
    ts = f"1900000000.{next(_ts):06d}"
    return web.json_response({"ok": True, "ts": ts, "channel": "C0", "messages": []})


async def connector(request: web.Request) -> web.Response:
    """Bot Framework: accept a reply or a new activity."""
    await request.read()
    return web.json_response({"id": f"a{next(_ts)}"})


def run(port: int) -> None:
    """Serve until killed."""
    app = web.Application()
    app.router.add_route("*", "/api/{method}", slack_api)
    app.router.add_route("*", "/v3/{tail:.*}", connector)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


if __name__ == "__main__":
    import sys

    run(int(sys.argv[1]))

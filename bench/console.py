"""Seconds to serve each console page from SQL, for 10k and 100k tickets (PostgreSQL).

Run: .venv/bin/python bench/console.py --url postgresql://postgres@127.0.0.1:5432/test [--sizes 10000,100000]
Each size gets a scratch database loaded like bench/digest.py's (52 weeks, 200 causes), then a signed-in
leader opens each page of week 40 through the real aiohttp application. Printed per page: the first
request (the overview's is cold: 2 reports and 12 weekly reports for the trends) and the best of 3 after.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import psycopg
from aiohttp.test_utils import TestClient, TestServer
from psycopg import sql
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.digest import START, load  # noqa: E402
from bot.server import create_app  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.wiring import build_runtime  # noqa: E402
from tests.fakes import FakeClock  # noqa: E402

CONFIG = 'timezone = "Europe/Berlin"\n[people.lea]\nroles = ["leader"]\n' + "".join(
    f'[people.{a}]\nroles = ["agent"]\n' for a in "abcdefgh"
)
WEEK = "from=2025-10-13&to=2025-10-20"  # week 40 of the ledger
PAGES = (f"/app/overview?{WEEK}", "/app/causes", "/app/causes/c7", f"/app/teams?{WEEK}",
         f"/app/coaching?{WEEK}", f"/app/tickets?{WEEK}", f"/app/overview?{WEEK}&csv=kpis")


async def time_pages(url: str) -> list[tuple[str, float, float]]:
    """(page, first request s, best of 3 after) for every page, as a signed-in leader."""
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "fixloop.toml"
        config.write_text(CONFIG)
        clock = FakeClock(START + timedelta(weeks=41, hours=9))
        runtime = await build_runtime(Settings(database_url=url, fixloop_config=config), clock=clock,
                                      load_indexes=False)
        client = TestClient(TestServer(create_app(runtime)))
        await client.start_server()
        try:
            path = "/app/" + (await runtime.desk.console_link("lea")).url.split("/app/", 1)[1]
            token = re.search(r'name="csrf" value="([^"]+)"', await (await client.get(path)).text())
            assert token is not None
            await client.post(path, data={"csrf": token.group(1)}, allow_redirects=False)  # no page yet
            out = []
            for page in PAGES:
                times = []
                for _ in range(4):
                    t0 = time.perf_counter()
                    response = await client.get(page)
                    await response.read()
                    assert response.status == 200, page
                    times.append(time.perf_counter() - t0)
                out.append((page, times[0], min(times[1:])))
            return out
        finally:
            await client.close()


def main() -> None:
    """Print the figures and the command that reproduces them."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args()
    print(f"command: .venv/bin/python bench/console.py --url {args.url} --sizes {args.sizes}")
    for n in (int(s) for s in args.sizes.split(",")):
        name = f"bench_console_{n}"
        db = make_url(args.url).set(database=name).render_as_string(hide_password=False)
        with psycopg.connect(args.url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            load(db, n)
            for page, first, best in asyncio.run(time_pages(db)):
                print(f"{n:>8} {page:<45} first {first:6.2f} s  then {best:6.2f} s", flush=True)
        finally:
            with psycopg.connect(args.url, autocommit=True) as admin:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


if __name__ == "__main__":
    main()

"""The console in a real browser: headless Chromium from the Debian packages, driven by Selenium.

Signs in with a one-time link, opens every page, checks the figures against `fixloop kpis --json` and
`fixloop causes --json`, follows a cause to its tickets, downloads a CSV and saves screenshots (into
$FIXLOOP_SCREENSHOTS too when it is set: that is how docs/ gets them). Skipped, with the reason, where
Chromium is not installed (`apt-get install chromium chromium-driver`).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_support import ROOT, Cli, cli_for

CHROMIUM, DRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:  # pragma: no cover - the dev extra installs it
    webdriver = None  # type: ignore[assignment]

pytestmark = pytest.mark.skipif(
    webdriver is None or not CHROMIUM.exists() or not DRIVER.exists(),
    reason="browser tests skipped: Chromium is not installed (apt-get install -y chromium chromium-driver)",
)
PERIOD = ("2026-11-09", "2026-11-16")
WAIT = 30.0  # seconds a page may take to appear on a busy machine; waiting stops as soon as it does


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Cli]]:
    """`fixloop serve` on the sample ledger (an SQLite file), with the CLI pointed at the same database."""
    folder = tmp_path_factory.mktemp("browser")
    port = free_port()
    cli = cli_for(f"sqlite:///{folder / 'fixloop.db'}")
    cli.env.update(FIXLOOP_PUBLIC_URL=f"http://127.0.0.1:{port}", FIXLOOP_LOG_FORMAT="text")
    cli.run("migrate")
    cli.run("import", "tickets", str(ROOT / "samples" / "tickets.csv"), "--format", "csv")
    log = (folder / "serve.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port)], cwd=ROOT,
                              env=cli.env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:  # wait until it answers (or died, or never came up)
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError((folder / "serve.log").read_text()) from None
            time.sleep(0.2)
    try:
        yield base, cli
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    """Headless Chromium with a fresh profile that downloads into tmp_path/downloads without asking."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,1000",
                 f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(tmp_path / "downloads"),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def shot(driver: webdriver.Chrome, folder: Path, name: str) -> None:
    """A full-width screenshot, kept with the test and copied to $FIXLOOP_SCREENSHOTS when set."""
    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(1400, min(max(int(height) + 40, 600), 4000))
    path = folder / f"console-{name}.png"
    driver.save_screenshot(str(path))
    if os.environ.get("FIXLOOP_SCREENSHOTS"):
        shutil.copy(path, Path(os.environ["FIXLOOP_SCREENSHOTS"]) / path.name)
    driver.set_window_size(1400, 1000)


def shown(driver: webdriver.Chrome) -> dict[str, object]:
    """Every figure the page marks with data-key, with its exact value."""
    return {e.get_attribute("data-key"): json.loads(e.get_attribute("data-value"))
            for e in driver.find_elements(By.CSS_SELECTOR, "[data-key]")}


def at(report: dict[str, object], path: str) -> object:
    value: object = report
    for part in path.split("."):
        assert isinstance(value, dict)
        value = value[part]
    return sum(value.values()) if isinstance(value, dict) else value


def sign_in(driver: webdriver.Chrome, cli: Cli, person: str) -> str:
    """Open a one-time link from `fixloop console link` and press Sign in; the link."""
    link = cli.run("console", "link", "--as", person).stdout.strip()
    driver.get(link)
    driver.find_element(By.ID, "use-link").click()
    WebDriverWait(driver, WAIT).until(lambda d: "/signin" not in d.current_url)
    return link


def test_a_leader_signs_in_with_a_link_and_sees_the_clis_figures_on_every_page(served, browser, tmp_path):
    base, cli = served
    browser.get(f"{base}/app/overview")
    assert "/app/signin?next=" in browser.current_url and not shown(browser)
    link = sign_in(browser, cli, "lea")
    browser.get(f"{base}/app/overview?from={PERIOD[0]}&to={PERIOD[1]}")
    now = json.loads(cli.run("kpis", "--from", PERIOD[0], "--to", PERIOD[1], "--json").stdout)
    figures = shown(browser)
    assert len(figures) == 3 * 2 * 26 and figures["total.bot_deflection"] == now["total"]["bot_deflection"]
    for key, value in figures.items():
        if not key.startswith("before."):
            assert value == at(now, key), key
    shot(browser, tmp_path, "overview")

    browser.get(f"{base}/app/causes")
    ranked = json.loads(cli.run("causes", "--json", "--limit", "1000").stdout)["causes"]
    figures = shown(browser)
    for c in ranked:
        assert figures[f"cause.{c['key']}.tickets"] == c["tickets"]
        assert figures[f"cause.{c['key']}.fix_status"] == c["fix_status"]
    shot(browser, tmp_path, "causes")
    browser.find_element(By.CSS_SELECTOR, "#causes a.csv").click()
    download = tmp_path / "downloads" / "fixloop-causes.csv"
    WebDriverWait(browser, WAIT).until(lambda _: download.exists() and download.stat().st_size > 0)
    rows = list(csv.DictReader(download.open(encoding="utf-8")))
    assert [r["Key"] for r in rows] == [c["key"] for c in ranked]

    top = ranked[0]
    browser.find_element(By.LINK_TEXT, top["title"]).click()
    WebDriverWait(browser, WAIT).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#tickets table"))
    assert browser.find_element(By.TAG_NAME, "h1").text == top["title"]
    tickets = browser.find_elements(By.CSS_SELECTOR, "#tickets [data-key^='ticket.']")
    assert len(tickets) == min(500, top["tickets"])
    assert set(top["evidence"]) <= {t.get_attribute("data-value").strip('"') for t in tickets}
    shot(browser, tmp_path, "cause")

    for page, title in (("teams", "Teams and escalations"), ("coaching", "Coaching"), ("tickets", "Tickets")):
        browser.get(f"{base}/app/{page}?from={PERIOD[0]}&to={PERIOD[1]}")
        assert browser.find_element(By.TAG_NAME, "h1").text == title
        shot(browser, tmp_path, page)

    browser.get(link)
    assert "already used" in browser.find_element(By.TAG_NAME, "h1").text


def test_an_agent_signed_in_in_the_browser_cannot_open_a_leaders_page(served, browser):
    base, cli = served
    sign_in(browser, cli, "ana")
    assert browser.current_url.endswith("/app/coaching")
    for page in ("overview", "causes", "teams"):
        browser.get(f"{base}/app/{page}")
        assert browser.find_element(By.TAG_NAME, "h1").text == "Not for your role" and not shown(browser)
    browser.find_element(By.CSS_SELECTOR, "form.signout button").click()
    WebDriverWait(browser, WAIT).until(lambda d: "/app/signin" in d.current_url)
    browser.get(f"{base}/app/coaching")
    assert "/app/signin?next=" in browser.current_url

"""Sign in with Slack and with Microsoft Entra ID through Authlib, against a fake provider on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from joserfc.jwk import RSAKey
from yarl import URL

from core.audit import AuditAction
from tests.console_support import Harness, console
from tests.oidc_fake import FakeProvider

pytestmark = pytest.mark.usefixtures("engine")
SLACK_LEA = {"sub": "U0LEA", "https://slack.com/user_id": "U0LEA", "https://slack.com/team_id": "T0FAKE"}
ENTRA_LEA = {"sub": "pairwise-subject-1", "oid": "0b5e3a52-entra-oid-lea", "tid": "tenant-1"}


@asynccontextmanager
async def signed_in_by(db_url: str, folder: Path, **claims: Any) -> AsyncIterator[tuple[Harness, FakeProvider]]:
    """A console whose Slack and Entra sign-ins both go to one fake provider issuing these claims."""
    provider = await FakeProvider(claims=claims).start()
    try:
        async with console(
            db_url, folder, ledger=False,
            slack_client_id=provider.client_id, slack_client_secret=provider.client_secret,
            slack_oidc_url=provider.issuer, entra_client_id=provider.client_id,
            entra_client_secret=provider.client_secret, entra_tenant_id="tenant-1", entra_oidc_url=provider.issuer,
        ) as h:
            yield h, provider
    finally:
        await provider.close()


async def through_provider(h: Harness, name: str, tamper: dict[str, str] | None = None) -> aiohttp.ClientResponse:
    """Start a sign-in, let the provider consent, and come back to the callback; its response."""
    start = await h.client.get(f"/app/signin/{name}", allow_redirects=False)
    assert start.status == 303, await start.text()
    async with aiohttp.ClientSession() as browser:  # the provider's pages: no console cookie there
        consent = await browser.get(start.headers["Location"], allow_redirects=False)
        assert consent.status == 302, await consent.text()
    back = URL(consent.headers["Location"])
    return await h.client.get(back.update_query(tamper or {}).path_qs, allow_redirects=False)


async def test_sign_in_with_slack_opens_the_console_for_the_person_its_id_token_names(db_url, tmp_path):
    async with signed_in_by(db_url, tmp_path, **SLACK_LEA) as (h, _):
        done = await through_provider(h, "slack")
        assert done.status == 303 and done.headers["Location"] == "/app/"
        assert (await h.get("/app/overview"))[0] == 200
        entries = await h.runtime.repos.audit.list()
        assert [(e.who, e.action, e.detail) for e in entries] == [
            ("lea", AuditAction.SIGNED_IN, "console sign-in via slack")]


async def test_sign_in_with_microsoft_matches_the_entra_object_id_of_fixloop_toml(db_url, tmp_path):
    async with signed_in_by(db_url, tmp_path, **ENTRA_LEA) as (h, _):
        done = await through_provider(h, "entra")
        assert done.status == 303 and (await h.get("/app/teams"))[0] == 200
        assert (await h.runtime.repos.audit.list())[0].detail == "console sign-in via entra"


async def test_the_sign_in_page_offers_each_configured_provider(db_url, tmp_path):
    async with signed_in_by(db_url, tmp_path, **SLACK_LEA) as (h, _):
        status, body = await h.get("/app/signin")
        assert status == 200 and "Sign in with Slack" in body and "Sign in with Microsoft" in body
    async with console(db_url, tmp_path, ledger=False) as h:
        _, body = await h.get("/app/signin")
        assert "Sign in with Slack" not in body and "/fixloop console" in body
        assert (await h.get("/app/signin/slack"))[0] == 404


@pytest.mark.parametrize("misbehave", ["foreign_key", "nonce", "audience"])
async def test_an_id_token_that_fails_validation_signs_nobody_in(db_url, tmp_path, misbehave):
    async with signed_in_by(db_url, tmp_path, **SLACK_LEA) as (h, provider):
        if misbehave == "foreign_key":
            provider.signing_key = RSAKey.generate_key(2048, private=True)
        elif misbehave == "nonce":
            provider.nonce = "a-nonce-from-another-sign-in"
        else:
            provider.audience = "some-other-app"
        done = await through_provider(h, "slack")
        assert done.status == 400 and "not valid" in await done.text()
        assert (await h.get("/app/overview"))[0] == 303
        assert await h.runtime.repos.audit.list() == []


async def test_a_callback_whose_state_differs_is_refused_before_any_code_is_exchanged(db_url, tmp_path):
    async with signed_in_by(db_url, tmp_path, **SLACK_LEA) as (h, provider):
        done = await through_provider(h, "slack", tamper={"state": "forged-state"})
        assert done.status == 400 and "does not match" in await done.text()
        assert provider.token_requests == 0 and (await h.get("/app/overview"))[0] == 303


async def test_a_callback_is_used_once(db_url, tmp_path):
    async with signed_in_by(db_url, tmp_path, **SLACK_LEA) as (h, _):
        start = await h.client.get("/app/signin/slack", allow_redirects=False)
        async with aiohttp.ClientSession() as browser:
            consent = await browser.get(start.headers["Location"], allow_redirects=False)
        path = URL(consent.headers["Location"]).path_qs
        first = await h.client.get(path, allow_redirects=False)
        h.client.session.cookie_jar.clear()
        second = await h.client.get(path, allow_redirects=False)
        assert first.status == 303 and second.status == 400


@pytest.mark.parametrize("claims", [
    {"sub": "U0NOBODY", "https://slack.com/user_id": "U0NOBODY"},
    {"sub": "U0EVE", "https://slack.com/user_id": "U0EVE"},
    {"sub": "lea", "https://slack.com/user_id": "0b5e3a52-entra-oid-lea"},  # lea's key and Entra id: not Slack's
])
async def test_a_valid_sign_in_of_someone_without_a_console_role_is_refused(db_url, tmp_path, claims):
    async with signed_in_by(db_url, tmp_path, **claims) as (h, _):
        done = await through_provider(h, "slack")
        assert done.status == 403 and "leaders, managers and agents" in await done.text()
        assert (await h.get("/app/coaching"))[0] == 303

"""Sign in with Slack and with Microsoft Entra ID: OpenID Connect code flow with PKCE, through Authlib.

Authlib builds the authorization request (state, nonce, S256 code challenge), exchanges the code at the
token endpoint, and validates the ID token (signature against the provider's JWKS, iss, aud, exp, iat,
nonce, at_hash). This module only knows each provider's issuer and which claim names the person.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, KeySetSerialization
from joserfc.jws import JWSRegistry

METADATA_SECONDS = 3600.0  # discovery and keys are fetched again after this (keys rotate)
LEEWAY = 60  # seconds of clock skew allowed on exp / iat


class SignInFailed(Exception):
    """The provider's answer cannot sign anyone in; the message is safe to show."""


@dataclass(frozen=True)
class Provider:
    """One OpenID Connect provider as configured in the environment."""

    name: str  # "slack" or "entra": the URL path part
    label: str  # the button
    issuer: str
    client_id: str
    client_secret: str
    claims: tuple[str, ...]  # claims holding an id fixloop.toml may know, most specific first
    platform: str  # whose ids those are in fixloop.toml: people.<key>.slack or people.<key>.teams
    scope: str = "openid profile email"


def slack_provider(client_id: str, client_secret: str, issuer: str = "https://slack.com") -> Provider:
    """Sign in with Slack: its ID token carries the Slack user id fixloop.toml lists (people.*.slack)."""
    return Provider(
        "slack",
        "Sign in with Slack",
        issuer.rstrip("/"),
        client_id,
        client_secret,
        ("https://slack.com/user_id", "sub"),
        "slack",
    )


def entra_provider(client_id: str, client_secret: str, tenant: str, issuer: str | None = None) -> Provider:
    """Microsoft Entra ID (single tenant): its `oid` claim is the object id fixloop.toml lists (teams)."""
    url = issuer or f"https://login.microsoftonline.com/{tenant}/v2.0"
    return Provider(
        "entra", "Sign in with Microsoft", url.rstrip("/"), client_id, client_secret, ("oid",), "teams"
    )


class OidcClient:
    """The client side of one provider: discovery and keys cached, one sign-in at a time stateless."""

    def __init__(self, provider: Provider, *, verify: bool | str = True) -> None:
        self.provider, self.verify = provider, verify
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySetSerialization | None = None
        self._fetched = 0.0

    def _client(self, redirect_uri: str) -> AsyncOAuth2Client:
        p = self.provider
        return AsyncOAuth2Client(
            p.client_id,
            p.client_secret,
            scope=p.scope,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_post",
            verify=self.verify,
            timeout=10.0,
        )

    async def metadata(self, force: bool = False) -> dict[str, Any]:
        """The provider's discovery document and JWKS, cached for an hour."""
        if self._metadata is None or force or time.monotonic() - self._fetched > METADATA_SECONDS:
            url = f"{self.provider.issuer}/.well-known/openid-configuration"
            try:
                async with httpx.AsyncClient(verify=self.verify, timeout=10.0) as http:
                    meta = (await http.get(url)).raise_for_status().json()
                    keys = (await http.get(meta["jwks_uri"])).raise_for_status().json()
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                raise SignInFailed(f"{self.provider.label} is not reachable right now; try again.") from exc
            self._metadata, self._keys, self._fetched = meta, keys, time.monotonic()
        return self._metadata

    async def start(self, redirect_uri: str) -> tuple[str, dict[str, str]]:
        """The authorization URL to send the browser to, and what the callback must check."""
        meta = await self.metadata()
        verifier, nonce = generate_token(48), generate_token(24)
        async with self._client(redirect_uri) as client:
            url, state = client.create_authorization_url(
                meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce
            )
        pending = {
            "provider": self.provider.name,
            "state": state,
            "nonce": nonce,
            "verifier": verifier,
            "redirect_uri": redirect_uri,
        }
        return url, pending

    async def finish(self, pending: dict[str, str], code: str, state: str) -> dict[str, Any]:
        """Exchange the code and validate the ID token; its claims."""
        if not code or not state or state != pending.get("state"):
            raise SignInFailed("This sign-in does not match the one started in this browser; start again.")
        meta = await self.metadata()
        try:
            async with self._client(pending["redirect_uri"]) as client:
                token = await client.fetch_token(
                    meta["token_endpoint"], code=code, code_verifier=pending["verifier"]
                )
        except Exception as exc:  # Authlib raises OAuthError, httpx its own: either way no sign-in
            raise SignInFailed(f"{self.provider.label} refused the sign-in; start again.") from exc
        if "id_token" not in token:
            raise SignInFailed(f"{self.provider.label} sent no ID token; check the app's OpenID scopes.")
        return await self._validate(token, pending["nonce"])

    async def _validate(self, token: dict[str, Any], nonce: str) -> dict[str, Any]:
        """Check the ID token's signature and claims the way Authlib's own OpenID clients do."""
        meta = await self.metadata()
        algorithms = meta.get("id_token_signing_alg_values_supported") or ["RS256"]
        try:
            try:
                decoded = jwt.decode(
                    token["id_token"],
                    KeySet.import_key_set(self._keys or {"keys": []}),
                    registry=JWSRegistry(algorithms=algorithms),
                )
            except JoseError:  # perhaps a key rotated in since we fetched them
                await self.metadata(force=True)
                decoded = jwt.decode(
                    token["id_token"],
                    KeySet.import_key_set(self._keys or {"keys": []}),
                    registry=JWSRegistry(algorithms=algorithms),
                )
            options = {
                "iss": {"essential": True, "value": meta["issuer"]},
                "aud": {"essential": True, "value": self.provider.client_id},
            }
            params = {
                "nonce": nonce,
                "client_id": self.provider.client_id,
                "access_token": token.get("access_token"),
            }
            claims = CodeIDToken(decoded.claims, decoded.header, options, params)
            claims.validate(leeway=LEEWAY)
        except (JoseError, ValueError) as exc:
            raise SignInFailed(f"The ID token from {self.provider.label} is not valid; start again.") from exc
        return dict(claims)

    def identities(self, claims: dict[str, Any]) -> list[str]:
        """The ids in the claims that fixloop.toml may list for a person."""
        return [str(claims[c]) for c in self.provider.claims if claims.get(c)]

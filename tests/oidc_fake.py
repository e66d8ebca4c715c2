"""A fake OpenID Connect provider on 127.0.0.1: discovery, JWKS, authorize (consents at once), token.

It issues RS256-signed ID tokens like Slack's and Entra ID's, checks the client secret, the redirect URI
and the PKCE verifier, and hands out each code once. Tests choose the claims and can make it misbehave.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from aiohttp.test_utils import TestServer
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.fake_secrets import fake


@dataclass
class FakeProvider:
    client_id: str = "fixloop-console-test"
    client_secret: str = field(default_factory=lambda: fake("oidc"))
    claims: dict[str, Any] = field(default_factory=dict)  # added to every ID token
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, private=True))
    signing_key: RSAKey | None = None  # set: sign with a key the JWKS does not publish
    nonce: str | None = None  # set: put this nonce in the token instead of the one asked for
    audience: str | None = None  # set: the token's aud
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    token_requests: int = 0
    server: TestServer | None = None

    @property
    def issuer(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    async def discovery(self, _: web.Request) -> web.Response:
        return web.json_response({
            "issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        })

    async def jwks(self, _: web.Request) -> web.Response:
        return web.json_response({"keys": [{**self.key.as_dict(private=False), "kid": "k1", "use": "sig"}]})

    async def authorize(self, request: web.Request) -> web.Response:
        q = request.query
        if q.get("client_id") != self.client_id or q.get("code_challenge_method") != "S256":
            return web.Response(status=400, text="bad authorization request")
        code = secrets.token_urlsafe(16)
        self.codes[code] = {k: q.get(k, "") for k in ("redirect_uri", "nonce", "code_challenge")}
        location = q["redirect_uri"] + "?" + urlencode({"code": code, "state": q.get("state", "")})
        return web.Response(status=302, headers={"Location": location})

    async def token(self, request: web.Request) -> web.Response:
        self.token_requests += 1
        form = await request.post()
        asked = self.codes.pop(str(form.get("code", "")), None)  # a code works once
        if (asked is None or form.get("client_secret") != self.client_secret
                or form.get("client_id") != self.client_id or form.get("redirect_uri") != asked["redirect_uri"]):
            return web.json_response({"error": "invalid_grant"}, status=400)
        digest = hashlib.sha256(str(form.get("code_verifier", "")).encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != asked["code_challenge"]:
            return web.json_response({"error": "invalid_grant", "error_description": "PKCE"}, status=400)
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.audience or self.client_id, "iat": now, "exp": now + 300,
                  "nonce": self.nonce or asked["nonce"], **self.claims}
        id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self.signing_key or self.key)
        return web.json_response({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                                  "expires_in": 300, "id_token": id_token})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/.well-known/openid-configuration", self.discovery)
        app.router.add_get("/jwks", self.jwks)
        app.router.add_get("/authorize", self.authorize)
        app.router.add_post("/token", self.token)
        return app

    async def start(self) -> FakeProvider:
        self.server = TestServer(self.app(), host="127.0.0.1")
        await self.server.start_server()
        return self

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

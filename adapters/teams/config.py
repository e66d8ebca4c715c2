"""Teams settings: whether Teams runs and how, and the Bot Framework configuration built from them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:  # the Bot Framework SDK loads only where Teams is on (adapters/teams/app.py)
    from botframework.connector.auth import ServiceClientCredentialsFactory

Mode = Literal["auth", "open", "off"]


class TeamsSettings(Protocol):
    """The part of bot.settings.Settings the Teams adapter reads."""

    # Read-only properties, so a Settings with narrower types (a Literal fixloop_env) still matches.
    @property
    def microsoft_app_id(self) -> str: ...
    @property
    def microsoft_app_password(self) -> Any: ...
    @property
    def microsoft_app_tenant_id(self) -> str: ...
    @property
    def fixloop_env(self) -> str: ...
    @property
    def fixloop_public_url(self) -> str | None: ...


class TeamsMisconfigured(ValueError):
    """Teams settings that would run the endpoint without Bot Framework authentication."""


def teams_mode(settings: TeamsSettings) -> Mode:
    """How Teams runs: "auth" with an app id, "open" (no authentication) in development, else "off"."""
    if settings.microsoft_app_id.strip():
        return "auth"
    if settings.fixloop_env == "development":
        return "open"
    if settings.microsoft_app_password is not None or settings.microsoft_app_tenant_id.strip():
        raise TeamsMisconfigured(
            "MICROSOFT_APP_ID is empty, and an empty app id turns Bot Framework authentication off. "
            "Set MICROSOFT_APP_ID, or FIXLOOP_ENV=development to run Teams without authentication."
        )
    return "off"


@dataclass(frozen=True)
class Endpoints:
    """Bot Framework endpoints other than the public cloud's: a private cloud, or a local test key server."""

    openid_metadata_url: str
    token_issuer: str
    login_url: str
    oauth_scope: str
    credentials: ServiceClientCredentialsFactory | None = None


@dataclass(frozen=True)
class BotConfig:
    """The attribute names ConfigurationBotFrameworkAuthentication reads; None means the public cloud's."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TENANTID: str
    APP_TYPE: str
    TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: str | None = None
    TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL: str | None = None
    TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: str | None = None
    TO_CHANNEL_FROM_BOT_LOGIN_URL: str | None = None
    TO_CHANNEL_FROM_BOT_OAUTH_SCOPE: str | None = None
    OAUTH_URL: str | None = None
    CALLER_ID: str | None = None


def bot_config(settings: TeamsSettings, endpoints: Endpoints | None = None) -> BotConfig:
    """Credentials from the settings; a tenant id makes the bot single-tenant, as Azure now creates them."""
    password = settings.microsoft_app_password
    tenant = settings.microsoft_app_tenant_id.strip()
    base = BotConfig(
        APP_ID=settings.microsoft_app_id.strip(),
        APP_PASSWORD=password.get_secret_value() if password is not None else "",
        APP_TENANTID=tenant,
        APP_TYPE="SingleTenant" if tenant else "MultiTenant",
    )
    if endpoints is None:
        return base
    return BotConfig(
        **{k: v for k, v in base.__dict__.items() if k.startswith("APP_")},
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=endpoints.openid_metadata_url,
        TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL=endpoints.openid_metadata_url,
        TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=endpoints.token_issuer,
        TO_CHANNEL_FROM_BOT_LOGIN_URL=endpoints.login_url,
        TO_CHANNEL_FROM_BOT_OAUTH_SCOPE=endpoints.oauth_scope,
        OAUTH_URL=endpoints.oauth_scope,
        CALLER_ID="urn:botframework:azure",
    )

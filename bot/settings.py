"""Process settings from the environment; secrets are SecretStr and never logged."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_serializer, field_validator
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
    fixloop_env: Literal["production", "development"] = "production"
    fixloop_config: Path = Field(default=Path("fixloop.toml"))

    @field_validator(
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "microsoft_app_password",
        "openai_api_key",
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
    def llm_enabled(self) -> bool:
        """The language model is used only when a key is set."""
        return self.openai_api_key is not None


def hide_password(url: str) -> str:
    """A URL with the password of its user:password@ part replaced by ***, for logs and repr."""
    return URL_PASSWORD.sub(r"\1:***@", url)

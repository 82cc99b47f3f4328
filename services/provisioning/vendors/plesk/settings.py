"""Plesk connection settings (prefix PLESK_)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class PleskSettings(BaseSettings):
    """One Plesk server's REST API and its API key."""

    model_config = SettingsConfigDict(env_prefix="PLESK_", extra="ignore")

    base_url: str = "https://localhost:8443/api/v2"
    api_key: SecretStr = SecretStr("")
    timeout_seconds: float = Field(default=30.0, gt=0)

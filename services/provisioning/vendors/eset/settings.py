"""ESET MSP Administrator 2 connection settings (prefix ESET_)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class EsetSettings(BaseSettings):
    """An API-enabled EMA 2 user and where the API lives."""

    model_config = SettingsConfigDict(env_prefix="ESET_", extra="ignore")

    base_url: str = "https://mspapi.eset.com/api"
    username: str = ""
    password: SecretStr = SecretStr("")
    timeout_seconds: float = Field(default=30.0, gt=0)
    # "code.subCode" answers to /Company/Suspend meaning "already suspended" (unverified).
    company_already_suspended: list[str] = Field(default_factory=lambda: ["8.21"])

"""Settings of the ops dashboard and its webhooks (prefix OPS_, next to OPS_DATABASE_URL)."""

from __future__ import annotations

import ipaddress
import json
import secrets
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
SESSION_KEY_FILE = "ops-dashboard-session.key"


class WebhookSettings(BaseSettings):
    """Outbound webhooks: where they may go and how the delivery worker paces itself."""

    model_config = SettingsConfigDict(env_prefix="OPS_WEBHOOK_", extra="ignore")

    allowed_networks: Annotated[list[Network], NoDecode] = Field(
        default_factory=list,
        description='Private networks endpoints may target, e.g. ["10.20.0.0/16"]; '
        "public addresses are always allowed, private and link-local ones only if listed",
    )
    poll_seconds: float = Field(default=0.5, gt=0, description="How often due attempts are sought")
    timeout_seconds: float = Field(default=15.0, gt=0, description="One attempt's HTTP timeout")
    concurrency: int = Field(default=8, ge=1, description="Attempts in flight at once")
    batch_size: int = Field(default=100, ge=1)

    @field_validator("allowed_networks", mode="before")
    @classmethod
    def _networks(cls, value: object) -> object:
        # A JSON list or a comma-separated string, whichever is easier to write in the environment.
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value


class DashboardSettings(BaseSettings):
    """The dashboard: its session signing key and where the provisioning API lives."""

    model_config = SettingsConfigDict(env_prefix="OPS_DASHBOARD_", extra="ignore")

    session_secret: SecretStr | None = Field(
        default=None,
        description="Signs session cookies; unset outside production means a random key kept "
        "in MSP_VAR_DIR (the same for every process sharing that directory)",
    )
    session_hours: int = Field(default=8, ge=1, le=24 * 7)
    secure_cookie: bool = Field(
        default=False, description="Mark the cookie Secure even when the request came over http"
    )
    provisioning_url: str = Field(
        default="http://127.0.0.1:8104",
        description="Base URL of the provisioning API the retry and mark-done buttons post to",
    )
    provisioning_api_key: SecretStr | None = Field(
        default=None, description="Key ops presents to the provisioning API for those buttons"
    )

    def signing_key(self, var_dir: Path, environment: str) -> bytes:
        """The session signing key: the setting, else one kept under var_dir (never in production)."""
        if self.session_secret is not None:
            return self.session_secret.get_secret_value().encode()
        if environment == "production":
            raise RuntimeError("OPS_DASHBOARD_SESSION_SECRET must be set in production")
        path = var_dir / SESSION_KEY_FILE
        if not path.exists():
            var_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip().encode()

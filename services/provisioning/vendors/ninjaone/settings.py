"""NinjaOne connection settings (prefix NINJAONE_)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class NinjaOneSettings(BaseSettings):
    """A NinjaOne API client app (client credentials) and the instance it belongs to."""

    model_config = SettingsConfigDict(env_prefix="NINJAONE_", extra="ignore")

    base_url: str = "https://eu.ninjarmm.com"
    token_url: str | None = None  # default: {base_url}/ws/oauth/token
    client_id: str = ""
    client_secret: SecretStr = SecretStr("")
    scope: str = "monitoring management"
    timeout_seconds: float = Field(default=30.0, gt=0)
    disabled_features: list[str] = Field(
        default_factory=lambda: ["ALERTS", "PATCHING", "AVSCANS", "TASKS"]
    )
    # NinjaOne needs an end; closure follows 14 days after suspension, so this outlasts it.
    pause_days: int = Field(default=45, ge=1)
    reason: str = "Suspended for non-payment"
    # No documented device removal in the public API: unverified, kept configurable.
    remove_device_path: str = "/v2/device/{device_id}"
    page_size: int = Field(default=500, ge=1)

    def resolved_token_url(self) -> str:
        """The token endpoint to use."""
        return self.token_url or f"{self.base_url.rstrip('/')}/ws/oauth/token"

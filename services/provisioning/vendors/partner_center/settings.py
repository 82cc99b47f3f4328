"""Partner Center connection settings (prefix PARTNER_CENTER_)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class PartnerCenterSettings(BaseSettings):
    """The CSP partner's app registration and where Partner Center lives."""

    model_config = SettingsConfigDict(env_prefix="PARTNER_CENTER_", extra="ignore")

    base_url: str = "https://api.partnercenter.microsoft.com/v1"
    partner_tenant_id: str = ""
    # Default: https://login.microsoftonline.com/{partner_tenant_id}/oauth2/v2.0/token
    token_url: str | None = None
    client_id: str = ""
    client_secret: SecretStr = SecretStr("")
    scope: str = "https://api.partnercenter.microsoft.com/.default"
    timeout_seconds: float = Field(default=30.0, gt=0)
    # How often one write re-reads after a 412 before giving the error to the caller.
    etag_retries: int = Field(default=3, ge=0)

    def resolved_token_url(self) -> str:
        """The token endpoint to use."""
        if self.token_url:
            return self.token_url
        return f"https://login.microsoftonline.com/{self.partner_tenant_id}/oauth2/v2.0/token"

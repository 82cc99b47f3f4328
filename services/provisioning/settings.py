"""How the action worker tries vendors (prefix PROVISIONING_, next to the store settings)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.provisioning.domain.timing import RetryPolicy


class ProvisioningOptions(BaseSettings):
    """The action worker, its retries, and which RMM monitors devices."""

    model_config = SettingsConfigDict(env_prefix="PROVISIONING_", extra="ignore")

    worker_enabled: bool = True
    worker_concurrency: int = Field(default=2, ge=1, description="actions one process runs at once")
    worker_poll_seconds: float = Field(default=1.0, gt=0)
    # A claim lapses after this long; another worker then takes the action over. It must
    # outlast one try (the worker stops a try at 80% of it), or two tries may overlap.
    lease_seconds: float = Field(default=300.0, gt=0)
    # Tries of an action (each retried per call below) before it is dead-lettered.
    max_attempts: int = Field(default=8, ge=1)
    retry_base_seconds: float = Field(default=30.0, ge=0)
    retry_max_seconds: float = Field(default=3600.0, ge=0)
    # Within one try, each vendor call is retried quickly (transient 5xx, timeouts, 429).
    call_attempts: int = Field(default=3, ge=1)
    call_base_delay_seconds: float = Field(default=0.5, ge=0)
    call_max_delay_seconds: float = Field(default=10.0, ge=0)
    monitoring_vendor: Literal["superops", "ninjaone"] = "superops"

    @model_validator(mode="after")
    def _ordered(self) -> ProvisioningOptions:
        if self.retry_max_seconds < self.retry_base_seconds:
            raise ValueError("PROVISIONING_RETRY_MAX_SECONDS must be at least the base")
        return self

    def retry_policy(self) -> RetryPolicy:
        """The action-level retry policy."""
        return RetryPolicy(self.max_attempts, self.retry_base_seconds, self.retry_max_seconds)

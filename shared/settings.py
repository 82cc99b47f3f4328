"""Settings from the environment: MSP_ for the platform, KAFKA_ for the bus, one prefix per service."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiKeySetting(BaseModel):
    """One API key: a name (the actor on events), its secret or its SHA-256, and scopes."""

    name: str
    key: SecretStr | None = None
    sha256: str | None = None
    scopes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_secret(self) -> ApiKeySetting:
        if (self.key is None) == (self.sha256 is None):
            raise ValueError(f"API key {self.name!r}: give exactly one of key or sha256")
        return self


class PlatformSettings(BaseSettings):
    """Settings shared by every service (prefix MSP_)."""

    model_config = SettingsConfigDict(env_prefix="MSP_", extra="ignore")

    mode: Literal["embedded", "distributed"] = "embedded"
    environment: Literal["development", "production"] = "development"
    var_dir: Path = Path("var")
    host: str = "127.0.0.1"
    public_host: str = "127.0.0.1"
    api_keys: list[ApiKeySetting] = Field(default_factory=list)
    profile: str = Field(
        default="safe-it", description="Provider profile: a name under profiles/ or a YAML path"
    )
    clock_mode: Literal["manual", "ticker"] = "manual"
    demo: bool = Field(
        default=True, description="Embedded first start loads scenarios/demo-<profile>.yaml"
    )
    timezone: str = "Europe/Copenhagen"
    consumer_max_attempts: int = Field(default=5, ge=1)
    consumer_retry_backoff_seconds: float = Field(default=0.2, ge=0)
    relay_batch_size: int = Field(default=500, ge=1)
    relay_poll_seconds: float = Field(default=0.05, gt=0)
    log_level: str = "INFO"
    vault_url: str | None = Field(
        default=None, description="The key vault for personal data (embedded: var/vault.sqlite)"
    )

    def resolved_vault_url(self) -> str:
        """The key vault's URL; embedded default is its own SQLite file under var/."""
        if self.vault_url:
            return self.vault_url
        return f"sqlite+aiosqlite:///{self.var_dir.resolve() / 'vault.sqlite'}"

    @model_validator(mode="after")
    def _no_open_production(self) -> PlatformSettings:
        if self.environment == "production" and not self.api_keys:
            raise ValueError("MSP_API_KEYS must be set in production")
        return self


class KafkaSettings(BaseSettings):
    """The Kafka bus (prefix KAFKA_); without bootstrap servers the in-process bus is used."""

    model_config = SettingsConfigDict(env_prefix="KAFKA_", extra="ignore")

    bootstrap_servers: str | None = None
    enable_idempotence: bool = True
    partitions: int = Field(default=4, ge=1)
    replication_factor: int = Field(default=1, ge=1)
    request_timeout_ms: int = 30_000
    # How long the broker may hold a consumer's fetch when there is nothing new. Kafka answers
    # a held fetch as soon as a message arrives, so this costs no latency there; a broker that
    # answers only when the wait ends (Tansu) adds up to this much per hop: set it to ~10 there.
    fetch_max_wait_ms: int = Field(default=500, ge=0)


class ServiceSettings(BaseSettings):
    """What each service has: its store, where it listens. Subclasses set the prefix."""

    service_name: ClassVar[str]
    default_port: ClassVar[int]

    database_url: str | None = None
    port: int | None = None
    db_pool_size: int = Field(default=10, ge=1)

    def resolved_port(self) -> int:
        """The port to serve on."""
        return self.port or self.default_port

    def resolved_database_url(self, platform: PlatformSettings) -> str:
        """The store URL; embedded default is one SQLite file per service under var/."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{platform.var_dir.resolve() / (self.service_name + '.sqlite')}"


class AgreementsSettings(ServiceSettings):
    """Agreements service (prefix AGREEMENTS_)."""

    model_config = SettingsConfigDict(env_prefix="AGREEMENTS_", extra="ignore")
    service_name = "agreements"
    default_port = 8101


class BillingSettings(ServiceSettings):
    """Billing service (prefix BILLING_)."""

    model_config = SettingsConfigDict(env_prefix="BILLING_", extra="ignore")
    service_name = "billing"
    default_port = 8102


class DunningSettings(ServiceSettings):
    """Dunning service (prefix DUNNING_)."""

    model_config = SettingsConfigDict(env_prefix="DUNNING_", extra="ignore")
    service_name = "dunning"
    default_port = 8103


class ProvisioningSettings(ServiceSettings):
    """Provisioning service (prefix PROVISIONING_)."""

    model_config = SettingsConfigDict(env_prefix="PROVISIONING_", extra="ignore")
    service_name = "provisioning"
    default_port = 8104


class AssetsSettings(ServiceSettings):
    """Assets service (prefix ASSETS_)."""

    model_config = SettingsConfigDict(env_prefix="ASSETS_", extra="ignore")
    service_name = "assets"
    default_port = 8105


class OpsSettings(ServiceSettings):
    """Operations service: dashboard, event log, clock (prefix OPS_)."""

    model_config = SettingsConfigDict(env_prefix="OPS_", extra="ignore")
    service_name = "ops"
    default_port = 8100


SERVICE_SETTINGS: dict[str, type[ServiceSettings]] = {
    cls.service_name: cls
    for cls in (
        OpsSettings,
        AgreementsSettings,
        BillingSettings,
        DunningSettings,
        ProvisioningSettings,
        AssetsSettings,
    )
}

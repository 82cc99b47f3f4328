"""SuperOps connection settings (prefix SUPEROPS_), with the unverified GraphQL isolated here."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# Unverified: no public page documents a mutation that pauses monitoring. These use the
# client record's status (Active / Inactive / Archived), which SuperOps does expose,
# on the assumption that an inactive client is not monitored. Override per tenant.
STATUS_QUERY = """query getClient($input: ClientIdentifierInput!) {
  getClient(input: $input) { accountId status }
}"""
UPDATE_MUTATION = """mutation updateClient($input: UpdateClientInput!) {
  updateClient(input: $input) { accountId status }
}"""


class SuperOpsSettings(BaseSettings):
    """The MSP's SuperOps API token, subdomain and the operations used."""

    model_config = SettingsConfigDict(env_prefix="SUPEROPS_", extra="ignore")

    url: str = "https://euapi.superops.ai/msp"
    api_token: SecretStr = SecretStr("")
    customer_subdomain: str = ""
    timeout_seconds: float = Field(default=30.0, gt=0)
    status_query: str = STATUS_QUERY
    update_mutation: str = UPDATE_MUTATION
    # The client status that stands for each monitoring state (unverified).
    statuses: dict[str, str] = Field(
        default_factory=lambda: {"monitored": "Active", "paused": "Inactive", "removed": "Archived"}
    )

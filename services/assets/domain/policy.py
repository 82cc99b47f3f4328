"""The provider's assets terms: warranty, notice, workbook, which devices need PC security."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ProductType = Literal[
    "laptop", "desktop", "server", "monitor", "printer", "phone", "tablet", "network", "other"
]

# How each product type reads in the customer's workbook and overview (Danish).
PRODUCT_TYPE_LABELS: dict[str, str] = {
    "laptop": "Bærbar computer",
    "desktop": "Stationær computer",
    "server": "Server",
    "monitor": "Skærm",
    "printer": "Printer",
    "phone": "Mobiltelefon",
    "tablet": "Tablet",
    "network": "Netværksudstyr",
    "other": "Andet",
}


class AssetPolicy(BaseModel):
    """One provider's assets terms; fields named in `examples` are not stated in its seed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    monthly_hardware_workbook: bool
    warranty_months: int = Field(ge=0, le=120)
    warranty_notice_days: int = Field(ge=0, le=365)
    pc_security_device_types: list[ProductType]
    examples: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _known_examples(self) -> AssetPolicy:
        unknown = [name for name in self.examples if name not in type(self).model_fields]
        if unknown:
            raise ValueError(f"examples names unknown field(s) {unknown}")
        return self

    def needs_pc_security(self, product_type: str) -> bool:
        """True for devices the PC security package is sold for."""
        return product_type in self.pc_security_device_types


def product_label(product_type: str) -> str:
    """The Danish name of a product type."""
    return PRODUCT_TYPE_LABELS.get(product_type, product_type)

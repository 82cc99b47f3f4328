"""Commands the agreements context accepts."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field


class RegisterCustomer(BaseModel):
    """Take on a new customer."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    cvr: str | None = Field(default=None, description="8-digit Danish CVR number (business)")
    kind: Literal["business", "consumer"] = "business"
    address: str | None = Field(default=None, max_length=500)
    finance_email: EmailStr | None = None

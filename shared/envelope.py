"""The CloudEvents 1.0 envelope that carries every integration event across the bus."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import orjson
from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from shared.contracts import Contract

SPEC_VERSION = "1.0"
TYPE_PREFIX = "msp"


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 JSON event with the platform's extension attributes."""

    model_config = ConfigDict(frozen=True, extra="allow")

    id: str
    source: str
    type: str
    specversion: str = SPEC_VERSION
    time: datetime
    subject: str | None = None
    datacontenttype: str = "application/json"
    dataschema: str | None = None
    # Extension attributes: lowercase alphanumerics only, per the CloudEvents spec.
    customerid: str | None = None
    businessdate: date | None = None
    correlationid: str | None = None
    causationid: str | None = None
    actor: str = "system"
    data: dict[str, Any] = Field(default_factory=dict)

    @property
    def event_name(self) -> str:
        """The bare event name, e.g. CustomerRegistered."""
        return split_type(self.type)[1]

    @property
    def version(self) -> int:
        """The contract version the data follows."""
        return split_type(self.type)[2]

    @property
    def context(self) -> str:
        """The bounded context that published it, e.g. agreements."""
        return split_type(self.type)[0]

    def to_json(self) -> bytes:
        """Compact JSON bytes, the wire format on every bus."""
        return orjson.dumps(self.model_dump(mode="json", exclude_none=True))

    @classmethod
    def of(
        cls, message: Contract, *, source: str, id: str | None = None, **attributes: Any
    ) -> CloudEvent:
        """The envelope of one contract message, stamped now (extension attributes by name)."""
        from shared.ids import new_id

        return cls(
            id=id or new_id(),
            source=source,
            type=message.type_name(),
            time=utcnow(),
            data=message.model_dump(mode="json"),
            **attributes,
        )

    @classmethod
    def from_json(cls, raw: bytes | str) -> CloudEvent:
        """Parse wire JSON back into an envelope."""
        return cls.model_validate(orjson.loads(raw))


def dumps_text(value: Any) -> str:
    """JSON text of a document (event data, metadata) as the stores keep it."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def event_type(context: str, name: str, version: int) -> str:
    """The CloudEvents type string, e.g. msp.agreements.CustomerRegistered.v1."""
    return f"{TYPE_PREFIX}.{context}.{name}.v{version}"


def split_type(value: str) -> tuple[str, str, int]:
    """(context, name, version) from a type string."""
    prefix, context, name, version = value.split(".")
    if prefix != TYPE_PREFIX or not version.startswith("v"):
        raise ValueError(f"not a platform event type: {value}")
    return context, name, int(version[1:])


def utcnow() -> datetime:
    """When something was recorded (wall clock, never used by business rules)."""
    return datetime.now(UTC)

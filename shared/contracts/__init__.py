"""Integration-event contracts: versioned pydantic models, with upcasters for old versions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

from shared.envelope import CloudEvent, event_type, split_type


class Contract(BaseModel):
    """Base of every public event: frozen, named and versioned."""

    model_config = ConfigDict(frozen=True)
    context: ClassVar[str]
    version: ClassVar[int] = 1

    @classmethod
    def type_name(cls) -> str:
        """The CloudEvents type this contract travels as."""
        return event_type(cls.context, cls.__name__, cls.version)


C = TypeVar("C", bound=type[Contract])
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

_CURRENT: dict[tuple[str, str], type[Contract]] = {}
_UPCASTERS: dict[tuple[str, str, int], Upcaster] = {}


def contract(cls: C) -> C:
    """Register a contract class as the current version of its event."""
    _CURRENT[(cls.context, cls.__name__)] = cls
    return cls


def upcaster(context: str, name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Register a function that turns data of from_version into from_version + 1."""

    def register(fn: Upcaster) -> Upcaster:
        _UPCASTERS[(context, name, from_version)] = fn
        return fn

    return register


class UnknownContract(LookupError):
    """An event type no registered contract describes."""


def read(event: CloudEvent) -> Contract:
    """The event's data as the current contract version, upcasting older data."""
    context, name, version = split_type(event.type)
    current = _CURRENT.get((context, name))
    if current is None:
        raise UnknownContract(event.type)
    data = dict(event.data)
    while version < current.version:
        step = _UPCASTERS.get((context, name, version))
        if step is None:
            raise UnknownContract(f"{event.type}: no upcaster from v{version}")
        data = step(data)
        version += 1
    return current.model_validate(data)


def is_known(event: CloudEvent) -> bool:
    """True when a contract is registered for the event's name."""
    context, name, _ = split_type(event.type)
    return (context, name) in _CURRENT


def load_all() -> None:
    """Import every context's contracts so the registry is complete."""
    from shared.contracts import agreements, assets, billing, clock, dunning, provisioning  # noqa: F401

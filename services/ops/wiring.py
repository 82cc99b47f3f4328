"""Per-runtime parts of ops (settings, the delivery worker, the session key), built lazily."""

from __future__ import annotations

from dataclasses import dataclass
from weakref import WeakKeyDictionary

from services.ops.settings import DashboardSettings, WebhookSettings
from services.ops.webhooks.worker import DeliveryWorker
from shared.service import Runtime
from shared.store.eventstore import EventStore


@dataclass
class OpsParts:
    """What ops' routes and background jobs share within one runtime."""

    webhooks: WebhookSettings
    dashboard: DashboardSettings
    worker: DeliveryWorker
    session_key: bytes


# Keyed by the store: the Runtime dataclass is not hashable, its store is one per runtime.
_PARTS: WeakKeyDictionary[EventStore, OpsParts] = WeakKeyDictionary()


def parts(runtime: Runtime) -> OpsParts:
    """The runtime's parts, made on first use from the environment."""
    found = _PARTS.get(runtime.store)
    if found is None:
        webhooks = WebhookSettings()
        dashboard = DashboardSettings()
        found = OpsParts(
            webhooks=webhooks,
            dashboard=dashboard,
            worker=DeliveryWorker(runtime.store, webhooks),
            session_key=dashboard.signing_key(
                runtime.platform.var_dir, runtime.platform.environment
            ),
        )
        _PARTS[runtime.store] = found
    return found

"""The webhook API: register endpoints, see deliveries and attempts, disable, enable, replay."""

from __future__ import annotations

from datetime import UTC

from fastapi import APIRouter, Query, status

from services.ops.webhooks import handlers, queries
from services.ops.webhooks.schemas import (
    DeliveryDetail,
    DeliveryRead,
    DisableEndpoint,
    ReplayQueued,
    ReplaySince,
    WebhookCreate,
    WebhookCreated,
    WebhookEndpointRead,
)
from services.ops.wiring import parts
from shared.service import MetadataDep, RuntimeDep

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=WebhookCreated,
    summary="Register an endpoint (its secret is shown in this response only)",
)
async def register_endpoint(
    body: WebhookCreate, runtime: RuntimeDep, meta: MetadataDep
) -> WebhookCreated:
    endpoint_id, secret = await handlers.register(
        runtime.store,
        meta,
        parts(runtime).webhooks,
        url=body.url,
        event_types=list(body.event_types),
        description=body.description,
        secret=body.secret.get_secret_value() if body.secret else None,
    )
    async with runtime.store.engine.connect() as conn:
        created = await queries.endpoint(conn, endpoint_id)
    return WebhookCreated.model_validate(created | {"secret": secret})


@router.get("", response_model=list[WebhookEndpointRead], summary="Every endpoint")
async def list_endpoints(runtime: RuntimeDep) -> list[WebhookEndpointRead]:
    async with runtime.store.engine.connect() as conn:
        return [WebhookEndpointRead.model_validate(e) for e in await queries.endpoint_list(conn)]


@router.get(
    "/deliveries/{delivery_id}",
    response_model=DeliveryDetail,
    summary="A delivery and its attempts",
)
async def get_delivery(delivery_id: str, runtime: RuntimeDep) -> DeliveryDetail:
    async with runtime.store.engine.connect() as conn:
        return DeliveryDetail.model_validate(await queries.delivery(conn, delivery_id))


@router.post(
    "/deliveries/{delivery_id}/replay",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryRead,
    summary="Send one message to its endpoint again",
)
async def replay_delivery(delivery_id: str, runtime: RuntimeDep, meta: MetadataDep) -> DeliveryRead:
    await handlers.replay_one(runtime.store, meta, delivery_id)
    async with runtime.store.engine.connect() as conn:
        return DeliveryRead.model_validate(await queries.delivery(conn, delivery_id))


@router.get("/{endpoint_id}", response_model=WebhookEndpointRead, summary="One endpoint")
async def get_endpoint(endpoint_id: str, runtime: RuntimeDep) -> WebhookEndpointRead:
    async with runtime.store.engine.connect() as conn:
        return WebhookEndpointRead.model_validate(await queries.endpoint(conn, endpoint_id))


@router.get(
    "/{endpoint_id}/deliveries",
    response_model=list[DeliveryRead],
    summary="Its deliveries, newest first",
)
async def list_deliveries(
    endpoint_id: str,
    runtime: RuntimeDep,
    status_filter: str | None = Query(
        default=None, alias="status", pattern="^(pending|delivered|failed)$"
    ),
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[DeliveryRead]:
    async with runtime.store.engine.connect() as conn:
        await queries.endpoint(conn, endpoint_id)
        found = await queries.delivery_list(conn, endpoint_id, status_filter, limit)
    return [DeliveryRead.model_validate(d) for d in found]


@router.post(
    "/{endpoint_id}/disable", response_model=WebhookEndpointRead, summary="Stop deliveries"
)
async def disable_endpoint(
    endpoint_id: str, runtime: RuntimeDep, meta: MetadataDep, body: DisableEndpoint | None = None
) -> WebhookEndpointRead:
    await handlers.disable(runtime.store, meta, endpoint_id, (body or DisableEndpoint()).reason)
    return await get_endpoint(endpoint_id, runtime)


@router.post("/{endpoint_id}/enable", response_model=WebhookEndpointRead, summary="Deliver again")
async def enable_endpoint(
    endpoint_id: str, runtime: RuntimeDep, meta: MetadataDep
) -> WebhookEndpointRead:
    await handlers.enable(runtime.store, meta, endpoint_id)
    return await get_endpoint(endpoint_id, runtime)


@router.post(
    "/{endpoint_id}/replay",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ReplayQueued,
    summary="Send again what failed or was missed since a time",
)
async def replay_since(
    endpoint_id: str, body: ReplaySince, runtime: RuntimeDep, meta: MetadataDep
) -> ReplayQueued:
    since = body.since if body.since.tzinfo else body.since.replace(tzinfo=UTC)
    pending = await handlers.replay_since(
        runtime.store, meta, endpoint_id, since.astimezone(UTC), body.include_delivered
    )
    return ReplayQueued(endpoint_id=endpoint_id, pending=pending)

"""The ops HTTP API: the event log and the clock."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select

from services.ops.adapters.tables import event_log
from shared import clock
from shared.errors import Conflict, DomainError, NotFound
from shared.service import MetadataDep, RuntimeDep

events_router = APIRouter(prefix="/events", tags=["events"])
clock_router = APIRouter(prefix="/clock", tags=["clock"])


class EventSummary(BaseModel):
    """One line of the event log."""

    seq: int
    event_id: str
    name: str
    context: str
    customer_id: str | None
    business_date: date | None
    actor: str
    envelope: dict[str, Any]


class EventDetail(BaseModel):
    """An event with what caused it and what it caused."""

    event: dict[str, Any]
    causes: list[dict[str, Any]]
    effects: list[dict[str, Any]]


@events_router.get("", response_model=list[EventSummary], summary="The event log, newest first")
async def list_events(
    runtime: RuntimeDep,
    customer_id: str | None = None,
    name: str | None = Query(default=None, description="Event name, e.g. InvoiceIssued"),
    context: str | None = Query(default=None, description="Publishing service, e.g. billing"),
    before_seq: int | None = Query(default=None, ge=1),
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[EventSummary]:
    query = select(event_log).order_by(event_log.c.seq.desc()).limit(limit)
    for column, value in (
        (event_log.c.customer_id, customer_id),
        (event_log.c.name, name),
        (event_log.c.context, context),
    ):
        if value is not None:
            query = query.where(column == value)
    if before_seq is not None:
        query = query.where(event_log.c.seq < before_seq)
    async with runtime.store.engine.connect() as conn:
        rows = (await conn.execute(query)).mappings().all()
    return [EventSummary.model_validate(dict(row)) for row in rows]


@events_router.get("/{event_id}", response_model=EventDetail, summary="An event and its chain")
async def get_event(event_id: str, runtime: RuntimeDep) -> EventDetail:
    async with runtime.store.engine.connect() as conn:

        async def envelope_of(wanted: str) -> dict[str, Any] | None:
            found = await conn.execute(
                select(event_log.c.envelope).where(event_log.c.event_id == wanted)
            )
            value: dict[str, Any] | None = found.scalar()
            return value

        event = await envelope_of(event_id)
        if event is None:
            raise NotFound(f"no event {event_id}", field="event_id")
        causes: list[dict[str, Any]] = []
        cause_id = event.get("causationid")
        while cause_id and len(causes) < 50 and (cause := await envelope_of(cause_id)):
            causes.insert(0, cause)
            cause_id = cause.get("causationid")
        effects = (
            await conn.execute(
                select(event_log.c.envelope)
                .where(event_log.c.causation_id == event_id)
                .order_by(event_log.c.seq)
            )
        ).scalars()
        return EventDetail(event=event, causes=causes, effects=list(effects))


class ClockState(BaseModel):
    """Where the platform's clock stands."""

    today: date | None
    mode: str


class AdvanceClock(BaseModel):
    """Start days: a number of them, or every day up to and including a date."""

    days: int | None = Field(default=None, ge=1, le=clock.MAX_DAYS_PER_ADVANCE)
    to: date | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> AdvanceClock:
        if (self.days is None) == (self.to is None):
            raise ValueError("give exactly one of days or to")
        return self


class ClockAdvanced(BaseModel):
    """The days that were started."""

    started: list[date]
    today: date | None


@clock_router.get("", response_model=ClockState, summary="The current business date")
async def get_clock(runtime: RuntimeDep) -> ClockState:
    return ClockState(
        today=await clock.current_day(runtime.store), mode=runtime.platform.clock_mode
    )


@clock_router.post("/advance", response_model=ClockAdvanced, summary="Start the next days")
async def advance_clock(
    body: AdvanceClock, runtime: RuntimeDep, meta: MetadataDep
) -> ClockAdvanced:
    if runtime.platform.clock_mode != "manual":
        raise Conflict("the clock follows the calendar here (MSP_CLOCK_MODE=ticker)")
    today = await clock.current_day(runtime.store)
    if body.to is not None:
        until = body.to
    elif today is None:
        raise DomainError("the clock has not started; give a date with 'to'", field="days")
    else:
        until = today + timedelta(days=body.days or 0)
    started = await clock.advance_to(runtime.store, until, meta)
    return ClockAdvanced(started=started, today=await clock.current_day(runtime.store))

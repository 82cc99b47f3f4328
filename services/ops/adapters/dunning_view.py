"""dunning_view: each case on the board, its stage, amounts, and the next rung with its date."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.ops.adapters.observed import Observation, ObservedView, day, money
from services.ops.adapters.view_tables import dunning_view as t
from services.ops.domain.outlook import TakenStep, next_rung, step_with_action
from shared.contracts.dunning import (
    DunningCaseClosed,
    DunningCaseOpened,
    DunningPaused,
    DunningResumed,
    ReminderIssued,
)
from shared.profile import DunningPolicy
from shared.store.upsert import upsert

# The board's columns, in ladder order; a case only moves right (or to settled).
STAGES = ("overdue", "reminder_1", "reminder_2", "closed_permanently", "deletion_due")
SETTLED = "settled"


class DunningBoardView(ObservedView):
    """Cases from dunning's events; the next step is dated from the profile's ladder."""

    name = "dunning_view"
    tables = [t]

    def __init__(self, policy: DunningPolicy) -> None:
        self.policy = policy

    async def on_DunningCaseOpened(self, conn: AsyncConnection, seen: Observation) -> None:
        m = seen.message
        assert isinstance(m, DunningCaseOpened)
        row: dict[str, Any] = {
            "invoice_number": m.invoice_number,
            "customer_id": m.customer_id,
            "due_date": m.due_date,
            "opened_on": m.opened_on,
            "outstanding": m.outstanding,
            "stage": "overdue",
            "reminders": 0,
            "fees": 0,
            "compensation": 0,
            "steps": [],
            "suspended": 0,
            "paused": False,
            "last_title": None,
            "last_on": None,
            "deadline": m.due_date,
            "pause_reason": None,
            "resumed_on": None,
            "closed_on": None,
            "closed_reason": None,
        }
        row.update(self._outlook(row))
        await upsert(conn, t, row, key=["invoice_number"])

    async def on_ReminderIssued(self, conn: AsyncConnection, seen: Observation) -> None:
        m = seen.message
        assert isinstance(m, ReminderIssued)
        case = await self._case(conn, m.invoice_number)
        if case is None:
            return
        stage = (
            "closed_permanently" if m.collection_notice else f"reminder_{min(m.reminder_number, 2)}"
        )
        steps = [
            *case["steps"],
            {"step": m.step, "on": m.issued_on.isoformat(), "deadline": _iso(m.deadline)},
        ]
        case.update(
            stage=_further(case["stage"], stage),
            reminders=m.reminder_number,
            last_title=m.title,
            last_on=m.issued_on,
            deadline=m.deadline,
            fees=money(case["fees"]) + m.fee,
            compensation=money(case["compensation"]) + m.compensation,
            outstanding=m.outstanding,
            steps=steps,
        )
        await self._save(conn, case)

    async def on_ServiceSuspended(self, conn: AsyncConnection, seen: Observation) -> None:
        case = await self._case(conn, seen.data["invoice_number"])
        if case is not None:
            case.update(
                suspended=case["suspended"] + 1, stage=_further(case["stage"], "reminder_2")
            )
            await self._save(conn, case)

    async def on_ServicePermanentlyClosed(self, conn: AsyncConnection, seen: Observation) -> None:
        case = await self._case(conn, seen.data["invoice_number"])
        if case is not None:
            case.update(stage=_further(case["stage"], "closed_permanently"))
            await self._save(conn, case)

    async def on_HostedDataDeletionDue(self, conn: AsyncConnection, seen: Observation) -> None:
        case = await self._case(conn, seen.data["invoice_number"])
        if case is None:
            return
        step = step_with_action(self.policy, "delete_hosted_data")
        steps = list(case["steps"])
        if step is not None and all(s["step"] != step.id for s in steps):
            steps.append({"step": step.id, "on": seen.data["due_on"], "deadline": None})
        case.update(stage=_further(case["stage"], "deletion_due"), steps=steps)
        await self._save(conn, case)

    async def on_ServiceRestored(self, conn: AsyncConnection, seen: Observation) -> None:
        case = await self._case(conn, seen.data["invoice_number"])
        if case is not None:
            case.update(suspended=max(case["suspended"] - 1, 0))
            await self._save(conn, case)

    async def on_DunningCaseClosed(self, conn: AsyncConnection, seen: Observation) -> None:
        m = seen.message
        assert isinstance(m, DunningCaseClosed)
        case = await self._case(conn, m.invoice_number)
        if case is not None:
            case.update(stage=SETTLED, closed_on=m.closed_on, closed_reason=m.reason, paused=False)
            await self._save(conn, case)

    async def on_DunningPaused(self, conn: AsyncConnection, seen: Observation) -> None:
        m = seen.message
        assert isinstance(m, DunningPaused)
        case = await self._case(conn, m.invoice_number)
        if case is not None:
            case.update(paused=True, pause_reason=m.reason)
            await self._save(conn, case)

    async def on_DunningResumed(self, conn: AsyncConnection, seen: Observation) -> None:
        m = seen.message
        assert isinstance(m, DunningResumed)
        case = await self._case(conn, m.invoice_number)
        if case is not None:
            case.update(paused=False, pause_reason=None, resumed_on=m.resumed_on)
            await self._save(conn, case)

    def _outlook(self, case: dict[str, Any]) -> dict[str, Any]:
        if case["stage"] == SETTLED or case["paused"]:
            return {"next_title": None, "next_on": None}
        taken = [TakenStep(s["step"], day(s["on"]), day(s["deadline"])) for s in case["steps"]]  # type: ignore[arg-type]
        rung = next_rung(self.policy, case["due_date"], taken, case["resumed_on"])
        return (
            {"next_title": rung.title, "next_on": rung.on}
            if rung
            else {"next_title": None, "next_on": None}
        )

    async def _case(self, conn: AsyncConnection, number: int) -> dict[str, Any] | None:
        found = (
            (await conn.execute(select(t).where(t.c.invoice_number == number))).mappings().first()
        )
        return dict(found) if found else None

    async def _save(self, conn: AsyncConnection, case: dict[str, Any]) -> None:
        case.update(self._outlook(case))
        number = case["invoice_number"]
        await conn.execute(update(t).where(t.c.invoice_number == number).values(**case))


def _further(current: str, proposed: str) -> str:
    if current == SETTLED or proposed == SETTLED:
        return SETTLED
    return max(current, proposed, key=STAGES.index)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None

"""Routine service visits (MICO): so many a year from the agreement's start, each with a report."""

from __future__ import annotations

from datetime import date

from services.assets.domain import events as ev
from services.assets.domain.dates import add_months
from shared.domain import Aggregate
from shared.errors import Conflict


def visit_due_on(starts_on: date, visits_per_year: int, number: int) -> date:
    """Visit n (from 1) falls due n times 12 / visits_per_year months after the start."""
    return add_months(starts_on, round(number * 12 / visits_per_year))


class ServicePlan(Aggregate):
    """A customer's routine visits; its id is the customer's id."""

    stream_prefix = "visits"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.starts_on: date | None = None
        self.visits_per_year = 0
        self.announced = 0
        self.completed = 0

    @classmethod
    def schedule(cls, customer_id: str, starts_on: date, visits_per_year: int) -> ServicePlan:
        """Plan the visits; the first falls 12 / visits_per_year months after the start."""
        plan = cls(customer_id)
        plan._record(
            ev.ServiceVisitsScheduled(
                customer_id=customer_id, starts_on=starts_on, visits_per_year=visits_per_year
            )
        )
        return plan

    def due_on(self, number: int) -> date:
        """When visit number n (from 1) falls due."""
        assert self.starts_on is not None
        return visit_due_on(self.starts_on, self.visits_per_year, number)

    @property
    def next_open(self) -> int:
        """The first visit without a condition report."""
        return self.completed + 1

    def announce_due(self, today: date) -> None:
        """Record ServiceVisitDue for every open visit whose day has come."""
        number = max(self.announced, self.completed) + 1
        while self.due_on(number) <= today:
            self._record(
                ev.ServiceVisitDue(customer_id=self.id, number=number, due_on=self.due_on(number))
            )
            number += 1

    def complete(self, condition_report: str, today: date) -> ev.ServiceVisitCompleted:
        """Record the next open visit with its condition report (early visits are allowed)."""
        if self.starts_on is None:
            raise Conflict("the customer has no routine service visits", field="customer_id")
        number = self.next_open
        completed = ev.ServiceVisitCompleted(
            customer_id=self.id,
            number=number,
            due_on=self.due_on(number),
            completed_on=today,
            condition_report=condition_report,
        )
        self._record(completed)
        return completed

    def when_ServiceVisitsScheduled(self, event: ev.ServiceVisitsScheduled) -> None:
        self.starts_on = event.starts_on
        self.visits_per_year = event.visits_per_year

    def when_ServiceVisitDue(self, event: ev.ServiceVisitDue) -> None:
        self.announced = event.number

    def when_ServiceVisitCompleted(self, event: ev.ServiceVisitCompleted) -> None:
        self.completed = event.number

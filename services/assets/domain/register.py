"""The Register aggregate: what the assets context knows of one customer, learnt from agreements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.assets.domain import facts as f
from shared.domain import Aggregate
from shared.errors import DomainError
from shared.privacy import ERASED, Personal, PersonalData

# Subscriptions the register follows: PC security packages and the agreement tier itself.
FOLLOWED_KINDS = ("pc-security", "it-agreement")
ROLE_NAMES = {
    "employee": "an employee",
    "management_approver": "a management approver",
    "finance_contact": "a finance contact",
    "contact": "a contact person",
}


@dataclass(frozen=True)
class Person:
    """A person at the customer; name and e-mail are filled in by `reveal` (else erased)."""

    person_id: str
    role: str
    name: str
    email: str | None
    department_id: str | None
    personal: Personal | None = None


@dataclass
class Package:
    """A followed subscription: its SKU, kind and current quantity."""

    sku: str
    service_kind: str
    quantity: int
    running: bool = True


@dataclass(frozen=True)
class Placement:
    """Where an item sits: a department and/or a person, with the department's name."""

    department_id: str | None
    department: str | None
    employee_id: str | None


class Register(Aggregate):
    """The customer as the assets context knows it; its id is the customer's id."""

    stream_prefix = "register"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.name = ""
        self.finance_email: str | None = None
        self.departments: dict[str, str] = {}
        self.people: dict[str, Person] = {}
        self.profile: str | None = None
        self.tier: str | None = None
        self.packages: dict[str, Package] = {}

    @classmethod
    def open(cls, event: f.AssetRegisterOpened) -> Register:
        """Open the register of a newly registered customer."""
        register = cls(event.customer_id)
        register._record(event)
        return register

    def note_department(self, department_id: str, name: str) -> None:
        """Learn a department (once)."""
        if department_id not in self.departments:
            self._record(
                f.DepartmentNoted(customer_id=self.id, department_id=department_id, name=name)
            )

    def note_person(self, person: f.PersonNoted) -> None:
        """Learn a person (once)."""
        if person.person_id not in self.people:
            self._record(person)

    def forget_person(self, person_id: str) -> None:
        """Erase a known person (once)."""
        person = self.people.get(person_id)
        if person is not None and person.personal is not None:
            self._record(f.PersonForgotten(customer_id=self.id, person_id=person_id))

    def sealed_people(self) -> list[tuple[str, Personal | None]]:
        """Each person's sealed data, for the vault to reveal."""
        return [(p.person_id, p.personal) for p in self.people.values()]

    def reveal(self, revealed: dict[str, PersonalData]) -> None:
        """Fill in the people's names and e-mails as the vault revealed them (not an event)."""
        for person_id, data in revealed.items():
            person = self.people[person_id]
            self.people[person_id] = Person(
                person_id, person.role, data.name, data.email, person.department_id, person.personal
            )

    def recipient_references(self, recipients: list[str]) -> list[str]:
        """Recipients as recorded: a person's e-mail becomes `person:<person_id>`."""
        by_email = {p.email: p.person_id for p in self.people.values() if p.email}
        return [f"person:{by_email[r]}" if r in by_email else r for r in recipients]

    def note_agreement(self, agreement: f.AgreementNoted) -> None:
        """Learn the agreement and its tier."""
        self._record(agreement)

    def note_subscription(self, started: f.SubscriptionNoted) -> None:
        """Learn a PC security or tier subscription (others are not the register's business)."""
        if started.service_kind in FOLLOWED_KINDS and started.subscription_id not in self.packages:
            self._record(started)

    def note_quantity(self, subscription_id: str, quantity: int, effective: date) -> None:
        """Learn a followed subscription's new quantity."""
        if subscription_id in self.packages:
            self._record(
                f.SubscriptionQuantityNoted(
                    customer_id=self.id,
                    subscription_id=subscription_id,
                    quantity=quantity,
                    effective=effective,
                )
            )

    def note_end(self, subscription_id: str, end_date: date) -> None:
        """Learn that a followed subscription ended."""
        if subscription_id in self.packages:
            self._record(
                f.SubscriptionEndNoted(
                    customer_id=self.id, subscription_id=subscription_id, end_date=end_date
                )
            )

    def record_overview(
        self, recipients: list[str], today: date, hardware: int, software: int
    ) -> None:
        """Record that the overview was sent."""
        self._record(
            f.AssetOverviewSent(
                customer_id=self.id,
                recipients=recipients,
                sent_on=today,
                hardware=hardware,
                software=software,
            )
        )

    # Questions the other aggregates ask of the register.

    def placement(
        self, department_id: str | None, employee_id: str | None, prefix: str = ""
    ) -> Placement:
        """A valid placement at this customer; DomainError names the unknown department or person."""
        if department_id is not None and department_id not in self.departments:
            raise DomainError(
                f"{self.name} has no department {department_id}", field=f"{prefix}department_id"
            )
        if employee_id is not None:
            person = self.people.get(employee_id)
            if person is None:
                raise DomainError(
                    f"{self.name} has no person {employee_id}", field=f"{prefix}employee_id"
                )
            if department_id is None:
                department_id = person.department_id
        name = self.departments.get(department_id) if department_id else None
        return Placement(department_id, name, employee_id)

    def approver(self, person_id: str | None) -> Person:
        """The management approver an order comes from; DomainError says why it cannot."""
        approvers = [p for p in self.people.values() if p.role == "management_approver"]
        if not approvers:
            raise DomainError(
                f"{self.name} has no management approver: hardware orders must come from the "
                "customer's management, so add one (role management_approver) first",
                field="approved_by",
            )
        if person_id is None:
            names = ", ".join(f"{p.name} ({p.person_id})" for p in approvers)
            raise DomainError(
                f"a hardware order must name the management approver it comes from: {names}",
                field="approved_by",
            )
        person = self.people.get(person_id)
        if person is None or person.role != "management_approver":
            who = (
                f"{person.name} is {ROLE_NAMES[person.role]}"
                if person
                else f"no person {person_id}"
            )
            raise DomainError(
                f"{who}, not a management approver of {self.name}", field="approved_by"
            )
        return person

    def finance_recipients(self) -> list[str]:
        """Where the hardware workbook goes: the finance e-mail, then finance contacts."""
        found = [self.finance_email] + [
            p.email for p in self.people.values() if p.role == "finance_contact"
        ]
        return list(dict.fromkeys(e for e in found if e))

    def contacts(self, person_id: str | None) -> list[Person]:
        """Contact people with an e-mail (one, if named); DomainError if there is none."""
        if person_id is not None:
            person = self.people.get(person_id)
            if person is None or not person.email:
                raise DomainError(
                    f"no person {person_id} with an e-mail at {self.name}", field="person_id"
                )
            return [person]
        found = [p for p in self.people.values() if p.role == "contact" and p.email]
        if not found:
            raise DomainError(
                f"{self.name} has no contact person with an e-mail; name one with person_id",
                field="person_id",
            )
        return found

    def pc_security_subscribed(self) -> dict[str, int]:
        """Running PC security subscriptions and their quantities."""
        return {
            sid: p.quantity
            for sid, p in self.packages.items()
            if p.running and p.service_kind == "pc-security"
        }

    def tier_in_force(self) -> str | None:
        """The agreement tier, unless its subscription has ended."""
        ended = {
            p.sku
            for p in self.packages.values()
            if p.service_kind == "it-agreement" and not p.running
        }
        running = {
            p.sku for p in self.packages.values() if p.service_kind == "it-agreement" and p.running
        }
        if self.tier in ended and self.tier not in running:
            return None
        return self.tier

    def when_AssetRegisterOpened(self, event: f.AssetRegisterOpened) -> None:
        self.name = event.name
        self.finance_email = event.finance_email

    def when_DepartmentNoted(self, event: f.DepartmentNoted) -> None:
        self.departments[event.department_id] = event.name

    def when_PersonNoted(self, event: f.PersonNoted) -> None:
        self.people[event.person_id] = Person(
            event.person_id, event.role, ERASED, None, event.department_id, event.personal
        )

    def when_PersonForgotten(self, event: f.PersonForgotten) -> None:
        person = self.people[event.person_id]
        self.people[event.person_id] = Person(
            person.person_id, person.role, ERASED, None, person.department_id, None
        )

    def when_AgreementNoted(self, event: f.AgreementNoted) -> None:
        self.profile = event.profile
        self.tier = event.tier

    def when_SubscriptionNoted(self, event: f.SubscriptionNoted) -> None:
        self.packages[event.subscription_id] = Package(
            event.sku, event.service_kind, event.quantity
        )

    def when_SubscriptionQuantityNoted(self, event: f.SubscriptionQuantityNoted) -> None:
        self.packages[event.subscription_id].quantity = event.quantity

    def when_SubscriptionEndNoted(self, event: f.SubscriptionEndNoted) -> None:
        self.packages[event.subscription_id].running = False

    def when_AssetOverviewSent(self, event: f.AssetOverviewSent) -> None:
        pass

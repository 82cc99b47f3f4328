"""The ledger check every fault test ends with: every invoice, fee, suspension and restore once.

Reads each service's event store (all events, in global order, through shared.store) and,
optionally, the vendor simulators' call logs, then checks that what the platform did for
money and for customers' services happened exactly once:

- billing: invoice numbers unique and gapless; one invoice per (customer, kind, issue date,
  due date, regarding invoice); each subscription period, work entry and extra cost on one
  invoice; each payment received, matched and settling once; credit-note numbers unique;
- dunning: one case, one due-date step, one reminder per (invoice, reminder number), one
  suspension / permanent closure / deletion / restore per (invoice, subscription), and per
  subscription suspensions and restores alternate;
- fees: every reminder with a fee, compensation or interest has exactly one fee invoice in
  billing (same customer, day, regarded invoice and amount), and every fee invoice a reminder;
- provisioning: one action per (subscription, operation, invoice), one completion per step,
  each of dunning's decisions carried out by exactly one action, and that action finished;
- ops' event log (what operations see): each public fact observed once;
- the simulators' call logs: no request changed a resource twice, and no resource changed
  more often than provisioning completed steps on it (a licence deactivated twice for one
  suspension is a duplicate).

    ledger = await Ledger.read({"billing": url, ...}, vendor_calls={"plesk": calls})
    print(ledger.summary())
    ledger.assert_exactly_once()
    assert ledger.outcome() == baseline.outcome()
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, is_dataclass
from decimal import Decimal
from typing import Any

from shared.envelope import CloudEvent
from shared.store.engine import make_engine
from shared.store.eventstore import EventStore, StoredEvent

# Which vendor a step of a provisioning plan talks to (plans.py names the steps).
STEP_VENDORS = {
    "licence": "partner_center",
    "hosting": "plesk",
    "antivirus": "eset",
    "monitoring": "rmm",  # superops or ninjaone, whichever is configured
}
RMM_VENDORS = ("superops", "ninjaone")

# Dunning's decisions and the provisioning operation that carries each out.
DECISIONS = {
    "ServiceSuspended": "suspend",
    "ServiceRestored": "restore",
    "ServicePermanentlyClosed": "close",
    "HostedDataDeletionDue": "delete",
}

# Events whose number legitimately depends on timing: claims and failed tries of an action
# (a killed worker's claim lapses and the next worker claims again), and their public echo.
VOLATILE_TYPES = frozenset(
    {
        "ActionClaimed",
        "AttemptFailed",
        "ProvisioningActionFailed",
        "ActionRetryRequested",
        "ProvisioningActionRetried",
    }
)

# Public facts ops must have observed once each, by the fields that identify the fact.
PUBLIC_KEYS: dict[str, tuple[str, ...]] = {
    "DayStarted": ("date",),
    "InvoiceIssued": ("invoice_number",),
    "CreditNoteIssued": ("credit_note_number",),
    "PaymentReceived": ("payment_ref",),
    "InvoicePaid": ("invoice_number",),
    "DueDatePassed": ("invoice_number",),
    "DunningCaseOpened": ("invoice_number",),
    "ReminderIssued": ("invoice_number", "reminder_number"),
    "ServiceSuspended": ("invoice_number", "subscription_id"),
    "ServiceRestored": ("invoice_number", "subscription_id"),
    "ServicePermanentlyClosed": ("invoice_number", "subscription_id"),
    "HostedDataDeletionDue": ("invoice_number", "subscription_id"),
    "DunningCaseClosed": ("invoice_number",),
    "ProvisioningActionQueued": ("action_id",),
    "ProvisioningActionCompleted": ("action_id",),
    "LicenseDeactivated": ("action_id",),
    "LicenseReactivated": ("action_id",),
    "LicenseCancelled": ("action_id",),
    "HostingSuspended": ("action_id",),
    "HostingClosed": ("action_id",),
    "HostingRestored": ("action_id",),
    "HostedDataDeleted": ("action_id",),
    "AntivirusSuspended": ("action_id",),
    "AntivirusRestored": ("action_id",),
    "AntivirusCompanyDeleted": ("action_id",),
    "MonitoringPaused": ("action_id",),
    "MonitoringResumed": ("action_id",),
    "MonitoringDevicesRemoved": ("action_id",),
}

StoreSource = str | EventStore


@dataclass(frozen=True)
class Change:
    """A write that changed a resource at a vendor."""

    request_id: str  # the same on every try of one step of one action
    state: str


@dataclass
class Summary:
    """The figures of one ledger, for a test to print and compare."""

    events: dict[str, int]
    invoices: int
    fee_invoices: int
    invoice_numbers: tuple[int, int] | None
    credit_notes: int
    payments: int
    reminders: int
    fees: int
    fee_total: str
    suspensions: int
    restores: int
    closures: int
    deletions: int
    actions: dict[str, int]
    steps_completed: int
    vendor_changes: dict[str, int]
    observed: int
    problems: int

    def __str__(self) -> str:
        numbers = (
            f"{self.invoice_numbers[0]}..{self.invoice_numbers[1]}" if self.invoice_numbers else "-"
        )
        return (
            f"events {sum(self.events.values())} {self.events}; invoices {self.invoices} "
            f"(+{self.fee_invoices} fee invoices, numbers {numbers}), credit notes "
            f"{self.credit_notes}, payments {self.payments}; reminders {self.reminders} "
            f"({self.fees} with a fee, total {self.fee_total}); suspensions {self.suspensions}, "
            f"restores {self.restores}, closures {self.closures}, deletions {self.deletions}; "
            f"actions {self.actions}, steps {self.steps_completed}; vendor changes "
            f"{self.vendor_changes}; observed by ops {self.observed}; problems {self.problems}"
        )


@dataclass
class Ledger:
    """Every service's events (and the simulators' call logs), checked for exactly once."""

    events: dict[str, list[StoredEvent]]
    vendor_calls: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @classmethod
    async def read(
        cls,
        stores: Mapping[str, StoreSource],
        *,
        vendor_calls: Mapping[str, Iterable[Any]] | None = None,
    ) -> Ledger:
        """Read every event of each service: from a database URL or an EventStore."""
        events: dict[str, list[StoredEvent]] = {}
        for name, source in stores.items():
            if isinstance(source, EventStore):
                events[name] = [e async for e in source.iterate_all()]
                continue
            engine = make_engine(source, pool_size=1)
            try:
                store = EventStore(engine, source=name)
                events[name] = [e async for e in store.iterate_all()]
            finally:
                await engine.dispose()
        calls = {
            vendor: [_call(record) for record in records]
            for vendor, records in (vendor_calls or {}).items()
        }
        return cls(events, calls)

    # Reading -------------------------------------------------------------------------------

    def of(self, service: str, *types: str) -> list[StoredEvent]:
        """A service's events of the given types (all if none), in global order."""
        return [e for e in self.events.get(service, []) if not types or e.type in types]

    def observed(self) -> list[CloudEvent]:
        """The integration events ops logged, as envelopes."""
        return [CloudEvent.model_validate(e.data) for e in self.of("ops", "EventObserved")]

    def customer_names(self) -> dict[str, str]:
        """customer id -> name, from whichever service knows the customer."""
        names: dict[str, str] = {}
        for service, kind in (
            ("billing", "BillingAccountOpened"),
            ("dunning", "DebtorRegistered"),
        ):
            for event in self.of(service, kind):
                names.setdefault(event.data["customer_id"], event.data["name"])
        for envelope in self.observed():
            if envelope.event_name == "CustomerRegistered":
                names.setdefault(envelope.data["customer_id"], envelope.data["name"])
        return names

    # The check -----------------------------------------------------------------------------

    def problems(self) -> list[str]:
        """Everything that did not happen exactly once (empty when all is well)."""
        found: list[str] = []
        if "billing" in self.events:
            found += self._billing()
        if "dunning" in self.events:
            found += self._dunning()
        if "billing" in self.events and "dunning" in self.events:
            found += self._fees()
        if "provisioning" in self.events:
            found += self._provisioning()
        if "ops" in self.events:
            found += self._ops()
        if self.vendor_calls:
            found += self._vendors()
        return found

    def assert_exactly_once(self) -> None:
        """Raise AssertionError listing every duplicate, gap or missing outcome."""
        found = self.problems()
        if found:
            listed = "\n  ".join(found[:60])
            more = f"\n  ... and {len(found) - 60} more" if len(found) > 60 else ""
            raise AssertionError(
                f"the ledger shows {len(found)} problem(s):\n  {listed}{more}\n{self.summary()}"
            )

    def _billing(self) -> list[str]:
        found: list[str] = []
        invoices = self.of("billing", "InvoiceIssued")
        numbers = [e.data["invoice_number"] for e in invoices]
        found += _duplicates("invoice number", numbers)
        if numbers:
            unique = sorted(set(numbers))
            missing = sorted(set(range(unique[0], unique[-1] + 1)) - set(unique))
            if missing:
                found.append(f"invoice numbers have gaps: {missing}")
            if unique[0] != 1:
                found.append(f"invoice numbers start at {unique[0]}, not 1")
        found += _duplicates(
            "invoice for (customer, kind, issue date, due date, regarding)",
            [
                (
                    e.data["customer_id"],
                    e.data["kind"],
                    e.data["issue_date"],
                    e.data["due_date"],
                    e.data.get("regarding_invoice"),
                )
                for e in invoices
            ],
        )
        covered = self.of("billing", "ItemsInvoiced")
        found += _duplicates(
            "ItemsInvoiced for invoice", [e.data["invoice_number"] for e in covered]
        )
        found += _duplicates(
            "subscription period invoiced",
            [(s, start) for e in covered for s, start, _ in e.data["subscription_periods"]],
        )
        found += _duplicates(
            "work entry invoiced", [w for e in covered for w in e.data["work_entries"]]
        )
        found += _duplicates(
            "extra cost invoiced", [c for e in covered for c in e.data["extra_costs"]]
        )
        found += _duplicates(
            "credit note number",
            [e.data["credit_note_number"] for e in self.of("billing", "CreditNoteIssued")],
        )
        found += _duplicates(
            "payment received",
            [e.data["payment_ref"] for e in self.of("billing", "PaymentReceived")],
        )
        found += _duplicates(
            "payment matched", [e.data["payment_ref"] for e in self.of("billing", "PaymentMatched")]
        )
        found += _duplicates(
            "payment applied to invoice",
            [
                (e.data["payment_ref"], e.data["invoice_number"])
                for e in self.of("billing", "PaymentApplied")
            ],
        )
        found += _duplicates(
            "invoice settled",
            [e.data["invoice_number"] for e in self.of("billing", "InvoiceSettled")],
        )
        found += _duplicates(
            "due date passed",
            [e.data["invoice_number"] for e in self.of("billing", "DueDatePassed")],
        )
        found += _duplicates(
            "invoice run completed",
            [e.data["run_date"] for e in self.of("billing", "InvoiceRunCompleted")],
        )
        return found

    def _dunning(self) -> list[str]:
        found: list[str] = []
        found += _duplicates(
            "dunning case opened",
            [e.data["invoice_number"] for e in self.of("dunning", "DunningCaseOpened")],
        )
        reminders = self.of("dunning", "ReminderIssued")
        found += _duplicates(
            "reminder", [(e.data["invoice_number"], e.data["reminder_number"]) for e in reminders]
        )
        found += _duplicates(
            "reminder step", [(e.data["invoice_number"], e.data["step"]) for e in reminders]
        )
        found += _duplicates(
            "ladder step",
            [(e.data["invoice_number"], e.data["step"]) for e in self.of("dunning", "StepTaken")],
        )
        for kind in DECISIONS:
            found += _duplicates(
                kind,
                [
                    (e.data["invoice_number"], e.data["subscription_id"])
                    for e in self.of("dunning", kind)
                ],
            )
        found += _duplicates(
            "dunning case closed",
            [e.data["invoice_number"] for e in self.of("dunning", "DunningCaseClosed")],
        )
        # Per subscription a suspension is followed by a restore (or nothing), never by
        # another suspension: a second case shares the first suspension instead.
        state: dict[str, str] = {}
        for event in self.of("dunning", "ServiceSuspended", "ServiceRestored"):
            subscription = event.data["subscription_id"]
            now = "suspended" if event.type == "ServiceSuspended" else "restored"
            if state.get(subscription, "restored") == now:
                found.append(
                    f"subscription {subscription}: {event.type} on "
                    f"{event.data.get('suspended_on') or event.data.get('restored_on')} "
                    f"while already {now}"
                )
            state[subscription] = now
        return found

    def _fees(self) -> list[str]:
        found: list[str] = []
        charged = Counter(
            (
                e.data["customer_id"],
                e.data["invoice_number"],
                e.data["issued_on"],
                _amount(e.data["fee"])
                + _amount(e.data["compensation"])
                + _amount(e.data["interest"]),
            )
            for e in self.of("dunning", "ReminderIssued")
            if _amount(e.data["fee"])
            + _amount(e.data["compensation"])
            + _amount(e.data["interest"])
            > 0
        )
        invoiced = Counter(
            (
                e.data["customer_id"],
                e.data["regarding_invoice"],
                e.data["issue_date"],
                _amount(e.data["total"]),
            )
            for e in self.of("billing", "InvoiceIssued")
            if e.data["kind"] == "fees"
        )
        for key in sorted(set(charged) | set(invoiced), key=str):
            if charged[key] != invoiced[key]:
                customer, invoice, day, amount = key
                found.append(
                    f"fees of {amount} on {day} for invoice {invoice} ({customer}): "
                    f"{charged[key]} reminder(s), {invoiced[key]} fee invoice(s)"
                )
        return found

    def _provisioning(self) -> list[str]:
        found: list[str] = []
        queued = self.of("provisioning", "ActionQueued")
        found += _duplicates("action queued", [e.data["action_id"] for e in queued])
        found += _duplicates(
            "action for (subscription, operation, invoice)",
            [
                (e.data["subscription_id"], e.data["operation"], e.data["invoice_number"])
                for e in queued
            ],
        )
        found += _duplicates(
            "step completed",
            [
                (e.data["action_id"], e.data["step"])
                for e in self.of("provisioning", "StepCompleted")
            ],
        )
        found += _duplicates(
            "action completed",
            [e.data["action_id"] for e in self.of("provisioning", "ActionCompleted")],
        )
        ended = {
            e.data["action_id"]
            for e in self.of("provisioning", "ActionCompleted", "ActionSuperseded")
        }
        opened = {e.data["task_id"] for e in self.of("provisioning", "ManualTaskOpened")}
        closed = {e.data["task_id"] for e in self.of("provisioning", "ManualTaskCompleted")}
        waiting = {
            e.data["action_id"]
            for e in self.of("provisioning", "ManualTaskOpened")
            if e.data["task_id"] in opened - closed
        }
        for event in queued:
            action = event.data["action_id"]
            if action not in ended and action not in waiting:
                found.append(f"action {action} never finished")
        if "dunning" in self.events:
            actions = Counter(
                (e.data["subscription_id"], e.data["operation"], e.data["invoice_number"])
                for e in queued
            )
            for kind, operation in DECISIONS.items():
                for decision in self.of("dunning", kind):
                    key = (
                        decision.data["subscription_id"],
                        operation,
                        decision.data["invoice_number"],
                    )
                    if actions[key] != 1:
                        found.append(
                            f"{kind} of {key[0]} (invoice {key[2]}) carried out by "
                            f"{actions[key]} provisioning action(s)"
                        )
        return found

    def _ops(self) -> list[str]:
        found: list[str] = []
        observed = self.observed()
        found += _duplicates("event observed by ops", [e.id for e in observed])
        for name, fields in PUBLIC_KEYS.items():
            found += _duplicates(
                f"{name} observed by ops",
                [tuple(e.data.get(f) for f in fields) for e in observed if e.event_name == name],
            )
        seen = Counter(e.event_name for e in observed)
        for service, name in (
            ("billing", "InvoiceIssued"),
            ("dunning", "ReminderIssued"),
            ("dunning", "ServiceSuspended"),
            ("dunning", "ServiceRestored"),
            ("dunning", "ServicePermanentlyClosed"),
            ("provisioning", "ActionQueued"),
        ):
            if service not in self.events:
                continue
            public = "ProvisioningActionQueued" if name == "ActionQueued" else name
            recorded = len(self.of(service, name))
            if seen[public] != recorded:
                found.append(
                    f"{service} recorded {recorded} {name}, ops observed {seen[public]} {public}"
                )
        return found

    def _vendors(self) -> list[str]:
        found: list[str] = []
        changes = self._changes()
        for vendor, per_resource in changes.items():
            for resource, made in per_resource.items():
                found += _duplicates(
                    f"{vendor} {resource}: change by the same request",
                    [c.request_id for c in made if c.request_id],
                )
        if "provisioning" not in self.events:
            return found
        steps = self._steps_per_resource()
        for vendor, per_resource in changes.items():
            kind = "rmm" if vendor in RMM_VENDORS else vendor
            for resource, made in per_resource.items():
                done = steps.get((kind, resource), 0)
                if len(made) > done:
                    found.append(
                        f"{vendor} {resource}: changed {len(made)} times "
                        f"({', '.join(c.state for c in made)}) for {done} completed step(s)"
                    )
        return found

    def _steps_per_resource(self) -> Counter[tuple[str, str]]:
        """(vendor, resource) -> steps provisioning completed there."""
        references: dict[str, dict[str, str]] = {}
        for event in self.of("provisioning", "SubscriptionKnown", "VendorReferenceChanged"):
            references[event.data["subscription_id"]] = event.data["vendor_reference"]
        subscription_of = {
            e.data["action_id"]: e.data["subscription_id"]
            for e in self.of("provisioning", "ActionQueued")
        }
        counted: Counter[tuple[str, str]] = Counter()
        for event in self.of("provisioning", "StepCompleted"):
            kind = STEP_VENDORS.get(event.data["step"].split(".", 1)[0], "manual")
            ref = references.get(subscription_of.get(event.data["action_id"], ""), {})
            resource = {
                "partner_center": f"{ref.get('tenant_id')}/{ref.get('vendor_subscription_id')}",
                "plesk": ref.get("domain"),
                "eset": ref.get("licence_key"),
                "rmm": ref.get("rmm_client"),
            }.get(kind)
            if resource:
                counted[(kind, resource)] += 1
        return counted

    # Figures -------------------------------------------------------------------------------

    def vendor_changes(self) -> dict[str, int]:
        """Per vendor, how many writes changed a resource's state."""
        return {
            vendor: sum(1 for c in calls if c.get("action") and c.get("changed"))
            for vendor, calls in self.vendor_calls.items()
        }

    def _changes(self) -> dict[str, dict[str, list[Change]]]:
        changes: dict[str, dict[str, list[Change]]] = {}
        for vendor, calls in self.vendor_calls.items():
            per: dict[str, list[Change]] = defaultdict(list)
            for call in calls:
                if call.get("action") and call.get("changed") and call.get("resource"):
                    per[call["resource"]].append(
                        Change(call.get("request_id") or "", str(call.get("state")))
                    )
            changes[vendor] = dict(per)
        return changes

    def vendor_states(self) -> dict[str, dict[str, list[str]]]:
        """Per vendor and resource, the states its changes led to, in order."""
        return {
            vendor: {resource: [c.state for c in changes] for resource, changes in per.items()}
            for vendor, per in self._changes().items()
        }

    def type_counts(self, *, volatile: bool = False) -> dict[str, dict[str, int]]:
        """Per service, how many events of each type (ops: of each observed event's name)."""
        counts: dict[str, dict[str, int]] = {}
        for service, stored in self.events.items():
            if service == "ops":
                names = [
                    CloudEvent.model_validate(e.data).event_name
                    if e.type == "EventObserved"
                    else e.type
                    for e in stored
                ]
            else:
                names = [e.type for e in stored]
            counts[service] = dict(
                sorted(Counter(n for n in names if volatile or n not in VOLATILE_TYPES).items())
            )
        return counts

    def summary(self) -> Summary:
        """Counts of everything the check looks at."""
        invoices = self.of("billing", "InvoiceIssued")
        numbers = sorted(e.data["invoice_number"] for e in invoices)
        reminders = self.of("dunning", "ReminderIssued")
        with_fee = [e for e in reminders if _amount(e.data["fee"]) > 0]
        return Summary(
            events={service: len(stored) for service, stored in self.events.items()},
            invoices=sum(1 for e in invoices if e.data["kind"] == "run"),
            fee_invoices=sum(1 for e in invoices if e.data["kind"] == "fees"),
            invoice_numbers=(numbers[0], numbers[-1]) if numbers else None,
            credit_notes=len(self.of("billing", "CreditNoteIssued")),
            payments=len(self.of("billing", "PaymentReceived")),
            reminders=len(reminders),
            fees=len(with_fee),
            fee_total=str(sum((_amount(e.data["fee"]) for e in with_fee), Decimal("0"))),
            suspensions=len(self.of("dunning", "ServiceSuspended")),
            restores=len(self.of("dunning", "ServiceRestored")),
            closures=len(self.of("dunning", "ServicePermanentlyClosed")),
            deletions=len(self.of("dunning", "HostedDataDeletionDue")),
            actions=dict(
                sorted(
                    Counter(
                        e.data["operation"] for e in self.of("provisioning", "ActionQueued")
                    ).items()
                )
            ),
            steps_completed=len(self.of("provisioning", "StepCompleted")),
            vendor_changes=self.vendor_changes(),
            observed=len(self.of("ops", "EventObserved")),
            problems=len(self.problems()),
        )

    def outcome(self) -> dict[str, Any]:
        """What happened, free of generated ids, to compare two runs of one scenario.

        Customers by name, subscriptions by (customer, SKU), invoices by (customer, kind,
        issue date, due date, total): two runs number their invoices in whatever order the
        customers come, so numbers themselves are not compared.
        """
        names = self.customer_names()
        subscriptions: dict[str, tuple[str, str]] = {}
        for service, kind in (
            ("provisioning", "SubscriptionKnown"),
            ("dunning", "SubscriptionKnown"),
        ):
            for event in self.of(service, kind):
                customer = event.data.get("customer_id") or event.meta.get("customer_id") or ""
                subscriptions.setdefault(
                    event.data["subscription_id"],
                    (names.get(customer, customer), event.data["sku"]),
                )
        invoice_keys: dict[int, tuple[str, ...]] = {}
        for event in self.of("billing", "InvoiceIssued"):
            d = event.data
            invoice_keys[d["invoice_number"]] = (
                names.get(d["customer_id"], d["customer_id"]),
                d["kind"],
                d["issue_date"],
                d["due_date"],
                str(_amount(d["total"])),
            )

        def invoice(number: int | None) -> tuple[str, ...] | None:
            return None if number is None else invoice_keys.get(number, ("?", str(number)))

        def subscription(sub: str) -> tuple[str, str]:
            return subscriptions.get(sub, ("?", sub))

        billing = self.of("billing", "InvoiceIssued")
        decisions = {
            kind: sorted(
                (
                    subscription(e.data["subscription_id"]),
                    invoice(e.data["invoice_number"]),
                    str(
                        e.data.get("suspended_on")
                        or e.data.get("restored_on")
                        or e.data.get("closed_on")
                        or e.data.get("due_on")
                    ),
                )
                for e in self.of("dunning", kind)
            )
            for kind in DECISIONS
        }
        finished = {
            e.data["action_id"]: e.type
            for e in self.of("provisioning", "ActionCompleted", "ActionSuperseded")
        }
        steps: dict[str, list[str]] = defaultdict(list)
        for event in self.of("provisioning", "StepCompleted"):
            steps[event.data["action_id"]].append(event.data["step"])
        return {
            "events": self.type_counts(),
            "invoices": sorted(
                (*invoice_keys[e.data["invoice_number"]], invoice(e.data.get("regarding_invoice")))
                for e in billing
            ),
            "payments": sorted(
                (
                    names.get(e.data["customer_id"], e.data["customer_id"]),
                    str(_amount(e.data["credit_balance_added"])),
                )
                for e in self.of("billing", "PaymentMatched")
            ),
            "reminders": sorted(
                (
                    invoice(e.data["invoice_number"]),
                    e.data["reminder_number"],
                    e.data["issued_on"],
                    str(_amount(e.data["fee"])),
                    str(_amount(e.data["compensation"])),
                )
                for e in self.of("dunning", "ReminderIssued")
            ),
            **decisions,
            "actions": sorted(
                (
                    subscription(e.data["subscription_id"]),
                    e.data["operation"],
                    invoice(e.data["invoice_number"]),
                    finished.get(e.data["action_id"], "unfinished"),
                    tuple(steps.get(e.data["action_id"], [])),
                )
                for e in self.of("provisioning", "ActionQueued")
            ),
            "vendor_states": self.vendor_states(),
        }


def outcome_differences(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> list[str]:
    """Readable differences between two outcomes (empty when they match)."""
    found: list[str] = []
    for key in sorted(set(expected) | set(actual)):
        want, got = expected.get(key), actual.get(key)
        if want == got:
            continue
        if isinstance(want, dict) and isinstance(got, dict):
            for inner in sorted(set(want) | set(got)):
                if want.get(inner) != got.get(inner):
                    found.append(
                        f"{key}.{inner}: expected {want.get(inner)!r}, got {got.get(inner)!r}"
                    )
        elif isinstance(want, list) and isinstance(got, list):
            missing = [x for x in want if x not in got]
            extra = [x for x in got if x not in want]
            found.append(f"{key}: missing {missing!r}, extra {extra!r}")
        else:
            found.append(f"{key}: expected {want!r}, got {got!r}")
    return found


def _duplicates(what: str, keys: Sequence[Any]) -> list[str]:
    counted = Counter(_hashable(k) for k in keys)
    return [f"{what} {key!r} happened {n} times" for key, n in counted.items() if n > 1]


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def _amount(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal("0")


def _call(record: Any) -> dict[str, Any]:
    if isinstance(record, Mapping):
        return dict(record)
    if is_dataclass(record) and not isinstance(record, type):
        return asdict(record)
    raise TypeError(f"not a call record: {record!r}")

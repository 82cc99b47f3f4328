"""One line per event that a person in finance or operations can read at a glance."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from shared.money import format_dkk

Describe = Callable[[dict[str, Any]], str]


def _kr(value: Any) -> str:
    return format_dkk(Decimal(str(value or 0)))


def _d(value: Any) -> str:
    return date.fromisoformat(str(value)).strftime("%-d %b %Y") if value else "–"


def _reminder(d: dict[str, Any]) -> str:
    fee = f"fee {_kr(d['fee'])}" if Decimal(str(d.get("fee", 0))) else "no fee"
    extra = (
        f", compensation {_kr(d['compensation'])}" if Decimal(str(d.get("compensation", 0))) else ""
    )
    deadline = f", pay by {_d(d.get('deadline'))}" if d.get("deadline") else ""
    return f"{d.get('title', 'Reminder')} on invoice {d['invoice_number']}: {fee}{extra}{deadline}"


def _failure(error: Any) -> str:
    if isinstance(error, dict):
        status = f" {error['status']}" if error.get("status") else ""
        return f"{error.get('vendor', 'vendor')}{status}: {error.get('message', '')}"
    return str(error)


SUMMARIES: dict[str, Describe] = {
    "CustomerRegistered": lambda d: (
        f"{d['name']} registered" + (f" (CVR {d['cvr']})" if d.get("cvr") else "")
    ),
    "AgreementSigned": lambda d: (
        f"Agreement signed{' – ' + d['tier'].title() if d.get('tier') else ''}"
    ),
    "TrialStarted": lambda d: f"Trial started, work at {_kr(d['work_rate'])}/h",
    "TrialConverted": lambda d: "Trial converted; packages start",
    "SubscriptionStarted": lambda d: (
        f"{d['quantity']} × {d['name']} from {_d(d['start'])} at {_kr(d['unit_price'])}"
    ),
    "SubscriptionQuantityChanged": lambda d: (
        f"Quantity {d['previous_quantity']} → {d['quantity']} from {_d(d['effective'])}"
    ),
    "SubscriptionCancellationRequested": lambda d: (
        f"Notice given on {_d(d['notice_date'])}; ends {_d(d['end_date'])}"
    ),
    "SubscriptionEnded": lambda d: f"Subscription ended {_d(d['end_date'])}",
    "PriceChangeAnnounced": lambda d: (
        f"{d['sku']}: {_kr(d['previous_unit_price'])} → {_kr(d['unit_price'])} from {_d(d['effective_from'])}"
    ),
    "OrderConfirmationIssued": lambda d: f"Order confirmation {d['number']} ({d['reason']})",
    "DepartmentAdded": lambda d: f"Department {d['name']} added",
    "PersonAdded": lambda d: f"{d['role'].replace('_', ' ').capitalize()} added",
    "PersonErased": lambda d: "Person erased: their personal data reads as erased",
    "InvoiceIssued": lambda d: (
        f"{'Fee invoice' if d['kind'] == 'fees' else 'Invoice'} {d['invoice_number']} issued: "
        f"{_kr(d['total'])}, due {_d(d['due_date'])}"
    ),
    "InvoicePaid": lambda d: f"Invoice {d['invoice_number']} paid in full ({_d(d['paid_on'])})",
    "InvoicePartiallyPaid": lambda d: (
        f"Invoice {d['invoice_number']}: {_kr(d['amount'])} paid, {_kr(d['balance'])} still owed"
    ),
    "CreditNoteIssued": lambda d: (
        f"Credit note {d['credit_note_number']} on invoice {d['invoice_number']}: {_kr(d['total'])}"
    ),
    "DueDatePassed": lambda d: (
        f"Invoice {d['invoice_number']} unpaid after {_d(d['due_date'])}: {_kr(d['balance'])} overdue"
    ),
    "InvoiceDisputed": lambda d: (
        f"Invoice {d['invoice_number']} disputed{'' if d.get('in_time') else ' (late)'}: {d['reason']}"
    ),
    "DisputeResolved": lambda d: f"Dispute on invoice {d['invoice_number']} {d['outcome']}",
    "PaymentReceived": lambda d: f"Payment {_kr(d['amount'])} received ({d['method']})",
    "PaymentUnmatched": lambda d: f"Unmatched payment {_kr(d['amount'])}: {d['reason']}",
    "WorkRecorded": lambda d: f"Work recorded: {d['description']} ({_kr(d['amount'])})",
    "ExtraCostApproved": lambda d: (
        f"Extra cost approved by {d['approved_by']}: {d['description']} ({_kr(d['amount'])})"
    ),
    "DunningCaseOpened": lambda d: (
        f"Dunning case opened on invoice {d['invoice_number']}: {_kr(d['outstanding'])}"
    ),
    "ReminderIssued": _reminder,
    "ServiceSuspended": lambda d: f"{d['sku']} suspended (invoice {d['invoice_number']})",
    "ServicePermanentlyClosed": lambda d: (
        f"{d['sku']} closed permanently (invoice {d['invoice_number']})"
    ),
    "HostedDataDeletionDue": lambda d: f"Hosted data of {d['sku']} to be deleted",
    "ServiceRestored": lambda d: (
        f"{d['sku']} to be restored"
        + (f" within {d['restore_within_hours']} h" if d.get("restore_within_hours") else "")
    ),
    "DunningCaseClosed": lambda d: (
        f"Dunning case on invoice {d['invoice_number']} closed ({d['reason']})"
    ),
    "DunningPaused": lambda d: f"Dunning of invoice {d['invoice_number']} paused: {d['reason']}",
    "DunningResumed": lambda d: f"Dunning of invoice {d['invoice_number']} resumed: {d['reason']}",
    "DayStarted": lambda d: (
        f"{_d(d['date'])} started" + ("" if d.get("is_business_day") else " (not a business day)")
    ),
    "HardwareRegistered": lambda d: f"{d['name']} registered (serial {d['serial']})",
    "HardwareMoved": lambda d: (
        f"{d['product_name']} moved {d.get('from_department') or '–'} → {d.get('to_department') or '–'}"
    ),
    "HardwareRetired": lambda d: f"Hardware retired: {d['reason']}",
    "SoftwareRegistered": lambda d: f"{d['name']} ({d['seats']} seats) registered",
    "HardwareWorkbookIssued": lambda d: f"Hardware workbook {d['month']} sent ({d['rows']} rows)",
    "ProvisioningActionQueued": lambda d: (
        f"{d['operation'].capitalize()} {d['sku']} queued: {', '.join(d.get('steps') or [])}"
    ),
    "VendorReferenceMissing": lambda d: (
        f"{d['operation'].capitalize()} {d['sku']} blocked: "
        f"vendor reference missing ({', '.join(d['missing'])})"
    ),
    "ProvisioningActionFailed": lambda d: (
        f"{d['operation'].capitalize()} failed (try {d['attempt']} of {d['attempts_allowed']}): "
        f"{_failure(d['error'])}"
    ),
    "ProvisioningActionDeadLettered": lambda d: (
        f"{d['operation'].capitalize()} dead-lettered after {d['attempts']} tries: {_failure(d['error'])}"
    ),
    "ProvisioningActionRetried": lambda d: f"Retry requested by {d['requested_by']}",
    "ProvisioningActionSuperseded": lambda d: "Superseded by a later, opposite action",
    "ProvisioningActionCompleted": lambda d: (
        f"{d['operation'].capitalize()} completed at the vendors"
    ),
    "HostingRestoreBreached": lambda d: (
        f"Hosting of {d.get('domain') or 'the site'} not restored within {d['restore_within_hours']} h"
    ),
    "LicenseDeactivated": lambda d: f"{d['sku']} suspended at Partner Center ({d['outcome']})",
    "LicenseReactivated": lambda d: f"{d['sku']} active again at Partner Center ({d['outcome']})",
    "LicenseCancelled": lambda d: (
        f"{d['sku']} cancelled at Partner Center ({d['ending'].replace('_', ' ')})"
    ),
    "HostingSuspended": lambda d: f"Hosting of {d['domain']} suspended at Plesk ({d['outcome']})",
    "HostingClosed": lambda d: f"Hosting of {d['domain']} closed at Plesk ({d['outcome']})",
    "HostingRestored": lambda d: (
        f"Hosting of {d['domain']} restored at Plesk"
        + ("" if d.get("within_promise") is not False else " – after the promised hours")
    ),
    "HostedDataDeleted": lambda d: f"{d['domain']} and its data removed from Plesk",
    "AntivirusSuspended": lambda d: f"ESET seats suspended ({d['outcome']})",
    "AntivirusRestored": lambda d: f"ESET seats active again ({d['outcome']})",
    "AntivirusCompanyDeleted": lambda d: "ESET company deleted",
    "MonitoringPaused": lambda d: f"Monitoring paused for {d['rmm_client']}",
    "MonitoringResumed": lambda d: f"Monitoring resumed for {d['rmm_client']}",
    "MonitoringDevicesRemoved": lambda d: f"Devices of {d['rmm_client']} removed from the RMM",
    "ManualTaskOpened": lambda d: f"Manual task: {d['instructions']}",
    "ManualTaskCompleted": lambda d: f"Manual task done by {d['completed_by']}",
}


def describe(name: str, data: dict[str, Any]) -> str:
    """The event's one-line summary; unknown or malformed events show their name."""
    describe_one = SUMMARIES.get(name)
    if describe_one is None:
        return _humanise(name)
    try:
        return describe_one(data)
    except (KeyError, ValueError, TypeError, ArithmeticError):
        return _humanise(name)


def _humanise(name: str) -> str:
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in name).strip()
    return words[:1].upper() + words[1:]

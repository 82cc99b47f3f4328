"""Scenario steps of the billing context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shared.scenario import ScenarioError, ScenarioRun, step


def _customer(run: ScenarioRun, params: dict[str, Any]) -> str:
    return run.resolve(str(params.pop("customer")))


async def _invoice_number(run: ScenarioRun, which: Any, customer: str | None = None) -> int:
    """An invoice by number, by alias, or `latest` (of the customer, if named)."""
    if str(which) != "latest":
        return int(run.resolve(str(which)))
    query = {"customer_id": customer} if customer else {}
    invoices = await run.call("billing", "GET", "/invoices", params=query)
    if not invoices:
        raise ScenarioError("there is no invoice yet")
    return int(invoices[-1]["invoice_number"])


@step("record_work")
async def record_work(run: ScenarioRun, params: dict[str, Any]) -> None:
    """Record work: customer, kind, start, end, km, devices, description."""
    params["customer_id"] = _customer(run, params)
    await run.call("billing", "POST", "/work", json=params)
    await run.platform.settle()


@step("add_extra_cost")
async def add_extra_cost(run: ScenarioRun, params: dict[str, Any]) -> None:
    """Record an extra cost (held until approved): customer, kind, description, quantity, unit_price; 'as'."""
    alias = params.pop("as", None)
    params["customer_id"] = _customer(run, params)
    created = await run.call("billing", "POST", "/extra-costs", json=params)
    if alias:
        run.aliases[alias] = f"{params['customer_id']}/{created['cost_id']}"
    await run.platform.settle()


@step("approve_extra_cost")
async def approve_extra_cost(run: ScenarioRun, params: dict[str, Any]) -> None:
    """Approve an extra cost named with 'as': cost, approved_by."""
    customer_id, cost_id = run.resolve(str(params.pop("cost"))).split("/")
    await run.call(
        "billing", "POST", f"/customers/{customer_id}/extra-costs/{cost_id}/approve", json=params
    )
    await run.platform.settle()


@step("pay")
async def pay(run: ScenarioRun, params: dict[str, Any]) -> None:
    """Pay: invoice (number, alias or `latest`) or payment_id; amount or `full`; paid_on."""
    customer = run.resolve(str(params.pop("customer"))) if "customer" in params else None
    body: dict[str, Any] = {k: params[k] for k in ("paid_on",) if k in params}
    if "payment_id" in params:
        body["reference"] = str(params["payment_id"])
        invoice = None
    else:
        invoice = await _invoice_number(run, params.get("invoice", "latest"), customer)
        body["invoice_number"] = invoice
    amount = params.get("amount", "full")
    if str(amount) == "full":
        if invoice is None:
            raise ScenarioError("amount: full needs an invoice, not a payment_id")
        balance = await run.call("billing", "GET", f"/invoices/{invoice}")
        amount = balance["balance"]
    body["amount"] = str(amount)
    await run.call("billing", "POST", "/payments", json=body)
    await run.platform.settle()


@step("import_bank_statement")
async def import_bank_statement(run: ScenarioRun, params: dict[str, Any]) -> None:
    """Import a camt.053/054 file: file (a path) or xml (inline)."""
    # A scenario reads its own small files; blocking for that is fine in a batch run.
    raw = Path(params["file"]).read_bytes() if "file" in params else str(params["xml"]).encode()  # noqa: ASYNC240
    await run.call(
        "billing",
        "POST",
        "/bank-statements",
        content=raw,
        headers={"content-type": "application/xml"},
    )
    await run.platform.settle()


@step("dispute")
async def dispute(run: ScenarioRun, params: dict[str, Any]) -> None:
    """Dispute an invoice: invoice, reason, received_on."""
    customer = run.resolve(str(params.pop("customer"))) if "customer" in params else None
    number = await _invoice_number(run, params.pop("invoice", "latest"), customer)
    await run.call("billing", "POST", f"/invoices/{number}/disputes", json=params)
    await run.platform.settle()


@step("resolve_dispute")
async def resolve_dispute(run: ScenarioRun, params: dict[str, Any]) -> None:
    """Resolve a dispute: invoice, outcome (rejected | credited), note."""
    customer = run.resolve(str(params.pop("customer"))) if "customer" in params else None
    number = await _invoice_number(run, params.pop("invoice", "latest"), customer)
    await run.call("billing", "POST", f"/invoices/{number}/disputes/resolve", json=params)
    await run.platform.settle()


@step("credit")
async def credit(run: ScenarioRun, params: dict[str, Any]) -> None:
    """Issue a credit note: invoice, reason, lines (omit for the whole invoice)."""
    customer = run.resolve(str(params.pop("customer"))) if "customer" in params else None
    number = await _invoice_number(run, params.pop("invoice", "latest"), customer)
    await run.call("billing", "POST", f"/invoices/{number}/credit-notes", json=params)
    await run.platform.settle()

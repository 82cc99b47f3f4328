"""The billing store's tables: read models, and the invoice number sequence."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Date, Index, Integer, MetaData, Numeric, String, Table

from shared.directory import known_customers_table

metadata = MetaData()

known_customers = known_customers_table(metadata)

# Write side: one row per provider, incremented in the issuing transaction, so numbers are gapless.
invoice_numbers = Table(
    "invoice_numbers",
    metadata,
    Column("provider", String(40), primary_key=True),
    Column("last_number", Integer, nullable=False),
)

invoices = Table(
    "invoices",
    metadata,
    Column("invoice_number", Integer, primary_key=True),
    Column("customer_id", String(36), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("issue_date", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("total", Numeric(14, 2), nullable=False),
    Column("balance", Numeric(14, 2), nullable=False),
    Column("credited", Numeric(14, 2), nullable=False),
    Column("status", String(12), nullable=False),
    Column("due_passed", Boolean, nullable=False),
    Column("dispute", String(12)),
    Column("payment_id", String(15), nullable=False, unique=True),
    Column("paid_on", Date),
    Column("regarding_invoice", Integer),
    Column("document", JSON, nullable=False),
    Index("ix_invoices_customer", "customer_id"),
    Index("ix_invoices_open_due", "status", "due_date"),
    # Matching a payment by amount reads only the invoices of that balance.
    Index("ix_invoices_balance", "balance"),
)

credit_notes = Table(
    "credit_notes",
    metadata,
    Column("credit_note_number", Integer, primary_key=True),
    Column("invoice_number", Integer, nullable=False),
    Column("customer_id", String(36), nullable=False),
    Column("issue_date", Date, nullable=False),
    Column("total", Numeric(14, 2), nullable=False),
    Column("document", JSON, nullable=False),
)

payments = Table(
    "payments",
    metadata,
    Column("payment_ref", String(200), primary_key=True),
    Column("amount", Numeric(14, 2), nullable=False),
    Column("paid_on", Date, nullable=False),
    Column("source", String(12), nullable=False),
    Column("reference", String(400)),
    Column("debtor_name", String(200)),
    Column("statement_id", String(200)),
    Column("status", String(12), nullable=False),
    Column("customer_id", String(36)),
    Column("method", String(200)),
    Column("reason", String(400)),
)

work_entries = Table(
    "work_entries",
    metadata,
    Column("entry_id", String(100), primary_key=True),  # ours are UUIDs; a restore's is longer
    Column("customer_id", String(36), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("description", String(500), nullable=False),
    Column("amount", Numeric(14, 2), nullable=False),
    Column("lines", JSON, nullable=False),
    Column("invoice_number", Integer),
)

extra_costs = Table(
    "extra_costs",
    metadata,
    Column("cost_id", String(36), primary_key=True),
    Column("customer_id", String(36), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("description", String(500), nullable=False),
    Column("amount", Numeric(14, 2), nullable=False),
    Column("incurred_on", Date, nullable=False),
    Column("status", String(12), nullable=False),
    Column("approved_by", String(200)),
    Column("approved_on", Date),
    Column("invoice_number", Integer),
)

billing_subscriptions = Table(
    "billing_subscriptions",
    metadata,
    Column("subscription_id", String(36), primary_key=True),
    Column("customer_id", String(36), nullable=False),
    Column("sku", String(60), nullable=False, index=True),
    Column("billing_period", String(20), nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    Column("customer_id", String(36), primary_key=True),
    Column("credit_balance", Numeric(14, 2), nullable=False),
)

invoice_runs = Table(
    "invoice_runs",
    metadata,
    Column("run_date", Date, primary_key=True),
    Column("status", String(12), nullable=False),
    Column("invoices", Integer, nullable=False),
)

READ_MODELS = (
    invoice_numbers,
    invoices,
    credit_notes,
    payments,
    work_entries,
    extra_costs,
    billing_subscriptions,
    accounts,
    invoice_runs,
)

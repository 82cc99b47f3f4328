"""The kernel tables every service store has: events, outbox, inbox, service state, and the
idempotency keys of write requests."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

# SQLite only autoincrements an INTEGER PRIMARY KEY (the rowid alias).
Position = BigInteger().with_variant(Integer(), "sqlite")
Document = JSON().with_variant(JSONB(), "postgresql")

events = Table(
    "events",
    metadata,
    Column("position", Position, primary_key=True, autoincrement=True),
    # PostgreSQL: the writing transaction's id; readers stay below the oldest running one.
    Column("txid", BigInteger, nullable=False, server_default="0"),
    Column("stream_id", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("type", String(120), nullable=False),
    Column("data", Document, nullable=False),
    Column("meta", Document, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("stream_id", "version", name="uq_events_stream_version"),
    Index("ix_events_txid_position", "txid", "position"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Position, primary_key=True, autoincrement=True),
    Column("txid", BigInteger, nullable=False, server_default="0"),
    Column("topic", String(120), nullable=False),
    Column("key", String(120), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Index("ix_outbox_txid_id", "txid", "id"),
)

inbox = Table(
    "inbox",
    metadata,
    Column("consumer", String(120), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("handled_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox"),
)

service_state = Table(
    "service_state",
    metadata,
    Column("key", String(120), primary_key=True),
    Column("value", Document, nullable=False),
)

# A write request's Idempotency-Key (shared/idempotency.py): claimed in the command's own
# transaction, so a key is taken exactly when its command is stored; the answer's status is
# kept afterwards, for a retry to be told. Added by each service's later revision
# (`create_idempotency_table`), so not among the first revisions' kernel tables.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("key", String(320), primary_key=True),  # the caller's scope and its key
    Column("fingerprint", String(64), nullable=False),  # of the method, path and body
    Column("status", Integer),  # of the answer, once given (never its body: it may hold
    # a person's data revealed or a secret shown once, such as a webhook's)
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_idempotency_keys_created_at", "created_at"),
)

KERNEL_TABLES = (events, outbox, inbox, service_state)

TXID_DEFAULT = "(pg_current_xact_id()::text::bigint)"

"""Event store, outbox and inbox over SQLAlchemy 2 async (SQLite and PostgreSQL)."""

"""The assets domain: pure and synchronous (standard library, pydantic and shared pure helpers)."""

"""Assets handlers: one function per command, a list per event (see consumer.py)."""

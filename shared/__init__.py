"""The kernel every service shares: envelope, store, outbox, inbox, bus, clock, money, auth."""

"""Provisioning's domain: pure and synchronous (actions, plans, timing)."""

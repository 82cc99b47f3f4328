"""The ops service: the event log across services, the clock, the dashboard and webhooks."""

"""Outbound webhooks: endpoints, signed deliveries, retries and replays."""

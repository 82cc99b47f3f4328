"""The operations dashboard: server-rendered pages over ops' own read models."""

"""Reads of ops' read models for the dashboard pages."""

"""Ops' pure rules: webhook retries, signatures and filters; the dunning outlook; aging."""

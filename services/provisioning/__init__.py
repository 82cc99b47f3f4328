"""The provisioning service: suspends, restores, closes and deletes services at the vendors."""

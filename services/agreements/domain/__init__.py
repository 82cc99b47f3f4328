"""The agreements domain: pure and synchronous."""

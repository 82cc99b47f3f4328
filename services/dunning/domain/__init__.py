"""The dunning domain: pure and synchronous."""

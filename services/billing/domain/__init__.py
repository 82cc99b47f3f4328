"""The billing domain: pure and synchronous."""

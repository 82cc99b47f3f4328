"""The dunning service: reminders, fees, suspension, permanent closure, deletion and restore."""

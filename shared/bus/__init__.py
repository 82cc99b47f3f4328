"""The message bus port and its adapters: in-process (embedded) and Kafka (distributed)."""

from shared.bus.port import Bus, Delivery, Handler, Outgoing, dead_letter_topic

__all__ = ["Bus", "Delivery", "Handler", "Outgoing", "dead_letter_topic"]

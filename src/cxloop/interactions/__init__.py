"""Interactions: the timeline, channels, journey stages, sources and every way in."""

from cxloop.interactions.models import Channel, Interaction, JourneyStage, Source
from cxloop.interactions.records import InteractionIn, Rejected, StoreResult

__all__ = [
    "Channel",
    "Interaction",
    "InteractionIn",
    "JourneyStage",
    "Rejected",
    "Source",
    "StoreResult",
]

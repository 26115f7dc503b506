"""Interactions: the timeline, channels, journey stages, sources and every way in."""

from cxloop.interactions.ingest import store_interactions
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
    "store_interactions",
]

from cxloop.hooks import register_builtin as _register
from cxloop.interactions import plugin as _plugin

_register(_plugin, "cxloop.interactions")

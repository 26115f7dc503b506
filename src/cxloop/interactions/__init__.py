"""Interactions: the timeline, channels, journey stages, sources and every way in."""

from cxloop.interactions.events import InteractionsRecorded
from cxloop.interactions.exporting import INTERACTION_COLUMNS, iter_interactions
from cxloop.interactions.importing import (
    INTERACTION_TARGETS,
    import_interactions,
    interaction_mapping,
)
from cxloop.interactions.ingest import store_interactions, store_outcomes
from cxloop.interactions.models import Channel, Interaction, JourneyStage, Source
from cxloop.interactions.native import InteractionBulk, InteractionCreate, Stored, StoredPage
from cxloop.interactions.records import InteractionIn, Rejected, StoreResult
from cxloop.interactions.segment import read_message
from cxloop.interactions.sources import create_source, source_for_write_key, source_summary
from cxloop.interactions.timeline import journey_summary, timeline, timeline_page, without_text
from cxloop.interactions.webhooks import compile_mapping, map_payload

__all__ = [
    "INTERACTION_COLUMNS",
    "INTERACTION_TARGETS",
    "Channel",
    "Interaction",
    "InteractionBulk",
    "InteractionCreate",
    "InteractionIn",
    "InteractionsRecorded",
    "JourneyStage",
    "Rejected",
    "Source",
    "StoreResult",
    "Stored",
    "StoredPage",
    "compile_mapping",
    "create_source",
    "import_interactions",
    "interaction_mapping",
    "iter_interactions",
    "journey_summary",
    "map_payload",
    "read_message",
    "source_for_write_key",
    "source_summary",
    "store_interactions",
    "store_outcomes",
    "timeline",
    "timeline_page",
    "without_text",
]

from cxloop.hooks import register_builtin as _register
from cxloop.interactions import plugin as _plugin

_register(_plugin, "cxloop.interactions")

"""Understanding: every customer text enriched offline — language, personal data redacted,
sentiment, emotion, the company's topics, intent, urgency."""

from cxloop.understanding.analyser import Analyser, Analysis, load_analyser, shared_analyser
from cxloop.understanding.analytics import TextAnalytics, text_analytics
from cxloop.understanding.enrichment import (
    analyse_texts,
    count_stale,
    enrich_interactions,
    get_enrichment,
    ids_for_message_ids,
    stale_interactions,
)
from cxloop.understanding.events import InteractionsEnriched
from cxloop.understanding.models import Enrichment, Topic
from cxloop.understanding.schemas import (
    AnalysisRead,
    EnrichmentRead,
    TopicCreate,
    TopicRead,
    TopicUpdate,
    UnderstandRequest,
    UnderstandResponse,
)
from cxloop.understanding.topics import (
    create_topic,
    delete_topic,
    list_topics,
    read_topic,
    update_topic,
)

__all__ = [
    "Analyser",
    "Analysis",
    "AnalysisRead",
    "Enrichment",
    "EnrichmentRead",
    "InteractionsEnriched",
    "TextAnalytics",
    "Topic",
    "TopicCreate",
    "TopicRead",
    "TopicUpdate",
    "UnderstandRequest",
    "UnderstandResponse",
    "analyse_texts",
    "count_stale",
    "create_topic",
    "delete_topic",
    "enrich_interactions",
    "get_enrichment",
    "ids_for_message_ids",
    "list_topics",
    "load_analyser",
    "read_topic",
    "shared_analyser",
    "stale_interactions",
    "text_analytics",
    "update_topic",
]

from cxloop.hooks import register_builtin as _register
from cxloop.understanding import plugin as _plugin

_register(_plugin, "cxloop.understanding")

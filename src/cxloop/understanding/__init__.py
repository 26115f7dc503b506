"""Understanding: every customer text enriched offline — language, personal data redacted,
sentiment, emotion, the company's topics, intent, urgency."""

from cxloop.understanding.analyser import Analyser, Analysis, load_analyser, shared_analyser
from cxloop.understanding.analytics import TextAnalytics, text_analytics
from cxloop.understanding.encoder import Encoder, Vectors, load_encoder
from cxloop.understanding.enrichment import (
    analyse_texts,
    count_stale,
    enrich_interactions,
    get_enrichment,
    ids_for_message_ids,
    stale_interactions,
)
from cxloop.understanding.events import InteractionsEnriched
from cxloop.understanding.heads import HEAD_FILE, Head, load_head, replace_directory, save_head
from cxloop.understanding.models import Enrichment, Topic
from cxloop.understanding.pii import scrub
from cxloop.understanding.recent_vectors import encode_remembered, forget_vectors, remember
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
    subtopics,
    update_topic,
)
from cxloop.understanding.training.cache import embed_cached
from cxloop.understanding.training.data import Labelled, read_labelled
from cxloop.understanding.training.metrics import classification_report
from cxloop.understanding.training.train import TASK_FEATURES, Recipe, fit_head, out_of_fold

__all__ = [
    "HEAD_FILE",
    "TASK_FEATURES",
    "Analyser",
    "Analysis",
    "AnalysisRead",
    "Encoder",
    "Enrichment",
    "EnrichmentRead",
    "Head",
    "InteractionsEnriched",
    "Labelled",
    "Recipe",
    "TextAnalytics",
    "Topic",
    "TopicCreate",
    "TopicRead",
    "TopicUpdate",
    "UnderstandRequest",
    "UnderstandResponse",
    "Vectors",
    "analyse_texts",
    "classification_report",
    "count_stale",
    "create_topic",
    "delete_topic",
    "embed_cached",
    "encode_remembered",
    "enrich_interactions",
    "fit_head",
    "forget_vectors",
    "get_enrichment",
    "ids_for_message_ids",
    "list_topics",
    "load_analyser",
    "load_encoder",
    "load_head",
    "out_of_fold",
    "read_labelled",
    "read_topic",
    "remember",
    "replace_directory",
    "save_head",
    "scrub",
    "shared_analyser",
    "stale_interactions",
    "subtopics",
    "text_analytics",
    "update_topic",
]

from cxloop.hooks import register_builtin as _register
from cxloop.understanding import plugin as _plugin

_register(_plugin, "cxloop.understanding")

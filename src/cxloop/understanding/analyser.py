"""The enrichment of a batch of texts: clean, detect the language, redact, then score.

Models are loaded once per process (a worker, a server) and shared; everything below works on
batches, because the encoder is fast only on batches. Sentiment and emotion run on the
redacted text, so no model ever sees a card number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from lingua import LanguageDetector

from cxloop.understanding.cleaning import MAX_CHARS, clean
from cxloop.understanding.encoder import Encoder, Vectors, load_encoder
from cxloop.understanding.heads import Head, load_head
from cxloop.understanding.language import build_detector, detect
from cxloop.understanding.pii import find_pii, redact
from cxloop.understanding.recent_vectors import remember
from cxloop.understanding.signals import signals
from cxloop.understanding.taxonomy import MAX_TOPICS, Taxonomy, TopicHit

BUILTIN_HEADS = Path(__file__).parent / "weights"
HEAD_NAMES = ("sentiment", "emotion", "intent", "topic")
TRAINED_TOPIC_MIN = 0.3
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+|\s+(?:but|however|although)\s+", re.I)


@dataclass
class Analysis:
    status: str
    """``done``; ``skipped`` (nothing to analyse); ``unsupported_language`` (not scored)."""
    language: str = "und"
    language_confidence: float = 0.0
    redacted: str = ""
    pii: list[dict[str, Any]] = field(default_factory=list)
    truncated: bool = False
    sentiment: str | None = None
    sentiment_score: float | None = None
    emotion: str | None = None
    emotions: dict[str, float] = field(default_factory=dict)
    intent: str | None = None
    intent_confidence: float | None = None
    topics: list[dict[str, Any]] = field(default_factory=list)
    urgency: str = "low"
    signals: list[str] = field(default_factory=list)
    note: str | None = None


def _score(head: Head, proba: Any) -> float:
    """Sentiment as one number in [-1, 1]: P(positive) - P(negative)."""
    labels = head.labels
    pos = proba[labels.index("positive")] if "positive" in labels else 0.0
    neg = proba[labels.index("negative")] if "negative" in labels else 0.0
    return round(float(pos - neg), 3)


class Analyser:
    def __init__(
        self,
        encoder: Encoder,
        detector: LanguageDetector,
        heads: dict[str, Head],
        *,
        max_chars: int = MAX_CHARS,
    ) -> None:
        self.encoder = encoder
        self.detector = detector
        self.heads = heads
        self.max_chars = max_chars

    @property
    def versions(self) -> dict[str, str]:
        """What produced an enrichment; a change here is what ``backfill`` looks for."""
        versions = {"encoder": self.encoder.version, "language": "lingua-2"}
        versions.update({name: head.version for name, head in sorted(self.heads.items())})
        return versions

    def analyse(self, texts: Sequence[str], taxonomy: Taxonomy | None = None) -> list[Analysis]:
        results: list[Analysis] = []
        scored: list[int] = []
        for text in texts:
            cleaned = clean(text, max_chars=self.max_chars)
            spans = find_pii(cleaned.text)
            analysis = Analysis(
                status="done",
                redacted=redact(cleaned.text, spans),
                pii=[{"kind": s.kind, "start": s.start, "end": s.end} for s in spans],
                truncated=cleaned.truncated,
            )
            if cleaned.binary:
                analysis.status, analysis.note = "skipped", "binary content, not text"
            elif cleaned.truncated:
                analysis.note = f"analysed the first {self.max_chars} characters"
            results.append(analysis)
        candidates = [i for i, a in enumerate(results) if a.status == "done"]
        detected = detect(self.detector, [results[i].redacted for i in candidates])
        for i, language in zip(candidates, detected, strict=True):
            analysis = results[i]
            analysis.language, analysis.language_confidence = language.code, language.confidence
            if not any(c.isalpha() for c in analysis.redacted):
                analysis.status, analysis.note = "skipped", "no words to analyse"
            elif not language.supported:
                analysis.status = "unsupported_language"
                analysis.note = f"language '{language.code}' is not covered by the models"
            else:
                scored.append(i)
        redacted = [results[i].redacted for i in scored]
        vectors = self.encoder.encode(redacted)
        remember(self.encoder.version, redacted, vectors)
        self._score(results, scored, vectors, taxonomy)
        for analysis in results:
            found = signals(analysis.redacted, negative=analysis.sentiment == "negative")
            analysis.signals, analysis.urgency = list(found.found), found.urgency
        return results

    def _score(
        self,
        results: list[Analysis],
        rows: list[int],
        vectors: Vectors,
        taxonomy: Taxonomy | None,
    ) -> None:
        if not rows:
            return
        texts = [results[i].redacted for i in rows]
        sentiment = self.heads.get("sentiment")
        if sentiment is not None:
            proba = sentiment.probabilities(vectors, texts)
            for i, p in zip(rows, proba, strict=True):
                results[i].sentiment = sentiment.labels[int(p.argmax())]
                results[i].sentiment_score = _score(sentiment, p)
        emotion = self.heads.get("emotion")
        if emotion is not None:
            proba = emotion.probabilities(vectors, texts)
            for i, p in zip(rows, proba, strict=True):
                results[i].emotion = emotion.labels[int(p.argmax())]
                results[i].emotions = {
                    label: round(float(v), 3) for label, v in zip(emotion.labels, p, strict=True)
                }
        intent = self.heads.get("intent")
        if intent is not None:
            proba = intent.probabilities(vectors, texts)
            for i, p in zip(rows, proba, strict=True):
                results[i].intent = intent.labels[int(p.argmax())]
                results[i].intent_confidence = round(float(p.max()), 3)
        trained = self.heads.get("topic")
        if trained is not None:
            proba = trained.probabilities(vectors, texts)
            for i, p in zip(rows, proba, strict=True):
                results[i].topics = _trained_topics(results[i], trained.labels, p)
        elif taxonomy is not None and taxonomy.topics:
            hits = dict(zip(rows, taxonomy.match(vectors), strict=True))
            sentences = self._sentence_topics(results, hits, taxonomy)
            for i in rows:
                results[i].topics = _aspects(results[i], hits[i], sentences.get(i, []))

    def _sentence_topics(
        self, results: list[Analysis], hits: dict[int, list[TopicHit]], taxonomy: Taxonomy
    ) -> dict[int, list[tuple[TopicHit, float]]]:
        """Each sentence's best topic and sentiment score, for texts of several sentences that
        touch the taxonomy at all; the sentences of the whole batch go through the encoder
        together, since it is fast only on batches, each encoded on its own (pooling them from
        the text's own pass instead lets the rest of the text colour each sentence)."""
        sentiment = self.heads.get("sentiment")
        owners: list[int] = []
        sentences: list[str] = []
        for i, found in hits.items():
            parts = [s for s in SENTENCE_BREAK.split(results[i].redacted) if s and s.strip()]
            if found and len(parts) > 1:
                owners.extend([i] * len(parts))
                sentences.extend(parts)
        if not sentences or sentiment is None:
            return {}
        vectors = self.encoder.encode_pieces(sentences)
        proba = sentiment.probabilities(vectors, sentences)
        out: dict[int, list[tuple[TopicHit, float]]] = {}
        for owner, sentence_hits, p in zip(owners, taxonomy.match(vectors), proba, strict=True):
            for hit in sentence_hits[:1]:
                out.setdefault(owner, []).append((hit, _score(sentiment, p)))
        return out


def _aspects(
    analysis: Analysis, hits: list[TopicHit], sentences: list[tuple[TopicHit, float]]
) -> list[dict[str, Any]]:
    """The topics of the whole text and of each of its sentences, each with the sentiment
    of the sentences about it (aspect sentiment): "quick delivery, but you charged me
    twice" is positive on delivery and negative on billing. A topic no single sentence
    carries keeps the text's overall sentiment."""
    found = {h.id: h for h in hits}
    by_topic: dict[int, list[float]] = {}
    for hit, sentence_score in sentences:
        found.setdefault(hit.id, hit)
        by_topic.setdefault(hit.id, []).append(sentence_score)
    topics: list[dict[str, Any]] = []
    for hit in sorted(found.values(), key=lambda h: -h.confidence):
        scores = by_topic.get(hit.id)
        score: float | None = float(np.mean(scores)) if scores else analysis.sentiment_score
        topics.append(
            {
                "id": hit.id,
                "name": hit.name,
                "path": hit.path,
                "confidence": hit.confidence,
                "sentiment": _label(score) if scores else analysis.sentiment,
                "sentiment_score": None if score is None else round(score, 3),
            }
        )
    return topics


def _trained_topics(analysis: Analysis, labels: list[str], proba: Any) -> list[dict[str, Any]]:
    """Topics from a model trained on labelled texts (``cxloop model use … --as topic``): it
    replaces the zero-shot taxonomy; labels above ``TRAINED_TOPIC_MIN`` count, best first."""
    ranked = sorted(zip(labels, proba, strict=True), key=lambda pair: -pair[1])
    return [
        {
            "id": None,
            "name": label,
            "path": label,
            "confidence": round(float(value), 3),
            "sentiment": analysis.sentiment,
            "sentiment_score": analysis.sentiment_score,
        }
        for label, value in ranked[:MAX_TOPICS]
        if value >= TRAINED_TOPIC_MIN
    ]


def _label(score: float | None) -> str | None:
    if score is None:
        return None
    return "positive" if score > 0.2 else "negative" if score < -0.2 else "neutral"


def load_heads(deployed: Path) -> dict[str, Head]:
    """A head deployed with ``cxloop model use`` wins over the shipped one of the same name."""
    heads: dict[str, Head] = {}
    for name in HEAD_NAMES:
        for directory in (deployed / name, BUILTIN_HEADS / name):
            if (directory / "head.joblib").is_file():
                heads[name] = load_head(directory)
                break
    return heads


def load_analyser(model_dir: Path, *, max_chars: int = MAX_CHARS) -> Analyser:
    return Analyser(
        load_encoder(model_dir),
        build_detector(),
        load_heads(model_dir / "heads"),
        max_chars=max_chars,
    )


@lru_cache(maxsize=2)
def shared_analyser(model_dir: Path, max_chars: int = MAX_CHARS) -> Analyser:
    """One analyser per process and model directory: loading costs about a second."""
    return load_analyser(model_dir, max_chars=max_chars)

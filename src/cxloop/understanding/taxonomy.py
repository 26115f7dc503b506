"""Zero- and few-shot topic matching: a text is about a topic when its embedding is close to
the topic's prototype, the mean of the embeddings of its name and description and of each
example a company gave. More examples move the prototype towards how customers really talk.

Several topics may fit (multi-label); none fitting is the answer "other", never a forced guess.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cxloop.understanding.encoder import Encoder, Vectors

OTHER = "other"
MIN_SIMILARITY = 0.35
NEAR_BEST = 0.08
MAX_TOPICS = 3
SEPARATOR = " \u203a "  # the single angle quote that breadcrumbs use


@dataclass(frozen=True)
class TopicDef:
    id: int
    name: str
    path: str
    description: str = ""
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class TopicHit:
    id: int
    name: str
    path: str
    confidence: float


class Taxonomy:
    def __init__(self, topics: Sequence[TopicDef], encoder: Encoder) -> None:
        self.topics = list(topics)
        self.prototypes = self._prototypes(encoder)

    def _prototypes(self, encoder: Encoder) -> Vectors:
        if not self.topics:
            return np.zeros((0, 1), dtype=np.float32)
        rows = []
        for topic in self.topics:
            described = f"{topic.path}: {topic.description}" if topic.description else topic.path
            vectors = encoder.encode([described, *topic.examples])
            mean = vectors.mean(axis=0)
            rows.append(mean / max(float(np.linalg.norm(mean)), 1e-9))
        return np.stack(rows).astype(np.float32)

    def match(self, vectors: Vectors) -> list[list[TopicHit]]:
        """For each row, the topics that fit best, most confident first (empty: other)."""
        if not self.topics or len(vectors) == 0:
            return [[] for _ in range(len(vectors))]
        similarity = vectors @ self.prototypes.T
        out: list[list[TopicHit]] = []
        for row in similarity:
            best = float(row.max())
            order = np.argsort(-row)[:MAX_TOPICS]
            out.append(
                [
                    TopicHit(
                        self.topics[i].id,
                        self.topics[i].name,
                        self.topics[i].path,
                        round(float(row[i]), 3),
                    )
                    for i in order
                    if row[i] >= MIN_SIMILARITY and row[i] >= best - NEAR_BEST
                ]
            )
        return out


def fingerprint(topics: Sequence[TopicDef]) -> str:
    """Changes whenever a topic is added, renamed, described or given examples."""
    digest = hashlib.sha256()
    for topic in topics:
        digest.update(repr((topic.id, topic.path, topic.description, topic.examples)).encode())
    return digest.hexdigest()[:16]

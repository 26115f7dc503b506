"""Measure a head on a labelled file. Labels the model never learnt are reported, not crashed on."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from cxloop.errors import ValidationFailed
from cxloop.understanding.encoder import Encoder
from cxloop.understanding.heads import Head
from cxloop.understanding.training.cache import embed_cached
from cxloop.understanding.training.data import Labelled
from cxloop.understanding.training.metrics import classification_report


def evaluate_head(
    head: Head, data: Labelled, encoder: Encoder, cache_dir: Path | None
) -> dict[str, Any]:
    known = set(head.labels)
    keep = [i for i, label in enumerate(data.labels) if label in known]
    unknown = Counter(label for label in data.labels if label not in known)
    if not keep:
        raise ValidationFailed(
            f"none of the labels in the data ({', '.join(sorted(unknown)[:10])}) is one the "
            f"model knows ({', '.join(head.labels)})",
            field="label",
        )
    scored = data.subset(keep)
    vectors = embed_cached(encoder, scored.texts, cache_dir)
    report = classification_report(scored.labels, head.predict(vectors, scored.texts))
    report["model"] = head.version
    report["skipped_unknown_labels"] = dict(sorted(unknown.items()))
    return report

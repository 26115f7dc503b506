"""Aspect sentiment's sentence vectors: are they as good as encoding each sentence on its own?

Texts of two review sentences from ``uci_sentiment_sentences`` (half of opposite polarity,
"mixed", as in "quick delivery, but you charged me twice"; half of the same), split by the
analyser's own sentence rule; each sentence's sentiment from the shipped head is checked
against its label. Measured: the vectors the aspect pass uses (``Encoder.encode_pieces``,
batched by token count) against the baseline of the same sentences through
``Encoder.encode`` (the previous aspect pass), on the same sentences in the same run.

    python bench/understand_aspects.py [--pairs 800] [--data FILE.csv]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import time
from pathlib import Path

import numpy as np

from cxloop.understanding.analyser import BUILTIN_HEADS, SENTENCE_BREAK
from cxloop.understanding.encoder import Vectors, load_encoder
from cxloop.understanding.heads import Head, load_head
from understand import add_paths

_ENDS_A_SENTENCE = re.compile(r"[.!?]$")
LABELS = ("negative", "positive")


def read_pairs(path: Path, count: int) -> tuple[list[str], list[str], list[bool]]:
    """Texts of two one-sentence reviews; each sentence's label; whether the pair is mixed."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [(r["text"].strip(), r["label"]) for r in csv.DictReader(handle)]
    single = [
        (text, label)
        for text, label in rows
        if _ENDS_A_SENTENCE.search(text) and not SENTENCE_BREAK.search(text) and len(text) < 140
    ]
    rng = random.Random(0)
    rng.shuffle(single)
    pools = {label: [text for text, lab in single if lab == label] for label in LABELS}
    texts: list[str] = []
    labels: list[str] = []
    mixed: list[bool] = []
    for k in range(count):
        first = LABELS[k % 2]
        second = LABELS[(k + 1) % 2] if k % 4 < 2 else first
        if len(pools[first]) < 2 or not pools[second]:
            break  # every sentence is used once
        texts.append(f"{pools[first].pop()} {pools[second].pop()}")
        labels += [first, second]
        mixed += [k % 4 < 2] * 2
    return texts, labels, mixed


def accuracy(head: Head, vectors: Vectors, sentences: list[str], labels: list[str]) -> float:
    proba = head.probabilities(vectors, sentences)
    score = proba[:, head.labels.index("positive")] - proba[:, head.labels.index("negative")]
    predicted = np.where(score > 0, "positive", "negative")
    return float((predicted == np.array(labels)).mean())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=800)
    add_paths(parser, "uci_sentiment_sentences/data.csv")
    args = parser.parse_args()
    texts, labels, mixed = read_pairs(args.data, args.pairs)
    sentences = [s for text in texts for s in SENTENCE_BREAK.split(text) if s and s.strip()]
    if len(sentences) != len(labels):
        raise SystemExit("a pair did not split into its two sentences")
    encoder = load_encoder(args.model_dir)
    head = load_head(BUILTIN_HEADS / "sentiment")
    encoder.encode(sentences[:64])

    started = time.perf_counter()
    pieces = encoder.encode_pieces(sentences)
    pieces_s = time.perf_counter() - started
    started = time.perf_counter()
    alone = encoder.encode(sentences)
    alone_s = time.perf_counter() - started

    is_mixed = np.array(mixed)
    picked = [i for i in range(len(labels)) if is_mixed[i]]

    def mixed_accuracy(vectors: Vectors) -> float:
        return accuracy(
            head, vectors[picked], [sentences[i] for i in picked], [labels[i] for i in picked]
        )

    result = {
        "name": "understand_aspects",
        "sentences": len(sentences),
        "accuracy": round(accuracy(head, pieces, sentences, labels), 3),
        "mixed_accuracy": round(mixed_accuracy(pieces), 3),
        "sentences_per_s": round(len(sentences) / pieces_s, 1),
        "baseline_accuracy": round(accuracy(head, alone, sentences, labels), 3),
        "baseline_mixed_accuracy": round(mixed_accuracy(alone), 3),
        "baseline_sentences_per_s": round(len(sentences) / alone_s, 1),
    }
    result["ratio"] = round(result["accuracy"] / result["baseline_accuracy"], 3)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

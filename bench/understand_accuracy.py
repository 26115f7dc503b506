"""Accuracy of the understanding models on the public sets, beside a TF-IDF + logistic
regression baseline computed in the same run (the baseline the issue asks to beat).

- intent, full data: banking77 (train split), 5-fold stratified cross-validation;
- intent, few-shot: 8 examples per intent, measured on all the other banking77 rows;
- built-in sentiment: trained on the shipped sets only, measured on airline_tweets (dev) and
  tweeteval_sentiment; the baseline is TF-IDF + LR trained on the same shipped sets;
- built-in emotion on tweeteval_emotion (optimism counted as joy).

    python bench/understand_accuracy.py [--datasets ../shared/datasets]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import tempfile
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from cxloop.understanding.analyser import BUILTIN_HEADS
from cxloop.understanding.encoder import load_encoder
from cxloop.understanding.heads import load_head
from cxloop.understanding.training.builtin import MAX_ROWS, _subsample, sentiment_data
from cxloop.understanding.training.data import Labelled
from cxloop.understanding.training.evaluate import evaluate_head
from cxloop.understanding.training.train import few_shot_split, train_text_head


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def tfidf_model() -> tuple[TfidfVectorizer, LogisticRegression]:
    return (
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
        LogisticRegression(C=10.0, max_iter=2000),
    )


def tfidf_accuracy(train: Labelled, test: Labelled) -> float:
    vectorizer, model = tfidf_model()
    model.fit(vectorizer.fit_transform(train.texts), train.labels)
    predicted = model.predict(vectorizer.transform(test.texts))
    return float(np.mean(np.array(predicted) == np.array(test.labels)))


def tfidf_cv(data: Labelled, folds: int = 5) -> float:
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    correct = 0
    for train_idx, test_idx in splitter.split(np.zeros(len(data)), data.labels):
        test = data.subset(list(test_idx))
        correct += round(tfidf_accuracy(data.subset(list(train_idx)), test) * len(test))
    return correct / len(data)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--datasets", type=Path, default=Path(__file__).parents[1] / "../shared/datasets"
    )
    args = parser.parse_args()
    d = args.datasets
    model_dir = Path(
        os.environ.get("CXLOOP_MODEL_DIR", Path(tempfile.gettempdir()) / "cxloop-bench-models")
    )
    cache = Path(
        os.environ.get("CXLOOP_CACHE_DIR", Path(tempfile.gettempdir()) / "cxloop-bench-cache")
    )
    encoder = load_encoder(model_dir)
    out: dict[str, object] = {"name": "understand_accuracy"}

    bank = rows(d / "banking77" / "train.csv")
    banking = Labelled([r["text"] for r in bank], [r["category"] for r in bank])
    _, full = train_text_head(task="intent", data=banking, encoder=encoder, cache_dir=cache)
    out["intent_banking77_cv_accuracy"] = full["accuracy"]
    out["baseline_intent_banking77_cv_accuracy"] = round(tfidf_cv(banking), 4)
    _, few = train_text_head(task="intent", data=banking, encoder=encoder, cache_dir=cache, shots=8)
    out["intent_banking77_8shot_accuracy"] = few["accuracy"]
    train_idx, rest_idx = few_shot_split(banking, 8, 0)
    out["baseline_intent_banking77_8shot_accuracy"] = round(
        tfidf_accuracy(banking.subset(train_idx), banking.subset(rest_idx)), 4
    )

    sentiment = load_head(BUILTIN_HEADS / "sentiment", encoder_version=encoder.version)
    shipped = _subsample(sentiment_data(d), MAX_ROWS)
    air = rows(d / "airline_tweets" / "tweets_dev.csv")
    airline = Labelled([r["text"] for r in air], [r["airline_sentiment"] for r in air])
    tw = rows(d / "tweeteval_sentiment" / "data.csv")
    tweeteval = Labelled([r["text"] for r in tw], [r["label"] for r in tw])
    for name, data in (("airline", airline), ("tweeteval", tweeteval)):
        report = evaluate_head(sentiment, data, encoder, cache)
        out[f"sentiment_{name}_accuracy"] = report["accuracy"]
        out[f"sentiment_{name}_macro_f1"] = report["macro_f1"]
        out[f"baseline_sentiment_{name}_accuracy"] = round(tfidf_accuracy(shipped, data), 4)

    emotion = load_head(BUILTIN_HEADS / "emotion", encoder_version=encoder.version)
    te = rows(d / "tweeteval_emotion" / "data.csv")
    as_ours = {"optimism": "joy"}
    tweets = Labelled([r["text"] for r in te], [as_ours.get(r["label"], r["label"]) for r in te])
    report = evaluate_head(emotion, tweets, encoder, cache)
    out["emotion_tweeteval_accuracy"] = report["accuracy"]
    out["emotion_tweeteval_macro_f1"] = report["macro_f1"]
    out["ratio"] = round(
        float(full["accuracy"]) / float(out["baseline_intent_banking77_cv_accuracy"]),
        3,  # type: ignore[arg-type]
    )
    print(json.dumps(out))


if __name__ == "__main__":
    main()

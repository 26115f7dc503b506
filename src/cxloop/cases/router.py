"""The learned router: a head over the understanding encoder that names a department for a
case's text, trained on where people and rules put past cases.

Only cases whose department was chosen by a person (opened into it, or transferred to it) or
by a routing rule teach it: a case the router placed itself and nobody corrected would only
teach it its own guesses, and a transfer made by an SLA escalation says who must hurry, not
who owns the subject. The figures it reports are cross-validated, and include what the
confidence threshold does: how many cases it would place, how many would go to triage, and
how often those it places land right.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import Department
from cxloop.cases.lifecycle import SYSTEM
from cxloop.cases.models import Case, CaseEvent, CaseLink
from cxloop.customers import Customer
from cxloop.errors import ValidationFailed
from cxloop.interactions import Interaction
from cxloop.types import utcnow
from cxloop.understanding import (
    HEAD_FILE,
    TASK_FEATURES,
    Encoder,
    Enrichment,
    Head,
    Labelled,
    Recipe,
    classification_report,
    embed_cached,
    encode_remembered,
    fit_head,
    load_encoder,
    load_head,
    out_of_fold,
    replace_directory,
    save_head,
    scrub,
)

logger = logging.getLogger(__name__)

TASK = "router"
ROUTER_DIR = "router"
MIN_PER_DEPARTMENT = 5
"""Cases a department needs before the router learns it (and five-fold validation works)."""
MAX_CASES = 20_000
"""The most recent cases are what the router learns from: today's organisation, not 2019's."""
THRESHOLDS = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
CHUNK = 1000
# A department is chosen by what the customer asks for, which hinges on words as intents do.
FEATURES = TASK_FEATURES["intent"]


def router_dir(model_dir: Path) -> Path:
    return model_dir / ROUTER_DIR


class LearnedRouter:
    """The deployed router (satisfies :class:`cxloop.cases.routing.Router`)."""

    def __init__(self, head: Head, encoder: Encoder, cache_dir: Path | None = None) -> None:
        self.head = head
        self.encoder = encoder
        self.cache_dir = cache_dir
        """Where evaluation keeps the embeddings of labelled files."""
        self.version = head.version

    @property
    def labels(self) -> list[str]:
        return self.head.labels

    def probabilities(self, texts: Sequence[str]) -> NDArray[np.float64]:
        vectors = encode_remembered(self.encoder, texts)
        return self.head.probabilities(vectors, texts)

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        if not texts:
            return []
        proba = self.probabilities(texts)
        best = proba.argmax(axis=1)
        return [
            (self.head.labels[int(b)], float(row[b])) for b, row in zip(best, proba, strict=True)
        ]


# ---------------------------------------------------------------- what past cases teach


def placed_by(routing: dict[str, Any], last_transfer_actor: str | None) -> str | None:
    """Who chose the department a case is in now: ``person``, ``rule``, or None (the router
    itself, triage, or an escalation), which teaches nothing."""
    if last_transfer_actor is not None:
        return None if last_transfer_actor == SYSTEM else "person"
    by = routing.get("by")
    if by == "hand":
        return "person"
    return "rule" if by == "rule" else None


def past_assignments(session: Session, *, limit: int = MAX_CASES) -> Labelled:
    """The text of each recent case placed by a person or a rule (its cause interactions,
    redacted when understood), labelled with the slug of the department it is in now."""
    transfers = session.execute(
        select(CaseEvent.case_id, CaseEvent.actor)
        .where(CaseEvent.kind == "transferred")
        .order_by(CaseEvent.id)
    )
    last_transfer = {case_id: actor for case_id, actor in transfers}
    chosen: list[tuple[int, str]] = []
    rows = session.execute(
        select(Case.id, Case.routing, Department.slug)
        .join(Department, Department.id == Case.department_id)
        .where(Case.merged_into_id.is_(None))
        .order_by(Case.id.desc())
    )
    for case_id, routing, slug in rows:
        if placed_by(routing or {}, last_transfer.get(case_id)) is not None:
            chosen.append((case_id, slug))
            if len(chosen) >= limit:
                break
    texts = _cause_texts(session, [case_id for case_id, _ in chosen])
    examples = [(texts[case_id], slug) for case_id, slug in reversed(chosen) if texts.get(case_id)]
    return Labelled([t for t, _ in examples], [s for _, s in examples])


def _cause_texts(session: Session, case_ids: list[int]) -> dict[int, str]:
    """Each case's cause texts, scrubbed: the redacted text when enriched (the raw one
    otherwise), and in both the customer's own name, email and phone, which the patterns
    may have missed; the router's files must hold no one's personal data."""
    parts: dict[int, list[str]] = {}
    for chunk in _chunks(case_ids):
        rows = session.execute(
            select(
                CaseLink.case_id,
                Enrichment.redacted,
                Interaction.text,
                Customer.name,
                Customer.email,
                Customer.phone,
            )
            .join(Interaction, Interaction.id == CaseLink.interaction_id)
            .join(Customer, Customer.id == Interaction.customer_id)
            .outerjoin(Enrichment, Enrichment.interaction_id == Interaction.id)
            .where(CaseLink.case_id.in_(chunk), CaseLink.role == "cause")
            .order_by(CaseLink.case_id, Interaction.id)
        )
        for case_id, redacted, text, *person in rows:
            said = scrub((redacted or text or "").strip(), known=[p for p in person if p])
            if said:
                parts.setdefault(case_id, []).append(said)
    return {case_id: "\n".join(said) for case_id, said in parts.items()}


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def enough(examples: Labelled) -> tuple[Labelled, dict[str, int]]:
    """The examples of departments with enough of them, and the count of those left out;
    refuses unless at least two departments remain."""
    counts = Counter(examples.labels)
    left_out = {s: n for s, n in sorted(counts.items()) if n < MIN_PER_DEPARTMENT}
    kept = [i for i, label in enumerate(examples.labels) if label not in left_out]
    if len(counts) - len(left_out) < 2:
        found = ", ".join(f"{s} {n}" for s, n in sorted(counts.items())) or "none"
        raise ValidationFailed(
            f"the router needs at least 2 departments with {MIN_PER_DEPARTMENT} or more "
            f"cases placed by a person or a rule ({2 * MIN_PER_DEPARTMENT} examples at the "
            f"least); found {len(examples)} examples ({found})",
            field="data",
        )
    return examples.subset(kept), left_out


# ---------------------------------------------------------------- figures


def coverage(
    correct: NDArray[np.bool_], confidence: NDArray[np.float64], threshold: float
) -> dict[str, Any]:
    """What a threshold does: the share placed, the share sent to triage, and the accuracy
    of those placed (None when it places nothing)."""
    routed = confidence >= threshold
    n_routed = int(routed.sum())
    share = n_routed / len(correct) if len(correct) else 0.0
    return {
        "threshold": threshold,
        "routed": round(share, 4),
        "triage": round(1 - share, 4),
        "n_routed": n_routed,
        "accuracy_routed": round(float(correct[routed].mean()), 4) if n_routed else None,
    }


def figures(
    truth: Sequence[str], labels: Sequence[str], proba: NDArray[np.float64], threshold: float
) -> dict[str, Any]:
    """Accuracy and macro F1 of the best guess, then the same guesses under the threshold."""
    best = proba.argmax(axis=1)
    predicted = [labels[int(i)] for i in best]
    correct = np.array([p == t for p, t in zip(predicted, truth, strict=True)], dtype=bool)
    confidence = proba.max(axis=1)
    report = classification_report(truth, predicted)
    report["at_threshold"] = coverage(correct, confidence, threshold)
    report["thresholds"] = [coverage(correct, confidence, t) for t in THRESHOLDS]
    return report


# ---------------------------------------------------------------- training


def train_router(
    examples: Labelled,
    *,
    encoder: Encoder,
    model_dir: Path,
    cache_dir: Path | None,
    threshold: float,
    source: str,
    folds: int = 5,
    seed: int = 0,
    say: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Measure by cross-validation, train on every example, deploy under ``model_dir`` (case
    opening picks it up at its next batch), and return the figures (also on the card)."""
    if folds < 2:
        raise ValidationFailed("--folds must be 2 or more", field="folds")
    kept, left_out = enough(examples)
    recipe = Recipe(task=TASK, features=FEATURES, folds=folds, seed=seed)
    say(f"embedding {len(kept)} texts…")
    vectors = embed_cached(encoder, kept.texts, cache_dir)
    say("cross-validating…")
    labels, proba, used = out_of_fold(recipe, kept, vectors)
    report = figures(kept.labels, labels, proba, threshold)
    report["method"] = f"{used}-fold stratified cross-validation"
    say("training on every example…")
    head = fit_head(recipe, kept, vectors, encoder.version)
    trained_at = utcnow()
    head.card = {
        "task": TASK,
        "version": f"{TASK}-{trained_at:%Y%m%d%H%M%S}",
        "trained_at": trained_at.isoformat(timespec="seconds"),
        "source": source,
        "encoder": encoder.version,
        "features": FEATURES,
        "labels": head.labels,
        "trained_rows": len(kept),
        "left_out": left_out,
        "evaluation": report,
    }
    target = router_dir(model_dir)
    replace_directory(target, lambda staging: save_head(head, staging))
    return {
        "model": str(target),
        "version": head.version,
        "source": source,
        "labels": head.labels,
        "left_out": left_out,
        **report,
    }


# ---------------------------------------------------------------- the deployed router

_lock = threading.Lock()
_loaded: dict[Path, tuple[int, LearnedRouter]] = {}


@lru_cache(maxsize=2)
def shared_encoder(model_dir: Path) -> Encoder:
    return load_encoder(model_dir)


def load_router(model_dir: Path, cache_dir: Path) -> LearnedRouter | None:
    """The router deployed under ``model_dir``, or None when none was trained. Loaded once
    per process and again only when a newer one is deployed (its file's mtime changes)."""
    path = router_dir(model_dir) / HEAD_FILE
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    with _lock:
        cached = _loaded.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        encoder = shared_encoder(model_dir)
        try:
            head = load_head(path.parent, encoder_version=encoder.version)
        except ValidationFailed as exc:
            # Cases still open and go to rules or triage; the operator retrains.
            logger.warning("learned router not used: %s", exc.detail)
            return None
        router = LearnedRouter(head, encoder, cache_dir)
        _loaded[path] = (stamp, router)
        return router


def evaluate_router(router: LearnedRouter, data: Labelled, *, threshold: float) -> dict[str, Any]:
    """The deployed router on labelled texts. A department it never learnt counts as it would
    in production, as a miss, and is named in ``unknown_departments``."""
    if not data.texts:
        raise ValidationFailed("no labelled rows to evaluate on", field="data")
    vectors = embed_cached(router.encoder, data.texts, router.cache_dir)
    proba = router.head.probabilities(vectors, data.texts)
    report = figures(data.labels, router.labels, proba, threshold)
    known = set(router.labels)
    unknown = Counter(label for label in data.labels if label not in known)
    report["model"] = router.version
    report["unknown_departments"] = dict(sorted(unknown.items()))
    return report

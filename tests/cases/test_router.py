"""The learned router: what past cases teach it, what it reports, and how case opening uses
it (the real encoder, a small history)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from cxloop.cases import (
    TRIAGE,
    LearnedRouter,
    evaluate,
    evaluate_router,
    load_router,
    past_assignments,
    route_many,
    train_router,
    transfer,
)
from cxloop.cases.router import MIN_PER_DEPARTMENT, router_dir, shared_encoder
from cxloop.errors import ValidationFailed
from cxloop.understanding import Labelled
from tests.cases.factories import (
    directory,
    make_case,
    make_case_rule,
    make_interaction,
    make_team,
    routed_history,
)
from tests.customers.factories import make_customer
from tests.understanding.factories import models_dir
from tests.understanding.model_files import found

THRESHOLD = 0.6


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    return models_dir(tmp_path / "models")


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("embeddings")


def train(examples: Labelled, model_dir: Path, cache_dir: Path, **extra: object) -> dict:
    return train_router(
        examples,
        encoder=shared_encoder(model_dir),
        model_dir=model_dir,
        cache_dir=cache_dir,
        threshold=THRESHOLD,
        source="database",
        **extra,  # type: ignore[arg-type]
    )


def deployed(model_dir: Path, cache_dir: Path) -> LearnedRouter:
    router = load_router(model_dir, cache_dir)
    assert router is not None
    return router


def test_past_cases_placed_by_people_and_rules_teach_it_with_their_department_now(
    session: Session,
) -> None:
    billing, delivery = make_team(session, "billing"), make_team(session, "delivery")
    make_case(session, department=billing, text="charged twice")  # by hand
    make_case(
        session, department=delivery, text="parcel late", routing={"by": "rule", "rule_id": 1}
    )
    moved = make_case(session, department=None, text="where is my refund")  # triage first
    transfer(directory(session), moved, billing.id, actor="lead@example.com")
    make_case(
        session,
        department=billing,
        text="card 4111 1111 1111 1111 was charged",
        redacted="card [CARD] was charged",
    )
    make_case(session, department=None, text="still in triage")
    make_case(
        session,
        department=delivery,
        text="the model put me here",
        routing={"by": "model", "label": "delivery", "confidence": 0.9},
    )
    escalated = make_case(session, department=billing, text="escalated away")
    transfer(directory(session), escalated, delivery.id, actor="system")

    examples = past_assignments(session)

    assert list(zip(examples.texts, examples.labels, strict=True)) == [
        ("charged twice", "billing"),
        ("parcel late", "delivery"),
        ("where is my refund", "billing"),
        ("card [CARD] was charged", "billing"),
    ]


def test_trained_on_the_history_it_places_a_new_text_with_confidence(
    session: Session, model_dir: Path, cache_dir: Path
) -> None:
    routed_history(session)

    report = train(past_assignments(session), model_dir, cache_dir)

    assert report["labels"] == ["accounts", "billing", "delivery"] and report["n"] == 24
    assert report["accuracy"] >= 0.8 and report["macro_f1"] >= 0.8
    assert report["method"] == "5-fold stratified cross-validation"
    at = report["at_threshold"]
    assert at["threshold"] == THRESHOLD and at["routed"] + at["triage"] == pytest.approx(1)
    assert [t["threshold"] for t in report["thresholds"]] == [0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    card = json.loads((model_dir / "router" / "card.json").read_text())
    assert card["task"] == "router" and card["trained_rows"] == 24
    assert (
        card["labels"] == report["labels"] and card["evaluation"]["accuracy"] == report["accuracy"]
    )
    assert card["trained_at"] and card["source"] == "database"

    [(department, confidence)] = deployed(model_dir, cache_dir).predict(
        ["my parcel still has not been delivered"]
    )
    assert department == "delivery" and confidence > 1 / 3


def test_case_opening_routes_by_the_model_when_no_rule_matches_and_triages_the_unsure(
    session: Session, model_dir: Path, cache_dir: Path
) -> None:
    departments = routed_history(session)
    train(past_assignments(session), model_dir, cache_dir)
    router = deployed(model_dir, cache_dir)
    make_case_rule(session, [{"field": "sentiment", "op": "eq", "value": "negative"}])
    parcel = make_interaction(
        session,
        text="the courier never delivered my package",
        enrichment={"sentiment": "negative"},
    )

    [case] = evaluate(session, directory(session), [parcel.id], router=router, threshold=0.0).cases

    assert case.department_id == departments["delivery"].id
    assert case.routing["by"] == "model" and case.routing["label"] == "delivery"
    assert case.routing["model"] == router.version

    [unsure] = route_many(
        directory(session), [({}, "I forgot my password")], router=router, threshold=0.999
    )
    assert (unsure.department_id, unsure.queue) == (None, TRIAGE)
    assert unsure.how["by"] == "triage" and unsure.how["reason"] == "model not confident"
    assert unsure.how["label"] == "accounts"


def test_it_refuses_with_fewer_than_two_departments_and_says_how_many_cases_it_needs(
    session: Session, model_dir: Path, cache_dir: Path
) -> None:
    billing, delivery = make_team(session, "billing"), make_team(session, "delivery")
    for i in range(MIN_PER_DEPARTMENT):
        make_case(session, department=billing, text=f"invoice question {i}")
    for i in range(MIN_PER_DEPARTMENT - 1):
        make_case(session, department=delivery, text=f"parcel question {i}")

    with pytest.raises(ValidationFailed) as refused:
        train(past_assignments(session), model_dir, cache_dir)

    assert refused.value.detail == (
        "the router needs at least 2 departments with 5 or more cases placed by a person or "
        "a rule (10 examples at the least); found 9 examples (billing 5, delivery 4)"
    )
    assert load_router(model_dir, cache_dir) is None


def test_a_department_with_too_few_cases_is_left_out_and_named(
    model_dir: Path, cache_dir: Path
) -> None:
    examples = Labelled(
        [f"invoice {i} charged twice" for i in range(6)]
        + [f"parcel {i} is late" for i in range(6)]
        + ["the shop smelled funny", "rude clerk"],
        ["billing"] * 6 + ["delivery"] * 6 + ["stores"] * 2,
    )

    report = train(examples, model_dir, cache_dir, folds=3)

    assert report["labels"] == ["billing", "delivery"] and report["left_out"] == {"stores": 2}
    assert report["method"] == "3-fold stratified cross-validation"


def test_it_is_loaded_once_and_again_when_retrained(model_dir: Path, cache_dir: Path) -> None:
    assert load_router(model_dir, cache_dir) is None
    examples = Labelled(
        [f"invoice {i} charged twice" for i in range(5)] + [f"parcel {i} late" for i in range(5)],
        ["billing"] * 5 + ["delivery"] * 5,
    )
    train(examples, model_dir, cache_dir)
    first = deployed(model_dir, cache_dir)
    assert deployed(model_dir, cache_dir) is first

    train(examples, model_dir, cache_dir, seed=1)

    assert deployed(model_dir, cache_dir) is not first
    assert not (model_dir / "router.new").exists() and not (model_dir / "router.old").exists()


def test_evaluation_on_labelled_texts_counts_unknown_departments_as_misses(
    model_dir: Path, cache_dir: Path
) -> None:
    texts = {
        "billing": ["you charged me twice", "refund my money", "wrong amount on my invoice"],
        "delivery": ["my parcel is late", "the courier lost my package", "still not delivered"],
    }
    train(
        Labelled(
            [t for ts in texts.values() for t in ts * 2],
            [label for label, ts in texts.items() for _ in ts * 2],
        ),
        model_dir,
        cache_dir,
        folds=2,
    )
    router = deployed(model_dir, cache_dir)

    report = evaluate_router(
        router,
        Labelled(
            ["please refund the double charge", "where is my package", "the store was dirty"],
            ["billing", "delivery", "stores"],
        ),
        threshold=0.0,
    )

    assert report["n"] == 3 and report["accuracy"] == pytest.approx(2 / 3, abs=1e-3)
    assert report["unknown_departments"] == {"stores": 1} and report["model"] == router.version
    assert report["at_threshold"] == {
        "threshold": 0.0,
        "routed": 1.0,
        "triage": 0.0,
        "n_routed": 3,
        "accuracy_routed": pytest.approx(2 / 3, abs=1e-3),
    }


PERSON = ("annika", "lindqv", "lindqvist@", "345678")
"""Pieces of the name, email and phone below, short enough to show in character n-grams."""


def test_the_router_files_hold_none_of_a_customers_personal_data(
    session: Session, model_dir: Path, cache_dir: Path
) -> None:
    """A person's name (said without a cue a pattern would know), email and phone in the texts
    the router learns from: the deployed folder holds none of them, yet holds the words it
    learnt (so the search does see inside the head)."""
    departments = routed_history(session)
    annika = make_customer(
        session, name="Annika Lindqvist", email="annika.lindqvist@example.com",
        phone="+31612345678",
    )  # fmt: skip
    for n in range(MIN_PER_DEPARTMENT):
        make_case(
            session, department=departments["billing"], customer=annika,
            text=f"Annika Lindqvist again about refund {n}, mail annika.lindqvist@example.com "
            "or call +31 6 12345678",
        )  # fmt: skip

    train(past_assignments(session), model_dir, cache_dir)

    assert found(router_dir(model_dir), list(PERSON)) == []
    assert found(router_dir(model_dir), ["refund", "password"]) == ["refund", "password"]

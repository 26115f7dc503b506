"""Shared models for understanding tests, and the small labelled files they train on."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from cxloop.settings import Settings
from cxloop.understanding import TopicCreate, TopicRead, create_topic, load_encoder
from cxloop.understanding.encoder import graph_path
from cxloop.understanding.heads import save_head
from cxloop.understanding.taxonomy import SEPARATOR
from cxloop.understanding.training.data import Labelled
from cxloop.understanding.training.train import train_text_head

# Built once per machine and kept between runs and test processes: the int8 export takes
# seconds, loading it afterwards well under one.
MODEL_DIR = Path(tempfile.gettempdir()) / "cxloop-test-models"

INTENT_EXAMPLES = {
    "refund": [
        "I want my money back",
        "please refund my order",
        "how do I get a refund",
        "refund the double charge",
        "can I return this and get reimbursed",
        "give me back what I paid",
        "I need a refund for the broken item",
        "where is my refund",
    ],
    "delivery": [
        "where is my parcel",
        "my package has not arrived",
        "when will my order be delivered",
        "the courier never came",
        "tracking says delivered but nothing here",
        "how long does shipping take",
        "my delivery is late",
        "can you deliver on saturday",
    ],
    "password": [
        "I forgot my password",
        "reset my password please",
        "cannot log in to my account",
        "the login page rejects my password",
        "how do I change my password",
        "locked out of my account",
        "password reset email never arrived",
        "my login does not work",
    ],
}


def models_dir(path: Path) -> Path:
    """A model directory of its own (for a router or deployed heads) that shares the test
    encoder: the int8 graph is linked from the machine-wide test models, built there once.
    What a test deploys stays there, out of the way of tests in other processes."""
    load_encoder(MODEL_DIR)
    path.mkdir(parents=True, exist_ok=True)
    link = graph_path(path)
    if not link.exists():
        link.symlink_to(graph_path(MODEL_DIR))
    return path


def deploy_intent_head(model_dir: Path) -> None:
    """The refund / delivery / password head of ``INTENT_EXAMPLES``, deployed as ``intent``
    in ``model_dir`` (as ``cxloop model use … --as intent`` would)."""
    rows = intent_rows()
    data = Labelled([text for text, _ in rows], [label for _, label in rows])
    head, _report = train_text_head(
        task="intent", data=data, encoder=load_encoder(model_dir), cache_dir=None
    )
    save_head(head, model_dir / "heads" / "intent")


def path(*names: str) -> str:
    """A topic path as the API shows it (Billing > Unexpected charge, with an angle quote)."""
    return SEPARATOR.join(names)


def settings_for(data_dir: Path, **extra: object) -> Settings:
    return Settings(
        data_dir=data_dir,
        secret_key="test-secret-key",
        model_dir=MODEL_DIR,
        **extra,  # type: ignore[arg-type]
    )


def write_labelled(path: Path, rows: list[tuple[str, str]], header=("text", "label")) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def intent_rows() -> list[tuple[str, str]]:
    return [(text, label) for label, texts in INTENT_EXAMPLES.items() for text in texts]


def make_topic(
    session: Session,
    name: str,
    *,
    description: str = "",
    parent: TopicRead | None = None,
    examples: list[str] | None = None,
) -> TopicRead:
    return create_topic(
        session,
        data=TopicCreate(
            name=name,
            description=description,
            parent_id=parent.id if parent else None,
            examples=examples or [],
        ),
    )


def make_billing_and_delivery(session: Session) -> tuple[TopicRead, TopicRead, TopicRead]:
    billing = make_topic(session, "Billing", description="invoices, charges and payments")
    charge = make_topic(
        session,
        "Unexpected charge",
        parent=billing,
        description="charged twice or more than expected",
        examples=["you charged me twice", "there is a fee I did not agree to"],
    )
    delivery = make_topic(
        session,
        "Delivery",
        description="parcels, couriers and shipping delays",
        examples=["my parcel is late", "the courier lost my package"],
    )
    return billing, charge, delivery

"""Erasing a demo customer: no table, export, lake file or other file cxloop wrote still holds
their email, phone or name, and the metrics count what they counted before."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

from cxloop.customers import Customer, iter_customers
from cxloop.customers.exporting import CUSTOMER_COLUMNS
from cxloop.demo import load_demo
from cxloop.insights import extract_all, write_lake
from cxloop.interactions import Interaction, iter_interactions
from cxloop.interactions.exporting import INTERACTION_COLUMNS
from cxloop.privacy import fulfil, open_request, record_export
from cxloop.settings import get_settings
from cxloop.store.base import Base
from cxloop.store.tabular import write_rows

EXPORTS = ("people.csv", "people.xlsx", "interactions.jsonl", "interactions.parquet")


@pytest.fixture
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    monkeypatch.setenv("CXLOOP_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture
def demo(connection: Connection, data_dir: Path) -> Iterator[Session]:
    load_demo(
        connection, password="demo-password-1", seed=11, customers=40,
        now=datetime(2025, 6, 1, tzinfo=UTC),
    )  # fmt: skip
    with Session(connection) as session:
        yield session


def _exports(session: Session, folder: Path) -> list[Path]:
    """What an operator exports, as ``cxloop export`` writes and audits it."""
    folder.mkdir()
    written = []
    for name in EXPORTS:
        path = folder / name
        fmt = path.suffix[1:]
        if name.startswith("people"):
            write_rows(path, fmt, CUSTOMER_COLUMNS, iter_customers(session))  # type: ignore[arg-type]
        else:
            write_rows(path, fmt, INTERACTION_COLUMNS, iter_interactions(session))  # type: ignore[arg-type]
        record_export(session, actor="cli:ops", what=name, path=path)
        written.append(path)
    lake = folder / "lake"
    write_lake(session, lake)
    record_export(session, actor="cli:ops", what="lake", path=lake)
    return written


def _person(session: Session) -> Customer:
    """A demo customer with a name, an email, a phone and things they wrote."""
    wrote = select(Interaction.customer_id).where(Interaction.text.is_not(None))
    return session.scalars(
        select(Customer)
        .where(Customer.email.is_not(None), Customer.phone.is_not(None), Customer.id.in_(wrote))
        .order_by(Customer.id)
    ).first()  # type: ignore[return-value]


def _counts(session: Session) -> dict[str, object]:
    """What the metrics count: rows of every analytic table, and the scores in them."""
    tables = extract_all(session)
    counts: dict[str, object] = {name: t.num_rows for name, t in tables.items()}
    for score in ("nps", "csat", "ces"):
        counts[score] = tables["responses"][score].null_count
    counts["interactions_in_db"] = session.scalar(select(func.count()).select_from(Interaction))
    return counts


def _everywhere(session: Session, root: Path, secrets: list[str]) -> list[str]:
    found = []
    for table in Base.metadata.sorted_tables:
        dump = " ".join(str(r) for r in session.execute(text(f"SELECT * FROM {table.name}")))
        found += [f"{s} in table {table.name}" for s in secrets if s in dump]
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{s} in {path}" for s in secrets if s.encode() in data]
    return found


def test_after_erasure_nothing_holds_the_person_and_counts_agree(
    demo: Session, data_dir: Path
) -> None:
    session = demo
    person = _person(session)
    secrets = [str(person.email), str(person.phone), str(person.name)]
    exports = _exports(session, data_dir / "exports")
    assert _everywhere(session, data_dir, secrets), "the person must be there to start with"
    before = _counts(session)

    request = open_request(session, customer_id=person.id, kind="erasure", requested_by="dpo@co")
    fulfil(session, request, archive_dir=data_dir / "data" / "archives", actor="dpo@co")
    session.expire_all()

    assert _everywhere(session, data_dir, secrets) == []
    assert _counts(session) == before
    assert request.summary["files"] >= len(exports)
    assert all(p.exists() for p in exports), "exports are rewritten, not thrown away"

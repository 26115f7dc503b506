"""Data subject requests: export finds everything, erasure leaves no personal data behind."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from cxloop.customers import Customer, Identity, key
from cxloop.errors import Conflict, ValidationFailed
from cxloop.interactions import Interaction, store_interactions
from cxloop.privacy import AuditEntry, fulfil, open_request, record_consent
from tests.customers.factories import make_customer, merge_into
from tests.interactions.factories import make_interaction
from tests.interactions.records_factory import record

EMAIL = "ana.silva@example.com"
PHONE = "+351912345678"
NAME = "Ana Silva"


@pytest.fixture
def ana(session: Session) -> Customer:
    customer = make_customer(
        session,
        name=NAME,
        email=EMAIL,
        phone=PHONE,
        traits={"plan": "family", "city": "Porto"},
        identities=[("user_id", "u-ana")],
    )
    old_profile = make_customer(session, name=NAME, email="ana@old.example.com")
    merge_into(session, old_profile, customer)
    for n in range(3):
        make_interaction(
            session,
            customer_id=customer.id,
            channel="email",
            text=f"Hello, this is {NAME}, call me on {PHONE} ({n})",
            properties={"from": EMAIL},
        )
    record_consent(
        session, customer_id=customer.id, purpose="marketing", granted=True, source="web"
    )
    return customer


def test_an_export_archive_holds_everything_on_the_person(
    session: Session, ana: Customer, tmp_path: Path
) -> None:
    request = open_request(session, customer_id=ana.id, kind="export", requested_by="dpo@co")
    fulfil(session, request, archive_dir=tmp_path, actor="dpo@co")

    assert request.status == "completed"
    archive = orjson.loads(Path(str(request.archive_path)).read_bytes())
    assert {p["email"] for p in archive["profiles"]} == {EMAIL, "ana@old.example.com"}
    assert {(i["kind"], i["value"]) for i in archive["identities"]} >= {
        ("email", EMAIL),
        ("phone", PHONE),
        ("user_id", "u-ana"),
    }
    assert len(archive["interactions"]) == 3
    assert archive["consents"][0]["purpose"] == "marketing"
    assert request.summary["interactions"] == 3
    assert (request.due_at - request.received_at).days == 30


def test_erasure_leaves_no_personal_data_and_keeps_counts(
    session: Session, ana: Customer, tmp_path: Path
) -> None:
    export = open_request(session, customer_id=ana.id, kind="export", requested_by="dpo@co")
    fulfil(session, export, archive_dir=tmp_path, actor="dpo@co")
    interactions_before = session.scalar(select(func.count()).select_from(Interaction))

    erasure = open_request(session, customer_id=ana.id, kind="erasure", requested_by="dpo@co")
    fulfil(session, erasure, archive_dir=tmp_path, actor="dpo@co")
    session.expire_all()

    assert session.scalar(select(func.count()).select_from(Interaction)) == interactions_before
    for table in ("customers", "identities", "interactions"):
        dump = " ".join(str(row) for row in session.execute(text(f"SELECT * FROM {table}")))
        for secret in (EMAIL, PHONE, NAME, "Porto", "u-ana"):
            assert secret not in dump, f"{secret} still in {table}"
    assert not list(tmp_path.iterdir()), "the earlier export archive must be deleted"
    assert erasure.summary["identities"] == 4
    assert erasure.summary["archives"] == 1


def test_erasure_in_delete_mode_removes_the_interactions(session: Session, ana: Customer) -> None:
    erasure = open_request(
        session, customer_id=ana.id, kind="erasure", requested_by="dpo@co", mode="delete"
    )
    fulfil(session, erasure, archive_dir=Path("unused"), actor="dpo@co")

    remaining = select(func.count()).where(Interaction.customer_id == ana.id)
    assert session.scalar(remaining) == 0


def test_requests_and_their_outcome_are_audited(
    session: Session, ana: Customer, tmp_path: Path
) -> None:
    request = open_request(session, customer_id=ana.id, kind="erasure", requested_by="dpo@co")
    fulfil(session, request, archive_dir=tmp_path, actor="dpo@co")

    actions = list(
        session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.target_id == str(ana.id))
            .order_by(AuditEntry.id)
        )
    )
    assert actions == ["request.erasure.received", "request.erasure.completed"]


def test_a_request_runs_once(session: Session, ana: Customer, tmp_path: Path) -> None:
    request = open_request(session, customer_id=ana.id, kind="export", requested_by="dpo@co")
    fulfil(session, request, archive_dir=tmp_path, actor="dpo@co")

    with pytest.raises(Conflict):
        fulfil(session, request, archive_dir=tmp_path, actor="dpo@co")


def test_bad_requests_name_the_field(session: Session, ana: Customer) -> None:
    with pytest.raises(ValidationFailed) as kind:
        open_request(session, customer_id=ana.id, kind="forget", requested_by="x")
    with pytest.raises(ValidationFailed) as mode:
        open_request(session, customer_id=ana.id, kind="erasure", requested_by="x", mode="shred")
    assert (kind.value.extra["field"], mode.value.extra["field"]) == ("kind", "mode")


def test_identities_are_gone_so_a_new_event_starts_a_new_profile(
    session: Session, ana: Customer, tmp_path: Path
) -> None:
    request = open_request(session, customer_id=ana.id, kind="erasure", requested_by="dpo@co")
    fulfil(session, request, archive_dir=tmp_path, actor="dpo@co")

    assert session.scalar(select(func.count()).where(Identity.value == EMAIL)) == 0


def test_events_after_an_erasure_start_a_new_profile_and_never_revive_the_old(
    session: Session, ana: Customer, tmp_path: Path
) -> None:
    request = open_request(session, customer_id=ana.id, kind="erasure", requested_by="dpo@co")
    fulfil(session, request, archive_dir=tmp_path, actor="dpo@co")

    result = store_interactions(
        session,
        [record(key("user_id", "u-ana"), key("email", EMAIL), message_id="after-erasure")],
    )

    [new_id] = result.customer_ids
    assert new_id is not None and new_id != ana.id
    session.expire_all()
    erased = session.get(Customer, ana.id)
    assert erased is not None and (erased.name, erased.email, erased.traits) == (None, None, {})

"""A person's cases in data subject requests, merges and retention."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import orjson
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from cxloop.cases import Case, CaseDraft, add_note, open_cases, set_status
from cxloop.hooks import get_plugin_manager
from cxloop.privacy import apply_retention, fulfil, open_request, set_policy
from cxloop.types import utcnow
from tests.cases.factories import directory, make_interaction
from tests.customers.factories import make_customer

SECRET = "Ana Silva's address is 12 Rua Augusta"


def ana_with_a_case(session: Session, email: str = "ana@example.com"):
    ana = make_customer(session, name="Ana Silva", email=email)
    cause = make_interaction(session, customer=ana, text="Where is my refund?")
    draft = CaseDraft(
        customer_id=ana.id, subject=SECRET, channel="email", interaction_ids=[cause.id]
    )
    [case] = open_cases(session, directory(session), [draft])
    add_note(session, case, f"Called her: {SECRET}", actor="sam@example.com")
    session.flush()
    return ana, case


def test_an_export_holds_the_persons_cases_and_their_history(
    session: Session, tmp_path: Path
) -> None:
    ana, _case = ana_with_a_case(session)
    request = open_request(session, customer_id=ana.id, kind="export", requested_by="dpo")
    fulfil(session, request, archive_dir=tmp_path, actor="dpo")

    archive = orjson.loads(Path(str(request.archive_path)).read_bytes())
    assert [c["subject"] for c in archive["cases"]] == [SECRET]
    assert "note" in {e["kind"] for e in archive["case_events"]}


def test_erasure_keeps_the_case_for_the_metrics_but_not_what_was_written(
    session: Session, tmp_path: Path
) -> None:
    ana, case = ana_with_a_case(session)
    request = open_request(session, customer_id=ana.id, kind="erasure", requested_by="dpo")
    fulfil(session, request, archive_dir=tmp_path, actor="dpo")
    session.expire_all()

    assert session.get(Case, case.id).status == "new"
    for table in ("cases", "case_events", "case_messages"):
        dump = " ".join(str(row) for row in session.execute(text(f"SELECT * FROM {table}")))
        assert "Rua Augusta" not in dump, f"still in {table}"


def test_erasure_in_delete_mode_removes_the_cases(session: Session, tmp_path: Path) -> None:
    ana, _case = ana_with_a_case(session)
    request = open_request(
        session, customer_id=ana.id, kind="erasure", requested_by="dpo", mode="delete"
    )
    fulfil(session, request, archive_dir=tmp_path, actor="dpo")
    assert session.scalar(select(func.count()).where(Case.customer_id == ana.id)) == 0


def test_a_merge_brings_the_cases_along(session: Session) -> None:
    ana, case = ana_with_a_case(session)
    winner = make_customer(session)
    # What identity resolution calls on every domain when two profiles turn out to be one.
    get_plugin_manager().hook.cxloop_customers_merged(
        session=session, winner_id=winner.id, loser_id=ana.id
    )
    session.expire_all()
    assert session.get(Case, case.id).customer_id == winner.id


def test_retention_anonymizes_old_finished_cases_only(session: Session) -> None:
    _, old = ana_with_a_case(session)
    _, active = ana_with_a_case(session, email="ana.other@example.com")
    set_status(directory(session), old, "closed", actor="sam")
    old.created_at = utcnow() - timedelta(days=400)
    active.created_at = utcnow() - timedelta(days=400)
    session.flush()
    set_policy(session, kind="cases", days=365, action="anonymize", actor="dpo")

    apply_retention(session, dry_run=False, actor="dpo")
    session.expire_all()

    assert session.get(Case, old.id).subject == "[erased]"
    assert session.get(Case, active.id).subject == SECRET

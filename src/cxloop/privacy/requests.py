"""Data subject requests: a person's data exported in one machine-readable archive, or erased
from every domain, each tracked against its legal due date and written to the audit log.

Every domain answers for its own tables through the ``cxloop_export_customer_data`` and
``cxloop_erase_customer_data`` hooks, so a new domain (or a plugin) is covered by implementing
them, without a change here.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.customers import Customer, Identity, get_customer
from cxloop.errors import Conflict, ValidationFailed
from cxloop.hooks import get_plugin_manager
from cxloop.privacy.audit import audit
from cxloop.privacy.consent import consent_history
from cxloop.privacy.files import erase_from_files
from cxloop.privacy.models import DataRequest, RequestKind, RequestStatus
from cxloop.store.crud import get_or_404
from cxloop.types import utcnow

# GDPR article 12(3): one month from receipt.
DUE_AFTER = timedelta(days=30)
ERASURE_MODES = ("anonymize", "delete")


def person_ids(session: Session, customer_id: int) -> list[int]:
    """The customer and every customer merged into it: one person, several ids over time."""
    ids = [customer_id]
    ids.extend(session.scalars(select(Customer.id).where(Customer.merged_into_id == customer_id)))
    return ids


def open_request(
    session: Session,
    *,
    customer_id: int,
    kind: RequestKind | str,
    requested_by: str,
    mode: str | None = None,
    note: str | None = None,
) -> DataRequest:
    """Record a request for the person behind ``customer_id`` (a merged-away id is followed)."""
    try:
        kind = RequestKind(kind)
    except ValueError as exc:
        raise ValidationFailed("kind must be 'export' or 'erasure'", field="kind") from exc
    if kind is RequestKind.erasure:
        mode = mode or "anonymize"
        if mode not in ERASURE_MODES:
            raise ValidationFailed("mode must be 'anonymize' or 'delete'", field="mode")
    elif mode is not None:
        raise ValidationFailed("only an erasure takes a mode", field="mode")
    customer = get_customer(session, customer_id)
    received = utcnow()
    request = DataRequest(
        customer_id=customer.id,
        kind=kind.value,
        mode=mode,
        requested_by=requested_by,
        note=note,
        received_at=received,
        due_at=received + DUE_AFTER,
    )
    session.add(request)
    session.flush()
    audit(
        session,
        actor=requested_by,
        action=f"request.{kind.value}.received",
        target_type="customer",
        target_id=customer.id,
        request_id=request.id,
    )
    return request


def collect_person(session: Session, customer_id: int) -> dict[str, Any]:
    """Everything every domain holds on the person, by kind."""
    ids = person_ids(session, customer_id)
    data: dict[str, Any] = {"customer_ids": ids}
    for part in get_plugin_manager().hook.cxloop_export_customer_data(
        session=session, customer_ids=ids
    ):
        data.update(part)
    data["consents"] = [
        {
            "purpose": r.purpose,
            "granted": r.granted,
            "source": r.source,
            "recorded_at": r.recorded_at,
        }
        for r in consent_history(session, customer_ids=ids)
    ]
    return data


def fulfil(session: Session, request: DataRequest, *, archive_dir: Path, actor: str) -> DataRequest:
    """Carry out a received request; the caller's unit of work commits it."""
    if request.status != RequestStatus.received:
        raise Conflict(f"request {request.id} is already {request.status}")
    if request.kind == RequestKind.export:
        data = collect_person(session, request.customer_id)
        archive_dir.mkdir(parents=True, exist_ok=True)
        path = archive_dir / f"export-{request.id}-customer-{request.customer_id}.json"
        document = {
            "request": {"id": request.id, "received_at": request.received_at},
            "generated_at": utcnow(),
            **data,
        }
        path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
        request.archive_path = str(path)
        request.summary = {k: len(v) for k, v in data.items() if isinstance(v, list)}
    else:
        request.summary = erase_person(session, request.customer_id, mode=request.mode or "")
    request.status = RequestStatus.completed.value
    request.completed_at = utcnow()
    session.flush()
    audit(
        session,
        actor=actor,
        action=f"request.{request.kind}.completed",
        target_type="customer",
        target_id=request.customer_id,
        request_id=request.id,
        **request.summary,
    )
    return request


def erase_person(session: Session, customer_id: int, *, mode: str) -> dict[str, int]:
    """Remove the person's personal data everywhere: every domain's tables, the archives
    cxloop wrote for them, and every export and lake file cxloop wrote since."""
    ids = person_ids(session, customer_id)
    # Ingest reads identities FOR KEY SHARE: holding them first means an event either
    # committed before this erasure reads anything, or waits and then finds nobody.
    session.execute(select(Identity.id).where(Identity.customer_id.in_(ids)).with_for_update())
    counts: dict[str, int] = {}
    for part in get_plugin_manager().hook.cxloop_erase_customer_data(
        session=session, customer_ids=ids, mode=mode
    ):
        for kind, n in part.items():
            counts[kind] = counts.get(kind, 0) + n
    archives = session.scalars(
        select(DataRequest).where(
            DataRequest.customer_id.in_(ids), DataRequest.archive_path.is_not(None)
        )
    )
    removed = 0
    for earlier in archives:
        Path(str(earlier.archive_path)).unlink(missing_ok=True)
        earlier.archive_path = None
        removed += 1
    counts["archives"] = removed
    counts["files"] = erase_from_files(session, ids, mode=mode)
    return counts


def get_request(session: Session, request_id: int) -> DataRequest:
    return get_or_404(session, DataRequest, request_id, what="request")


def list_requests(session: Session, *, status: str | None = None) -> list[DataRequest]:
    stmt = select(DataRequest).order_by(DataRequest.id.desc())
    if status:
        stmt = stmt.where(DataRequest.status == status)
    return list(session.scalars(stmt.limit(500)))

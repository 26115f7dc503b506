"""Consent, data subject requests and the audit log over HTTP. Requests and the audit log are
for admins only; every action here is itself audited."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session

from cxloop.api.deps import (
    AuditRead,
    CustomersRead,
    InteractionsWrite,
    PrivacyManage,
    SessionDep,
    SettingsDep,
)
from cxloop.customers import get_customer
from cxloop.errors import NotFound
from cxloop.privacy import (
    Purpose,
    apply_retention,
    audit,
    consent_history,
    fulfil,
    get_request,
    has_consent,
    list_requests,
    open_request,
    policies,
    record_consent,
    remove_policy,
    retention_kinds,
    search_audit,
    set_policy,
)
from cxloop.privacy.models import DataRequest
from cxloop.privacy.schemas import (
    AuditEntryRead,
    AuditPage,
    ConsentCreate,
    ConsentRead,
    ConsentState,
    DataRequestCreate,
    DataRequestRead,
    RetentionOutcomeRead,
    RetentionPolicyRead,
    RetentionPolicySet,
    RetentionState,
)

router = APIRouter(tags=["privacy"])


def _ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _consent_state(session: Session, customer_id: int) -> ConsentState:
    return ConsentState(
        customer_id=customer_id,
        allowed={
            p.value: has_consent(session, customer_id=customer_id, purpose=p) for p in Purpose
        },
        decisions=[
            ConsentRead.model_validate(r)
            for r in consent_history(session, customer_ids=[customer_id])
        ],
    )


@router.get("/customers/{customer_id}/consents", response_model=ConsentState)
def read_consents(customer_id: int, session: SessionDep, _who: CustomersRead) -> ConsentState:
    """What the customer allows now, per purpose, and every decision behind it."""
    return _consent_state(session, get_customer(session, customer_id).id)


@router.post("/customers/{customer_id}/consents", response_model=ConsentState, status_code=201)
def give_consent(
    customer_id: int,
    body: ConsentCreate,
    session: SessionDep,
    who: InteractionsWrite,
    request: Request,
) -> ConsentState:
    """Record a decision the customer gave (by phone, at a store, in a letter...)."""
    customer = get_customer(session, customer_id)
    record_consent(
        session,
        customer_id=customer.id,
        purpose=body.purpose,
        granted=body.granted,
        source=body.source,
    )
    audit(
        session,
        actor=who.user.email,
        action="consent.recorded",
        target_type="customer",
        target_id=customer.id,
        ip=_ip(request),
        purpose=body.purpose.value,
        granted=body.granted,
    )
    return _consent_state(session, customer.id)


def _read(data_request: DataRequest) -> DataRequestRead:
    read = DataRequestRead.model_validate(data_request)
    read.archive_available = bool(data_request.archive_path)
    return read


def _archive_dir(settings: SettingsDep) -> Path:
    return settings.data_dir / "privacy"


@router.post("/privacy/requests", response_model=DataRequestRead, status_code=201)
def create_request(
    body: DataRequestCreate,
    session: SessionDep,
    settings: SettingsDep,
    who: PrivacyManage,
    request: Request,
) -> DataRequestRead:
    """Record a person's export or erasure request and carry it out at once (or, with
    ``hold``, once ``POST .../fulfil`` says the person's identity was checked)."""
    data_request = open_request(
        session,
        customer_id=body.customer_id,
        kind=body.kind,
        mode=body.mode,
        note=body.note,
        requested_by=who.user.email,
    )
    if not body.hold:
        fulfil(session, data_request, archive_dir=_archive_dir(settings), actor=who.user.email)
    return _read(data_request)


@router.post("/privacy/requests/{request_id}/fulfil", response_model=DataRequestRead)
def fulfil_request(
    request_id: int, session: SessionDep, settings: SettingsDep, who: PrivacyManage
) -> DataRequestRead:
    """Carry out a request recorded with ``hold`` (409 when it was carried out already)."""
    data_request = get_request(session, request_id)
    fulfil(session, data_request, archive_dir=_archive_dir(settings), actor=who.user.email)
    return _read(data_request)


@router.get("/privacy/requests", response_model=list[DataRequestRead])
def read_requests(
    session: SessionDep,
    _who: PrivacyManage,
    status: Annotated[str | None, Query(description="received, completed or rejected")] = None,
) -> list[DataRequestRead]:
    """The latest 500 requests, newest first."""
    return [_read(r) for r in list_requests(session, status=status)]


@router.get("/privacy/requests/{request_id}", response_model=DataRequestRead)
def read_request(request_id: int, session: SessionDep, _who: PrivacyManage) -> DataRequestRead:
    return _read(get_request(session, request_id))


@router.get("/privacy/requests/{request_id}/archive", response_class=FileResponse)
def download_archive(
    request_id: int, session: SessionDep, who: PrivacyManage, request: Request
) -> FileResponse:
    """The export's archive (JSON), to hand to the person."""
    data_request = get_request(session, request_id)
    if not data_request.archive_path or not Path(data_request.archive_path).is_file():
        raise NotFound(f"request {request_id} has no archive (not an export, or erased since)")
    audit(
        session,
        actor=who.user.email,
        action="request.export.downloaded",
        target_type="customer",
        target_id=data_request.customer_id,
        ip=_ip(request),
        request_id=request_id,
    )
    return FileResponse(
        data_request.archive_path,
        media_type="application/json",
        filename=Path(data_request.archive_path).name,
    )


def _retention_state(session: Session) -> RetentionState:
    return RetentionState(
        kinds=retention_kinds(),
        policies=[RetentionPolicyRead.model_validate(p) for p in policies(session)],
    )


@router.get("/privacy/retention", response_model=RetentionState)
def read_retention(session: SessionDep, _who: PrivacyManage) -> RetentionState:
    """Which kinds of data can be kept for limited time, and the policies set."""
    return _retention_state(session)


@router.put("/privacy/retention/{kind}", response_model=RetentionState)
def put_retention(
    kind: str, body: RetentionPolicySet, session: SessionDep, who: PrivacyManage
) -> RetentionState:
    """Keep ``kind`` for ``days``, then anonymize or delete it (applied daily by the worker)."""
    set_policy(session, kind=kind, days=body.days, action=body.action, actor=who.user.email)
    return _retention_state(session)


@router.delete("/privacy/retention/{kind}", response_model=RetentionState)
def delete_retention(kind: str, session: SessionDep, _who: PrivacyManage) -> RetentionState:
    remove_policy(session, kind=kind)
    return _retention_state(session)


@router.post("/privacy/retention/run", response_model=list[RetentionOutcomeRead])
def run_retention(
    session: SessionDep,
    who: PrivacyManage,
    dry_run: Annotated[bool, Query(description="Count only; change nothing.")] = True,
) -> list[RetentionOutcomeRead]:
    """Apply every policy now; by default a dry run that reports what would change."""
    outcomes = apply_retention(session, dry_run=dry_run, actor=who.user.email)
    return [RetentionOutcomeRead.model_validate(o, from_attributes=True) for o in outcomes]


@router.get("/audit", response_model=AuditPage)
def read_audit(
    session: SessionDep,
    _who: AuditRead,
    action: Annotated[str | None, Query(max_length=64)] = None,
    actor: Annotated[str | None, Query(max_length=320)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> AuditPage:
    """Who did what, newest first; filter by action, actor and time."""
    page = search_audit(
        session, action=action, actor=actor, since=since, until=until, cursor=cursor, limit=limit
    )
    return AuditPage(
        items=[AuditEntryRead.model_validate(e) for e in page.items],
        next_cursor=page.next_cursor,
    )

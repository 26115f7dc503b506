"""Playbooks over HTTP: team leads list and state the next-best-action rules the nightly
scoring runs, and switch them off. An experiment playbook must name an experiment that
exists (checked here, where proactive and experiments meet)."""

from __future__ import annotations

from fastapi import APIRouter

from cxloop.api.deps import CasesManage, CasesRead, SessionDep
from cxloop.errors import NotFound, ValidationFailed
from cxloop.experiments import get_experiment
from cxloop.proactive import (
    PlaybookChange,
    PlaybookCreate,
    PlaybookRead,
    create_playbook,
    get_playbook,
    list_playbooks,
)

router = APIRouter(prefix="/playbooks", tags=["playbooks"])


@router.get("", response_model=list[PlaybookRead])
def list_all(session: SessionDep, _principal: CasesRead) -> list[PlaybookRead]:
    """Every playbook, in the order they are tried."""
    return [PlaybookRead.model_validate(p) for p in list_playbooks(session)]


@router.post("", response_model=PlaybookRead, status_code=201)
def create(data: PlaybookCreate, session: SessionDep, _principal: CasesManage) -> PlaybookRead:
    """A playbook, tried after the existing ones."""
    if data.experiment_id is not None:
        try:
            get_experiment(session, data.experiment_id)
        except NotFound as exc:
            raise ValidationFailed(exc.detail, field="experiment_id") from exc
    return PlaybookRead.model_validate(create_playbook(session, **data.model_dump()))


@router.patch("/{playbook_id}", response_model=PlaybookRead)
def change(
    playbook_id: int, data: PlaybookChange, session: SessionDep, _principal: CasesManage
) -> PlaybookRead:
    """Switch a playbook on or off."""
    playbook = get_playbook(session, playbook_id)
    playbook.active = data.active
    session.flush()
    return PlaybookRead.model_validate(playbook)

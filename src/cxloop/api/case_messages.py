"""Answers and the texts they start from, over HTTP: resending an answer that failed, and
the reply templates the composer offers (``cases.read`` to list them, ``cases.manage`` to
change them).

A message is reached through its case, so the department scope of cases.queues applies: a
message of a case outside the caller's departments answers 404, like one that does not exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from cxloop.api.deps import CasesManage, CasesRead, CasesWork, SessionDep
from cxloop.cases import (
    create_template,
    delete_template,
    list_templates,
    retry_message,
    scope_of,
    update_template,
    visible_case,
)
from cxloop.cases.schemas import CaseMessageRead, ReplyTemplateIn, ReplyTemplateRead

router = APIRouter(tags=["cases"])


@router.post(
    "/cases/{case_id}/messages/{message_id}/retry",
    response_model=CaseMessageRead,
    status_code=202,
)
def retry(case_id: int, message_id: int, session: SessionDep, who: CasesWork) -> CaseMessageRead:
    """Send a failed answer again, once its cause (the address, the connector) is fixed.
    Only a failed answer is resent (409 otherwise): one whose outcome is unknown may have
    arrived, and a person decides."""
    case = visible_case(session, scope_of(who.user, who.permissions), case_id)
    message = retry_message(session, message_id, actor=who.user.email, case_id=case.id)
    return CaseMessageRead.model_validate(message)


@router.get("/reply-templates", response_model=list[ReplyTemplateRead])
def templates(
    session: SessionDep,
    _who: CasesRead,
    key: Annotated[str | None, Query(max_length=64, description="Only this key's texts.")] = None,
) -> list[ReplyTemplateRead]:
    """Every language of every template, by key then language."""
    return [ReplyTemplateRead.model_validate(t) for t in list_templates(session, key=key)]


@router.post("/reply-templates", response_model=ReplyTemplateRead, status_code=201)
def add_template(
    body: ReplyTemplateIn, session: SessionDep, _who: CasesManage
) -> ReplyTemplateRead:
    """One language of a template; the same key in another language is its translation."""
    return ReplyTemplateRead.model_validate(create_template(session, **body.model_dump()))


@router.put("/reply-templates/{template_id}", response_model=ReplyTemplateRead)
def edit_template(
    template_id: int, body: ReplyTemplateIn, session: SessionDep, _who: CasesManage
) -> ReplyTemplateRead:
    return ReplyTemplateRead.model_validate(
        update_template(session, template_id, **body.model_dump())
    )


@router.delete("/reply-templates/{template_id}", status_code=204)
def remove_template(template_id: int, session: SessionDep, _who: CasesManage) -> Response:
    delete_template(session, template_id)
    return Response(status_code=204)

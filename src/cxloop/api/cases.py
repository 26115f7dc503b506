"""Cases over HTTP: queues, a case with its history and messages, every action an agent
takes, and the set-up a team lead maintains (rules, SLA policies, calendars, teams).

Department scope comes from cases.queues: a case outside the caller's departments answers
404, exactly like a case that does not exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel
from sqlalchemy import func, select

from cxloop.api.deps import CasesManage, CasesRead, CasesWork, Principal, SessionDep, SettingsDep
from cxloop.cases import (
    Case,
    CaseEvent,
    CaseMessage,
    CaseRule,
    Directory,
    Problem,
    RoutingRule,
    SlaPolicy,
    add_note,
    load_router,
    merge,
    reply,
)
from cxloop.cases.manual import change_case, open_by_hand
from cxloop.cases.problems import announce, create_problem, get_problem, mark_fixed, suggest
from cxloop.cases.queues import queue_page, scope_of, view_filter, visible_case
from cxloop.cases.schemas import (
    AgentProfileIn,
    CalendarIn,
    CaseChange,
    CaseEventRead,
    CaseMessageRead,
    CaseOpen,
    CaseRead,
    CaseRuleIn,
    DepartmentSetupIn,
    MergeIn,
    NoteIn,
    ProblemAnnouncement,
    ProblemFix,
    ProblemIn,
    ProblemRead,
    ReplyIn,
    RoutingRuleIn,
    RuleRead,
    SlaPolicyIn,
    SlaPolicyRead,
    SuggestionRead,
)
from cxloop.cases.setup import (
    delete_row,
    list_policies,
    list_rules,
    save_agent_profile,
    save_calendar,
    save_case_rule,
    save_department_setup,
    save_routing_rule,
    save_sla_policy,
)
from cxloop.settings import Settings
from cxloop.types import utcnow

router = APIRouter(tags=["cases"])


class CasePage(BaseModel):
    items: list[CaseRead]
    next_cursor: str | None


class CaseDetail(BaseModel):
    case: CaseRead
    events: list[CaseEventRead]
    messages: list[CaseMessageRead]


def _desk(session: SessionDep, settings: Settings) -> Directory:
    return Directory(session, settings.default_timezone)


def _actor(who: Principal) -> str:
    return who.user.email


@router.get("/cases", response_model=CasePage)
def list_cases(
    session: SessionDep,
    who: CasesRead,
    view: Annotated[
        str,
        Query(description="mine, unassigned, triage, breached, waiting, open, or department-<id>"),
    ] = "open",
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CasePage:
    """A queue, soonest deadline first, within the caller's departments."""
    page = queue_page(
        session,
        scope_of(who.user, who.permissions),
        view_filter(view),
        now=utcnow(),
        cursor=cursor,
        limit=limit,
    )
    return CasePage(
        items=[CaseRead.model_validate(item.case) for item in page.items],
        next_cursor=page.next_cursor,
    )


@router.post("/cases", response_model=CaseRead, status_code=201)
def open_case(
    body: CaseOpen, session: SessionDep, settings: SettingsDep, who: CasesWork
) -> CaseRead:
    """Open a case by hand, from an interaction or for a customer."""
    case = open_by_hand(
        _desk(session, settings),
        body,
        actor=_actor(who),
        router=load_router(settings.resolved_model_dir, settings.resolved_cache_dir),
        threshold=settings.routing_threshold,
    )
    return CaseRead.model_validate(case)


@router.get("/cases/{case_id}", response_model=CaseDetail)
def read_case(case_id: int, session: SessionDep, who: CasesRead) -> CaseDetail:
    case = visible_case(session, scope_of(who.user, who.permissions), case_id)
    events = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    )
    messages = session.scalars(
        select(CaseMessage).where(CaseMessage.case_id == case.id).order_by(CaseMessage.id)
    )
    return CaseDetail(
        case=CaseRead.model_validate(case),
        events=[CaseEventRead.model_validate(e) for e in events],
        messages=[CaseMessageRead.model_validate(m) for m in messages],
    )


@router.patch("/cases/{case_id}", response_model=CaseRead)
def change(
    case_id: int, body: CaseChange, session: SessionDep, settings: SettingsDep, who: CasesWork
) -> CaseRead:
    """Change status, priority, tags, owner or department; each change is on the history."""
    case = visible_case(session, scope_of(who.user, who.permissions), case_id, for_update=True)
    return CaseRead.model_validate(
        change_case(_desk(session, settings), case, body, actor=_actor(who))
    )


@router.post("/cases/{case_id}/notes", response_model=CaseEventRead, status_code=201)
def note(case_id: int, body: NoteIn, session: SessionDep, who: CasesWork) -> CaseEventRead:
    """An internal note, never sent to the customer."""
    case = visible_case(session, scope_of(who.user, who.permissions), case_id)
    event = add_note(session, case, body.text, actor=_actor(who))
    session.flush()
    return CaseEventRead.model_validate(event)


@router.post("/cases/{case_id}/replies", response_model=CaseMessageRead, status_code=201)
def answer(
    case_id: int, body: ReplyIn, session: SessionDep, settings: SettingsDep, who: CasesWork
) -> CaseMessageRead:
    """Answer the customer on the case's channel; delivery follows the commit."""
    visible_case(session, scope_of(who.user, who.permissions), case_id)
    message = reply(
        _desk(session, settings),
        case_id,
        author=who.user,
        body=body.body,
        subject=body.subject,
        then=body.then,
    )
    return CaseMessageRead.model_validate(message)


@router.post("/cases/{case_id}/merge", response_model=CaseRead)
def merge_duplicate(
    case_id: int, body: MergeIn, session: SessionDep, settings: SettingsDep, who: CasesWork
) -> CaseRead:
    """Fold a duplicate case of the same customer into this one."""
    scope = scope_of(who.user, who.permissions)
    winner = visible_case(session, scope, case_id, for_update=True)
    loser = visible_case(session, scope, body.duplicate_id, for_update=True)
    merge(_desk(session, settings), winner, loser, actor=_actor(who))
    return CaseRead.model_validate(winner)


# --- set-up -----------------------------------------------------------------------------


@router.get("/case-rules", response_model=list[RuleRead])
def case_rules(session: SessionDep, _who: CasesRead) -> list[RuleRead]:
    """Opening rules, in the order they are tried."""
    return [RuleRead.model_validate(r) for r in list_rules(session, CaseRule)]


@router.post("/case-rules", response_model=RuleRead, status_code=201)
def add_case_rule(body: CaseRuleIn, session: SessionDep, _who: CasesManage) -> RuleRead:
    return RuleRead.model_validate(save_case_rule(session, body))


@router.put("/case-rules/{rule_id}", response_model=RuleRead)
def edit_case_rule(
    rule_id: int, body: CaseRuleIn, session: SessionDep, _who: CasesManage
) -> RuleRead:
    return RuleRead.model_validate(save_case_rule(session, body, rule_id))


@router.delete("/case-rules/{rule_id}", status_code=204)
def remove_case_rule(rule_id: int, session: SessionDep, _who: CasesManage) -> Response:
    delete_row(session, CaseRule, rule_id)
    return Response(status_code=204)


@router.get("/routing-rules", response_model=list[RuleRead])
def routing_rules(session: SessionDep, _who: CasesRead) -> list[RuleRead]:
    """Routing rules, in the order they are tried; the first that matches wins."""
    return [RuleRead.model_validate(r) for r in list_rules(session, RoutingRule)]


@router.post("/routing-rules", response_model=RuleRead, status_code=201)
def add_routing_rule(body: RoutingRuleIn, session: SessionDep, _who: CasesManage) -> RuleRead:
    return RuleRead.model_validate(save_routing_rule(session, body))


@router.put("/routing-rules/{rule_id}", response_model=RuleRead)
def edit_routing_rule(
    rule_id: int, body: RoutingRuleIn, session: SessionDep, _who: CasesManage
) -> RuleRead:
    return RuleRead.model_validate(save_routing_rule(session, body, rule_id))


@router.delete("/routing-rules/{rule_id}", status_code=204)
def remove_routing_rule(rule_id: int, session: SessionDep, _who: CasesManage) -> Response:
    delete_row(session, RoutingRule, rule_id)
    return Response(status_code=204)


@router.get("/sla-policies", response_model=list[SlaPolicyRead])
def sla_policies(session: SessionDep, _who: CasesRead) -> list[SlaPolicyRead]:
    return [SlaPolicyRead.model_validate(p) for p in list_policies(session)]


@router.post("/sla-policies", response_model=SlaPolicyRead, status_code=201)
def add_sla_policy(body: SlaPolicyIn, session: SessionDep, _who: CasesManage) -> SlaPolicyRead:
    return SlaPolicyRead.model_validate(save_sla_policy(session, body))


@router.put("/sla-policies/{policy_id}", response_model=SlaPolicyRead)
def edit_sla_policy(
    policy_id: int, body: SlaPolicyIn, session: SessionDep, _who: CasesManage
) -> SlaPolicyRead:
    return SlaPolicyRead.model_validate(save_sla_policy(session, body, policy_id))


@router.delete("/sla-policies/{policy_id}", status_code=204)
def remove_sla_policy(policy_id: int, session: SessionDep, _who: CasesManage) -> Response:
    delete_row(session, SlaPolicy, policy_id)
    return Response(status_code=204)


@router.put("/calendars/default", response_model=CalendarIn)
def set_default_calendar(body: CalendarIn, session: SessionDep, _who: CasesManage) -> CalendarIn:
    """The company's business hours, for departments without their own."""
    save_calendar(session, None, body)
    return body


@router.put("/departments/{slug}/calendar", response_model=CalendarIn)
def set_calendar(slug: str, body: CalendarIn, session: SessionDep, _who: CasesManage) -> CalendarIn:
    """A department's business hours, time zone and public holidays."""
    save_calendar(session, slug, body)
    return body


@router.put("/departments/{slug}/setup", response_model=DepartmentSetupIn)
def set_department_setup(
    slug: str, body: DepartmentSetupIn, session: SessionDep, _who: CasesManage
) -> DepartmentSetupIn:
    """How the department hands out cases, its lead, and where it is notified."""
    save_department_setup(session, slug, body)
    return body


@router.put("/agents/{email}/profile", response_model=AgentProfileIn)
def set_agent_profile(
    email: str, body: AgentProfileIn, session: SessionDep, _who: CasesManage
) -> AgentProfileIn:
    """The languages and skills an agent takes cases in, and whether they are in."""
    row = save_agent_profile(session, email, body)
    return AgentProfileIn(languages=row.languages, skills=row.skills, available=row.available)


# --- problems ---------------------------------------------------------------------------


def _problem(session: SessionDep, problem: Problem) -> ProblemRead:
    read = ProblemRead.model_validate(problem)
    read.cases = int(session.scalar(select(func.count()).where(Case.problem_id == problem.id)) or 0)
    return read


@router.get("/problems", response_model=list[ProblemRead])
def problems(session: SessionDep, _who: CasesRead) -> list[ProblemRead]:
    rows = session.scalars(select(Problem).order_by(Problem.id.desc()))
    return [_problem(session, p) for p in rows]


@router.get("/problems/suggestions", response_model=list[SuggestionRead])
def problem_suggestions(session: SessionDep, _who: CasesManage) -> list[SuggestionRead]:
    """Topics shared by several active cases with no problem yet: likely one root cause."""
    return [SuggestionRead(topic=s.topic, case_ids=s.case_ids) for s in suggest(session)]


@router.post("/problems", response_model=ProblemRead, status_code=201)
def add_problem(body: ProblemIn, session: SessionDep, who: CasesManage) -> ProblemRead:
    problem = create_problem(
        session,
        title=body.title,
        description=body.description,
        topic=body.topic,
        case_ids=body.case_ids,
        actor=_actor(who),
    )
    return _problem(session, problem)


@router.post("/problems/{problem_id}/fix", response_model=ProblemRead)
def fix_problem(
    problem_id: int, body: ProblemFix, session: SessionDep, _who: CasesManage
) -> ProblemRead:
    return _problem(session, mark_fixed(session, get_problem(session, problem_id), fix=body.fix))


@router.post("/problems/{problem_id}/announce", response_model=ProblemRead)
def announce_fix(
    problem_id: int,
    body: ProblemAnnouncement,
    session: SessionDep,
    settings: SettingsDep,
    who: CasesManage,
) -> ProblemRead:
    """Tell every customer with an open case of this problem, and solve those cases."""
    problem = get_problem(session, problem_id)
    announce(_desk(session, settings), problem, author=who.user, message=body.message)
    return _problem(session, problem)

"""The set-up a unit of work consults for every case: routing rules, SLA policies, calendars,
departments' members. Read once per unit of work, so opening a thousand cases costs a
handful of queries, not thousands."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import Department, Permission, User, permissions_for
from cxloop.cases.calendar import Calendar
from cxloop.cases.models import (
    AgentProfile,
    BusinessCalendar,
    DepartmentSetup,
    RoutingRule,
    SlaPolicy,
)
from cxloop.cases.sla import calendar_among


@dataclass(frozen=True, slots=True)
class Agent:
    id: int
    email: str
    languages: frozenset[str]
    skills: frozenset[str]


@dataclass
class Directory:
    session: Session
    default_timezone: str
    _rules: list[RoutingRule] | None = None
    _policies: list[SlaPolicy] | None = None
    _calendars: dict[int | None, Calendar] = field(default_factory=dict)
    _calendar_rows: dict[int | None, BusinessCalendar] | None = None
    _agents: dict[int, list[Agent]] = field(default_factory=dict)
    _setups: dict[int, DepartmentSetup] = field(default_factory=dict)
    _departments: dict[int, Department] | None = None
    workloads: dict[int, dict[int, int]] = field(default_factory=dict)
    """Open cases per agent, by department, for least-open-work assignment."""

    @property
    def routing_rules(self) -> list[RoutingRule]:
        if self._rules is None:
            self._rules = list(
                self.session.scalars(
                    select(RoutingRule)
                    .where(RoutingRule.active)
                    .order_by(RoutingRule.position, RoutingRule.id)
                )
            )
        return self._rules

    @property
    def departments(self) -> dict[int, Department]:
        if self._departments is None:
            self._departments = {d.id: d for d in self.session.scalars(select(Department))}
        return self._departments

    def department_by_slug(self, slug: str) -> Department | None:
        return next((d for d in self.departments.values() if d.slug == slug), None)

    def policy(self, department_id: int | None, priority: str) -> SlaPolicy | None:
        """The most specific policy: department and priority, department, priority, default."""
        if self._policies is None:
            self._policies = list(self.session.scalars(select(SlaPolicy)))
        candidates = [
            p
            for p in self._policies
            if p.department_id in (department_id, None) and p.priority in (priority, None)
        ]
        return max(
            candidates,
            key=lambda p: (p.department_id is not None, p.priority is not None),
            default=None,
        )

    def calendar(self, department_id: int | None) -> Calendar:
        """Every calendar row is read on the first call (there is at most one a department),
        so a queue over ten departments costs one query, not twenty."""
        if self._calendar_rows is None:
            self._calendar_rows = {
                row.department_id: row for row in self.session.scalars(select(BusinessCalendar))
            }
        if department_id not in self._calendars:
            self._calendars[department_id] = calendar_among(
                self._calendar_rows, department_id, self.default_timezone
            )
        return self._calendars[department_id]

    def setup(self, department_id: int) -> DepartmentSetup:
        setup = self._setups.get(department_id) or self.session.get(DepartmentSetup, department_id)
        if setup is None:
            setup = DepartmentSetup(department_id=department_id, assignment="round_robin")
            self.session.add(setup)
        self._setups[department_id] = setup
        return setup

    def agents(self, department_id: int) -> list[Agent]:
        """Active members allowed to work cases and available, in a stable order."""
        if department_id not in self._agents:
            department = self.departments.get(department_id)
            members = [u for u in (department_members(self.session, department_id)) if u.is_active]
            profiles = {
                p.user_id: p
                for p in self.session.scalars(
                    select(AgentProfile).where(AgentProfile.user_id.in_([u.id for u in members]))
                )
            }
            allowed: dict[str, bool] = {}
            agents: list[Agent] = []
            for user in members:
                if user.role not in allowed:
                    allowed[user.role] = Permission.cases_work in permissions_for(
                        self.session, user.role
                    )
                profile = profiles.get(user.id)
                if not allowed[user.role] or (profile is not None and not profile.available):
                    continue
                agents.append(
                    Agent(
                        id=user.id,
                        email=user.email,
                        languages=frozenset(profile.languages if profile else ()),
                        skills=frozenset(s.casefold() for s in (profile.skills if profile else ())),
                    )
                )
            self._agents[department_id] = agents if department is not None else []
        return self._agents[department_id]


def department_members(session: Session, department_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .where(User.departments.any(Department.id == department_id))
            .order_by(User.id)
        )
    )

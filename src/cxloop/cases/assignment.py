"""Who in the department takes a case: round-robin, least open work, or nobody (the team
picks from the queue). Language and skills narrow the candidates first, when anyone has them;
a department without members keeps its cases in its queue, unassigned, never dropped."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select

from cxloop.cases.directory import Agent, Directory
from cxloop.cases.models import ACTIVE_STATUSES, Case

STRATEGIES = ("round_robin", "least_open", "manual")


def candidates(agents: list[Agent], *, language: str | None, needs: Collection[str]) -> list[Agent]:
    """Those who speak the customer's language and have a needed skill, when some do; else
    everyone (a case in a language nobody lists still needs an answer)."""
    pool = agents
    if language:
        speakers = [a for a in pool if language in a.languages]
        pool = speakers or pool
    wanted = {n.casefold() for n in needs}
    if wanted:
        skilled = [a for a in pool if a.skills & wanted]
        pool = skilled or pool
    return pool


def open_work(directory: Directory, agent_ids: list[int]) -> dict[int, int]:
    counts = dict.fromkeys(agent_ids, 0)
    rows = directory.session.execute(
        select(Case.assignee_id, func.count())
        .where(Case.assignee_id.in_(agent_ids), Case.status.in_(sorted(ACTIVE_STATUSES)))
        .group_by(Case.assignee_id)
    )
    for assignee_id, count in rows:
        if assignee_id is not None:
            counts[assignee_id] = int(count)
    return counts


def choose_agent(
    directory: Directory,
    department_id: int | None,
    *,
    language: str | None = None,
    needs: Collection[str] = (),
) -> Agent | None:
    """The next agent under the department's strategy. Open work is counted once per unit
    of work and kept up to date as the batch assigns."""
    if department_id is None:
        return None
    setup = directory.setup(department_id)
    pool = candidates(directory.agents(department_id), language=language, needs=needs)
    if not pool or setup.assignment == "manual":
        return None
    if setup.assignment == "least_open":
        load = directory.workloads.get(department_id)
        if load is None:
            members = [a.id for a in directory.agents(department_id)]
            load = directory.workloads[department_id] = open_work(directory, members)
        chosen = min(pool, key=lambda a: (load.get(a.id, 0), a.id))
        load[chosen.id] = load.get(chosen.id, 0) + 1
    else:
        last = setup.last_assignee_id or 0
        chosen = next((a for a in pool if a.id > last), pool[0])
    setup.last_assignee_id = chosen.id
    return chosen

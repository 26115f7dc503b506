"""What the audit log holds after a command, read from the command's configured database."""

from __future__ import annotations

from typing import Any

from cxloop.privacy import iter_audit
from cxloop.settings import get_settings
from cxloop.store.engine import get_engine
from cxloop.store.uow import unit_of_work


def deployments() -> list[tuple[str, dict[str, Any]]]:
    """Each ``model.deployed`` entry, oldest first: the model's name and the entry's detail."""
    with unit_of_work(get_engine(get_settings().resolved_database_url), write=False) as session:
        return [
            (str(entry.target_id), dict(entry.detail))
            for entry in iter_audit(session, action="model.deployed")
        ]

"""The audit entry of a model deployment, whichever command deploys it.

A deployed model changes what every later enrichment, routing decision or risk score says,
so deploying one is audited like any configuration change: ``cxloop model use``, the router
that ``cxloop cases router-train`` deploys, and the risk model ``cxloop model train --task
churn --from-timeline`` saves where the nightly scoring reads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cxloop.cli.output import cli_actor, command_session
from cxloop.privacy import audit


@contextmanager
def audited_deployment(name: str, *, task: str, source: Path | str, target: Path) -> Iterator[None]:
    """Record the deployment of ``name`` into ``target`` once the block has put it in place.
    The entry is written after the block, not before: training a router takes minutes, and an
    open write transaction would hold SQLite's lock against every ingest meanwhile."""
    replaced = target.exists()
    yield
    with command_session() as session:
        audit(
            session, actor=cli_actor(), action="model.deployed", target_type="model",
            target_id=name, task=task, source=str(source), replaced=replaced,
        )  # fmt: skip

"""Every table of every domain, gathered for migrations and schema checks."""

from __future__ import annotations

from sqlalchemy import MetaData

from cxloop.accounts import models as _accounts
from cxloop.cases import models as _cases
from cxloop.customers import models as _customers
from cxloop.experiments import models as _experiments
from cxloop.insights import alert_models as _insights_alerts
from cxloop.interactions import models as _interactions
from cxloop.privacy import models as _privacy
from cxloop.proactive import models as _proactive
from cxloop.store.base import Base
from cxloop.surveys import models as _surveys
from cxloop.understanding import models as _understanding

DOMAIN_MODELS = (
    _accounts,
    _customers,
    _privacy,
    _interactions,
    _surveys,
    _understanding,
    _cases,
    _experiments,
    _insights_alerts,
    _proactive,
)
metadata: MetaData = Base.metadata

__all__ = ["DOMAIN_MODELS", "metadata"]

from __future__ import annotations

import pytest

from cxloop.understanding import Analyser, shared_analyser
from tests.understanding.factories import MODEL_DIR


@pytest.fixture(scope="session")
def analyser() -> Analyser:
    return shared_analyser(MODEL_DIR)

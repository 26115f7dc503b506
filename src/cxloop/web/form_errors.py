"""A refused form, as the page shows it: which field is wrong and why, in the user's words.

The domain says what is wrong (a ``CxloopError`` carrying ``field=``, or a schema's
``ValidationError``); the page puts that message beside the field it names, and a message
without a field above the form.
"""

from __future__ import annotations

from pydantic import ValidationError

from cxloop.errors import CxloopError

FORM = "form"
"""The key for a message about the form as a whole."""


def field_problem(exc: CxloopError | ValidationError) -> tuple[str, str]:
    """The field a refusal names (``FORM`` when it names none) and its message."""
    if isinstance(exc, CxloopError):
        return str(exc.extra.get("field") or FORM), exc.detail
    first = exc.errors()[0]
    location = first.get("loc") or (FORM,)
    return str(location[0]), str(first.get("msg", exc)).removeprefix("Value error, ")

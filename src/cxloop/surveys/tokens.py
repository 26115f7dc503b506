"""Signed links: a personal invitation, a response in progress, and one-click unsubscribe.

The signature makes a link unforgeable and untamperable: changing one character of it gives
a "not valid" page, never somebody else's survey. Expiry and single use are checked against
the stored invitation, so they hold even for a link signed with a key that was not rotated.
"""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from cxloop.errors import CxloopError

_INVITATION = "cxloop.surveys.invitation"
_RESPONSE = "cxloop.surveys.response"
_UNSUBSCRIBE = "cxloop.surveys.unsubscribe"


class LinkInvalid(CxloopError):
    status = 400
    title = "This link is not valid"


class LinkExpired(CxloopError):
    status = 410
    title = "This link has expired"


def _read(serializer: URLSafeSerializer, token: str, kind: str) -> int:
    try:
        value = serializer.loads(token)
    except BadSignature:
        raise LinkInvalid(f"this {kind} link is damaged or was not made by us") from None
    if not isinstance(value, int):
        raise LinkInvalid(f"this {kind} link is damaged or was not made by us")
    return value


def invitation_token(secret: str, invitation_id: int) -> str:
    return URLSafeSerializer(secret, salt=_INVITATION).dumps(invitation_id)


def read_invitation_token(secret: str, token: str) -> int:
    return _read(URLSafeSerializer(secret, salt=_INVITATION), token, "survey")


def unsubscribe_token(secret: str, customer_id: int) -> str:
    return URLSafeSerializer(secret, salt=_UNSUBSCRIBE).dumps(customer_id)


def read_unsubscribe_token(secret: str, token: str) -> int:
    return _read(URLSafeSerializer(secret, salt=_UNSUBSCRIBE), token, "unsubscribe")


def response_token(secret: str, response_id: int) -> str:
    return URLSafeTimedSerializer(secret, salt=_RESPONSE).dumps(response_id)


def read_response_token(secret: str, token: str, *, max_age_s: int) -> int:
    serializer = URLSafeTimedSerializer(secret, salt=_RESPONSE)
    try:
        value = serializer.loads(token, max_age=max_age_s)
    except SignatureExpired:
        raise LinkExpired("this survey was started too long ago to continue") from None
    except BadSignature:
        raise LinkInvalid("this survey link is damaged or was not made by us") from None
    if not isinstance(value, int):
        raise LinkInvalid("this survey link is damaged or was not made by us")
    return value

"""A small OpenID Connect provider on 127.0.0.1, for the single sign-on tests.

Real HTTP in a thread, ID tokens really signed with RS256 (joserfc, the JOSE library of the
Authlib project), the PKCE verifier really checked: cxloop talks to it as it would to
Keycloak. A test says who approves the next sign-in (``provider.person``) and can make the
provider misbehave (``provider.tampering``) to prove that cxloop refuses what it must.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "cxloop-test"
CLIENT_SECRET = "client-secret-for-tests"
KEY_ID = "test-key"


@cache
def signing_key(name: str) -> RSAKey:
    """RSA keys are slow to make; one per name for the whole run."""
    return RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})


@dataclass
class Tampering:
    """Ways the provider can get the ID token wrong."""

    nonce: str | None = None  # sign this nonce instead of the one cxloop sent
    audience: str | None = None  # issue the token to another client
    authorized_party: str | None = None  # an azp claim
    lifetime_s: int = 300  # negative: the token has already expired
    foreign_key: bool = False  # sign with a key that is not in the published JWKS
    omit_id_token: bool = False


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    person: dict[str, Any]


@dataclass
class OidcProvider:
    port: int = 0
    person: dict[str, Any] = field(default_factory=dict)
    tampering: Tampering = field(default_factory=Tampering)
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    grants: dict[str, Grant] = field(default_factory=dict)

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """Approve at once as ``self.person`` and send the browser back with a code."""
        self.authorize_requests.append(query)
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            return _json(400, {"error": "invalid_request"})
        code = secrets.token_urlsafe(16)
        self.grants[code] = Grant(
            client_id=query["client_id"],
            redirect_uri=query["redirect_uri"],
            nonce=query.get("nonce"),
            code_challenge=query.get("code_challenge"),
            code_challenge_method=query.get("code_challenge_method"),
            person=dict(self.person),
        )
        back = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
        return 302, {"Location": back}, b""

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, str], bytes]:
        self.token_requests.append(form)
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if authorization != f"Basic {expected}":
            return _json(401, {"error": "invalid_client"})
        grant = self.grants.pop(form.get("code", ""), None)
        if grant is None or form.get("redirect_uri") != grant.redirect_uri:
            return _json(400, {"error": "invalid_grant"})
        if not _pkce_matches(grant, form.get("code_verifier", "")):
            return _json(400, {"error": "invalid_grant", "error_description": "PKCE failed"})
        body: dict[str, Any] = {
            "access_token": secrets.token_urlsafe(16),
            "token_type": "Bearer",
            "expires_in": 300,
        }
        if not self.tampering.omit_id_token:
            body["id_token"] = self.id_token(grant)
        return _json(200, body)

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": grant.person.get("sub", grant.person.get("email", "someone")),
            "aud": self.tampering.audience or grant.client_id,
            "iat": now,
            "exp": now + self.tampering.lifetime_s,
            "nonce": self.tampering.nonce or grant.nonce,
            **grant.person,
        }
        if self.tampering.authorized_party:
            claims["azp"] = self.tampering.authorized_party
        key = signing_key("foreign" if self.tampering.foreign_key else "published")
        return jwt.encode({"alg": "RS256", "kid": KEY_ID}, claims, key)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [signing_key("published").as_dict(private=False)]}


def _pkce_matches(grant: Grant, verifier: str) -> bool:
    if grant.code_challenge_method != "S256" or not grant.code_challenge or not verifier:
        return False
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == grant.code_challenge


def _json(status: int, body: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


def _handler(provider: OidcProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._send(*_json(200, provider.metadata()))
            elif url.path == "/jwks":
                self._send(*_json(200, provider.jwks()))
            elif url.path == "/authorize":
                self._send(*provider.authorize(query))
            else:
                self._send(*_json(404, {"error": "not_found"}))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if self.path == "/token":
                self._send(*provider.token(form, self.headers.get("Authorization", "")))
            else:
                self._send(*_json(404, {"error": "not_found"}))

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests assert on what the provider recorded instead."""

    return Handler


@contextmanager
def serve_provider() -> Iterator[OidcProvider]:
    """The provider listening on a free port of 127.0.0.1 until the block ends."""
    provider = OidcProvider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

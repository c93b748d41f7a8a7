"""A fake LMS platform for tests: a real HTTP server on 127.0.0.1 (port 0)
with its own RSA key and JWKS, an OAuth2 token endpoint that checks the
tool's signed client assertion, AGS line items and scores, and NRPS
memberships; and the platform's half of a launch (an id_token it signs with
PyJWT).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_SCOPES = ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
              "https://purl.imsglobal.org/spec/lti-ags/scope/score"]
LEARNER_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


@dataclass
class FakeLms:
    """The platform's state; ``base`` is its URL once running."""

    base: str = ""
    issuer: str = "https://lms.example.edu"
    client_id: str = "chain-tutor-client"
    deployment_id: str = "deployment-1"
    kid: str = "platform-key-1"
    tool_jwks: dict[str, Any] = field(default_factory=dict)  # to check the tool's client assertions
    private_key: Any = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048))
    line_items: list[dict[str, Any]] = field(default_factory=list)
    scores: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    token_requests: int = 0
    score_status: int = 200
    members: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def jwks(self) -> dict[str, Any]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        public.update(kid=self.kid, alg="RS256", use="sig")
        return {"keys": [public]}

    def id_token(self, nonce: str, sub: str, *, roles: tuple[str, ...] = (LEARNER_ROLE,), name: str = "Ada Lovelace",
                 context_id: str = "course-42", context_title: str = "Calculus 101", resource_link: str = "rl-1",
                 custom: dict[str, str] | None = None, line_item: str | None = None,
                 message_type: str = "LtiResourceLinkRequest", extra: dict[str, Any] | None = None) -> str:
        """The id_token the platform posts to the tool's launch URL."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer, "aud": self.client_id, "sub": sub, "iat": now, "exp": now + 300, "nonce": nonce,
            "name": name, "given_name": name.split()[0], "family_name": name.split()[-1],
            CLAIM + "message_type": message_type, CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": self.deployment_id,
            CLAIM + "target_link_uri": "http://localhost/lti/launch",
            CLAIM + "roles": list(roles),
            CLAIM + "context": {"id": context_id, "title": context_title},
            CLAIM + "resource_link": {"id": resource_link, "title": "Chain rule practice"},
            CLAIM + "custom": custom or {},
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": AGS_SCOPES, "lineitems": f"{self.base}/contexts/{context_id}/lineitems",
                **({"lineitem": line_item} if line_item else {})},
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": f"{self.base}/contexts/{context_id}/memberships",
                "service_versions": ["2.0"]},
            **(extra or {}),
        }
        pem = self.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption())
        return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": self.kid})

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        route = urlsplit(path).path
        if method == "GET" and route == "/jwks":
            return 200, self.jwks()
        if method == "POST" and route == "/token":
            return self._token(parse_qs(body.decode()))
        if not headers.get("authorization", "").startswith("Bearer platform-token-"):
            return 401, {"error": "no access token"}
        if route.endswith("/lineitems") and method == "GET":
            return 200, self.line_items
        if route.endswith("/lineitems") and method == "POST":
            item = {**json.loads(body), "id": f"{self.base}{route}/{len(self.line_items) + 1}"}
            with self.lock:
                self.line_items.append(item)
            return 201, item
        if route.endswith("/scores") and method == "POST":
            with self.lock:
                self.scores.append((route, json.loads(body)))
            return self.score_status, {}
        if route.endswith("/memberships"):
            return 200, {"id": f"{self.base}{route}", "context": {"id": "course-42"}, "members": self.members}
        return 404, {"error": "not found"}

    def _token(self, form: dict[str, list[str]]) -> tuple[int, Any]:
        assertion = form.get("client_assertion", [""])[0]
        header = jwt.get_unverified_header(assertion)
        key = next((k for k in self.tool_jwks.get("keys", []) if k.get("kid") == header.get("kid")), None)
        if key is None:
            return 401, {"error": "unknown tool key"}
        claims = jwt.decode(assertion, jwt.algorithms.RSAAlgorithm.from_jwk(key), algorithms=["RS256"],
                            audience=f"{self.base}/token")
        if claims["iss"] != self.client_id or claims["sub"] != self.client_id:
            return 401, {"error": "wrong client"}
        with self.lock:
            self.token_requests += 1
        return 200, {"access_token": f"platform-token-{uuid.uuid4().hex}", "token_type": "Bearer",
                     "expires_in": 3600, "scope": " ".join(form.get("scope", [""])[0].split())}


@contextmanager
def running_lms() -> Iterator[FakeLms]:
    lms = FakeLms()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self, method: str) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0) or 0))
            status, payload = lms.handle(method, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            raw = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:  # noqa: N802
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._serve("POST")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    lms.base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield lms
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

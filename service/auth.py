"""Who is calling: credentials from the ``Authorization`` header, and roles.

Three kinds of credential are accepted:

``Authorization: Bearer lt_...``
    a learner token, returned once by ``POST /api/v1/learners``;
``Authorization: Bearer ik_...``
    an instructor API key, printed once by ``chain-tutor create-instructor``;
``Authorization: Bearer is_...``
    an instructor login token from ``POST /api/v1/instructors/login``: signed
    with ``SECRET_KEY``, valid for :data:`LOGIN_TOKEN_MAX_AGE` seconds, and
    void once the instructor's password changes;
``Authorization: Basic base64(email:password)``
    an instructor's email and password, for scripts and ``curl -u``.

No credential makes the caller anonymous; a credential that does not check
out is a 401 rather than anonymity, so a typo in a token is never silently
ignored. Views call :func:`require_learner`, :func:`require_instructor` or
:func:`require_principal` first thing.

The secrets themselves (token format, hashing) live in
:mod:`service.usecases.credentials`; they are re-exported here.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from typing import NoReturn

from flask import current_app, g, request
from flask_smorest import abort
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import Authorization

from service.extensions import db
from service.ratelimits import note_failed_login, refuse_while_locked
from service.usecases import (
    InvalidCredentials,
    Principal,
    authenticate_instructor,
    get_instructor,
    instructor_for_api_key,
    learner_for_token,
)
from service.usecases.credentials import (
    API_KEY_PREFIX,
    LEARNER_TOKEN_PREFIX,
    check_password,
    hash_password,
    hash_token,
    new_token,
)
from service.usecases.instructors import InstructorView

LOGIN_TOKEN_PREFIX = "is_"
LOGIN_TOKEN_MAX_AGE = 12 * 60 * 60
_LOGIN_SALT = "chain-tutor instructor login"
_MALFORMED = "The Authorization header is not 'Bearer <token>' or 'Basic ...'."
# How long a checked learner token is taken on trust (see RecentLearnerTokens).
LEARNER_TOKEN_TRUST_SECONDS = 60.0
LEARNER_TOKEN_CAPACITY = 50_000

__all__ = [
    "API_KEY_PREFIX", "LEARNER_TOKEN_PREFIX", "LOGIN_TOKEN_PREFIX", "LOGIN_TOKEN_MAX_AGE",
    "new_token", "hash_token", "hash_password", "check_password",
    "issue_login_token", "current_principal", "require_principal",
    "require_learner", "require_instructor", "check_password_login", "forget_learner_tokens",
]


def issue_login_token(instructor: InstructorView) -> str:
    """A signed, expiring bearer token for a logged-in instructor."""
    payload = {"id": instructor.id, "pw": instructor.password_fingerprint}
    return LOGIN_TOKEN_PREFIX + _serializer().dumps(payload)


def current_principal() -> Principal | None:
    """The caller of this request, or ``None`` when anonymous (cached per request).

    Aborts with 401 when a credential is given but does not check out.
    """
    if "principal" not in g:
        g.principal = _resolve(request.authorization)
    return g.principal


def require_principal() -> Principal:
    """The caller; 401 when anonymous."""
    principal = current_principal()
    if principal is None:
        abort(401, message="Sign in: send 'Authorization: Bearer <token>'.")
    return principal


def require_learner() -> str:
    """The calling learner's id; 401 when anonymous, 403 for an instructor."""
    principal = require_principal()
    if principal.role != "learner":
        abort(403, message="Only a learner may do this; send a learner token.")
    return str(principal.id)


def require_instructor() -> int:
    """The calling instructor's id; 401 when anonymous, 403 for a learner."""
    principal = require_principal()
    if not principal.is_instructor:
        abort(403, message="Only an instructor may do this.")
    return int(principal.id)


def _resolve(authorization: Authorization | None) -> Principal | None:
    if authorization is None:
        if request.headers.get("Authorization"):
            _unauthorised(_MALFORMED)
        return None
    if authorization.type == "basic":
        email, password = authorization.username or "", authorization.password or ""
        if not _plain_text(email) or not _plain_text(password):
            _unauthorised("The email or the password is wrong.")
        return _from_password(email, password)
    if authorization.type == "bearer" and authorization.token:
        return _from_token(authorization.token)
    _unauthorised(_MALFORMED)


class RecentLearnerTokens:
    """Learner tokens this process checked in the last ``ttl`` seconds, and whose they are.

    Every turn of a chat carries the learner's token, and looking it up was
    a database round trip (and a transaction) on the service's hottest
    path. A learner token never changes owner, so a positive answer can be
    reused for a short while; only known tokens are kept, so a wrong token
    is always checked. A replaced
    token is forgotten at once in the process that replaced it and trusted
    at most ``ttl`` seconds longer by the others. Keyed by the
    token's hash, like the database, so no secret outlives its request.
    ``last_seen_at`` is still written when a lookup happens, well within
    its five-minute resolution. Thread-safe; at ``capacity`` the oldest
    entries go first.
    """

    def __init__(self, ttl: float = LEARNER_TOKEN_TRUST_SECONDS, capacity: int = LEARNER_TOKEN_CAPACITY,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl, self._capacity, self._clock = ttl, capacity, clock
        self._entries: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, token_hash: str) -> str | None:
        """The learner id of a token checked lately, or ``None``."""
        entry = self._entries.get(token_hash)
        if entry is None or entry[1] <= self._clock():
            return None
        return entry[0]

    def put(self, token_hash: str, learner_id: str) -> None:
        """Remember that ``token_hash`` belongs to ``learner_id`` for the next ``ttl`` seconds."""
        with self._lock:
            self._entries.pop(token_hash, None)  # re-inserted at the young end
            self._entries[token_hash] = (learner_id, self._clock() + self._ttl)
            while len(self._entries) > self._capacity:
                del self._entries[next(iter(self._entries))]

    def forget(self, learner_id: str) -> None:
        """Drop every remembered token of ``learner_id`` (its token was just replaced)."""
        with self._lock:
            for token_hash in [key for key, (owner, _) in self._entries.items() if owner == learner_id]:
                del self._entries[token_hash]

    def __len__(self) -> int:
        return len(self._entries)


def forget_learner_tokens(learner_id: str) -> None:
    """Stop trusting this process's remembered tokens of the learner.

    Other processes trust theirs for at most :data:`LEARNER_TOKEN_TRUST_SECONDS`.
    """
    _recent_learner_tokens().forget(learner_id)


def _recent_learner_tokens() -> RecentLearnerTokens:
    # One per app (each app has its own database), made on first use.
    return current_app.extensions.setdefault("chain_tutor.learner_tokens", RecentLearnerTokens())


def _learner_for_token(token: str) -> str | None:
    recent, token_hash = _recent_learner_tokens(), hash_token(token)
    learner_id = recent.get(token_hash)
    if learner_id is None:
        learner_id = learner_for_token(db.session, token)
        if learner_id is not None:
            recent.put(token_hash, learner_id)
    return learner_id


def _from_token(token: str) -> Principal:
    if token.startswith(LEARNER_TOKEN_PREFIX):
        learner_id = _learner_for_token(token)
        if learner_id is not None:
            return Principal("learner", learner_id)
    elif token.startswith(API_KEY_PREFIX):
        instructor_id = instructor_for_api_key(db.session, token)
        if instructor_id is not None:
            return Principal("instructor", instructor_id)
    elif token.startswith(LOGIN_TOKEN_PREFIX):
        instructor_id = _from_login_token(token[len(LOGIN_TOKEN_PREFIX):])
        if instructor_id is not None:
            return Principal("instructor", instructor_id)
    _unauthorised("The token is unknown, expired or revoked.")


def _from_login_token(signed: str) -> int | None:
    try:
        payload = _serializer().loads(signed, max_age=LOGIN_TOKEN_MAX_AGE)
    except BadSignature:  # also covers SignatureExpired
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), int):
        return None
    instructor = get_instructor(db.session, payload["id"])
    if instructor is None or instructor.password_fingerprint != payload.get("pw"):
        return None
    return instructor.id


def check_password_login(email: str, password: str) -> InstructorView:
    """The instructor with this email and password, through the login backoff.

    Every password login (dashboard form, API login, HTTP Basic) comes here:
    a locked account or address is refused (429) before any hashing, and a
    wrong password counts against both (see :mod:`service.ratelimits`).
    Raises :class:`InvalidCredentials` for a wrong email or password.
    """
    refuse_while_locked(email)
    try:
        return authenticate_instructor(db.session, email, password)
    except InvalidCredentials:
        note_failed_login(email)
        raise


class RecentPasswordChecks:
    """Basic-auth credentials that checked out lately: a script's every request is not a scrypt.

    HTTP Basic sends the password with each request; hashing it each time
    costs tens of milliseconds of CPU. A successful check is remembered for
    ``ttl`` seconds under an HMAC of the email and password (with a key
    made for this process, so the table holds nothing reusable) together
    with the password fingerprint, so a password change ends it at once.
    """

    def __init__(self, ttl: float = 300.0, capacity: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl, self._capacity, self._clock = ttl, capacity, clock
        self._key = secrets.token_bytes(32)
        self._entries: dict[str, tuple[int, str, float]] = {}
        self._lock = threading.Lock()

    def _digest(self, email: str, password: str) -> str:
        message = f"{email}\0{password}".encode("utf-8", "surrogatepass")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def get(self, email: str, password: str) -> tuple[int, str] | None:
        """``(instructor id, password fingerprint)`` of a recent success, or ``None``."""
        entry = self._entries.get(self._digest(email, password))
        if entry is None or entry[2] <= self._clock():
            return None
        return entry[0], entry[1]

    def put(self, email: str, password: str, instructor: InstructorView) -> None:
        with self._lock:
            self._entries[self._digest(email, password)] = (
                instructor.id, instructor.password_fingerprint, self._clock() + self._ttl)
            while len(self._entries) > self._capacity:
                del self._entries[next(iter(self._entries))]


def _from_password(email: str, password: str) -> Principal:
    recent: RecentPasswordChecks = current_app.extensions.setdefault(
        "chain_tutor.password_checks", RecentPasswordChecks())
    refuse_while_locked(email)  # a locked account is locked for remembered passwords too
    remembered = recent.get(email, password)
    if remembered is not None:
        instructor = get_instructor(db.session, remembered[0])
        if instructor is not None and instructor.password_fingerprint == remembered[1]:
            return Principal("instructor", instructor.id)
    try:
        checked = check_password_login(email, password)
    except InvalidCredentials as error:
        _unauthorised(error.message)
    recent.put(email, password, checked)
    return Principal("instructor", checked.id)


def _plain_text(text: str) -> bool:
    """No NUL and no lone surrogate: text the database can be asked about."""
    return "\x00" not in text and _encodable(text)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_LOGIN_SALT)


def _unauthorised(message: str) -> NoReturn:
    abort(401, message=message)

"""Typed dependencies: the request's session and transaction, the caller, permission checks.

Dependencies that do no I/O are `async def`: they run in the event loop instead of taking a
thread each (a sync dependency costs a thread-pool round trip per request)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from easytune.api.state import AppState, app_state
from easytune.core import auth
from easytune.core.audit import Origin
from easytune.core.auth import Principal
from easytune.core.auth_cache import AuthCache
from easytune.core.errors import AuthenticationFailed, EasyTuneError, PermissionDenied
from easytune.core.inference import InferenceCache
from easytune.core.permissions import Permission, has_permission
from easytune.db.models import User
from easytune.jobs.service import Submitter
from easytune.settings import Settings


async def get_app_state(request: Request) -> AppState:
    """The app's typed state (built by create_app)."""
    return app_state(request.app)


AppStateDep = Annotated[AppState, Depends(get_app_state)]


async def get_settings(state: AppStateDep) -> Settings:
    """The app's settings."""
    return state.settings


async def get_session_factory(state: AppStateDep) -> sessionmaker[Session]:
    """Opens sessions of its own (job streams read on short sessions between frames)."""
    return state.session_factory


async def get_inference(state: AppStateDep) -> InferenceCache:
    """The loaded base models and adapters the playground and /v1 answer with."""
    return state.inference


SessionFactoryDep = Annotated[sessionmaker[Session], Depends(get_session_factory)]
InferenceDep = Annotated[InferenceCache, Depends(get_inference)]


async def db_slot(request: Request) -> AsyncIterator[None]:
    """One of the gate's slots for this request, awaited in the event loop (no thread held);
    503 + Retry-After when none frees up in time. Released before the response is sent."""
    request.state.release_db_slot = await app_state(request.app).db_gate.acquire()
    try:
        yield
    finally:
        request.state.release_db_slot()  # the slot held now (see reacquire_database)


async def get_session(
    request: Request, _slot: Annotated[None, Depends(db_slot, scope="function")]
) -> AsyncIterator[Session]:
    """The request owns the transaction: commit on success, roll back on error.

    Errors marked keep_changes (failed sign-ins, token reuse) commit first, so the security
    record survives the failed request. Runs before the response is sent (scope="function").
    Opening a session does no I/O, so only the end (commit or rollback) takes a thread.
    """
    session: Session = app_state(request.app).session_factory()
    try:
        yield session
    except EasyTuneError as exc:
        await _end_transaction(session, commit=exc.keep_changes)
        raise
    except BaseException:
        await _end_transaction(session, commit=False)
        raise
    await _end_transaction(session, commit=True)


async def _end_transaction(session: Session, *, commit: bool) -> None:
    idle = not (session.info.get(_CONNECTED) or session.new or session.dirty or session.deleted)
    if idle:
        _finish(session, commit)  # never reached the database, nothing to flush: no thread
        return
    # Shielded: a cancelled request (client gone) still ends its transaction and hands the
    # connection back to the pool.
    with anyio.CancelScope(shield=True):
        await run_in_threadpool(_finish, session, commit)


_CONNECTED = "easytune.connected"


def track_connections(factory: sessionmaker[Session]) -> None:
    """Mark the factory's sessions while they hold a connection (see _end_transaction): a
    route that ends its own transaction in its thread hop saves the second hop."""
    event.listen(factory, "after_begin", _mark_connected)
    event.listen(factory, "after_transaction_end", _mark_released)


def _mark_connected(session: Session, _transaction: Any, _connection: Any) -> None:
    session.info[_CONNECTED] = True


def _mark_released(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction: its connection went back
        session.info.pop(_CONNECTED, None)


def read_only(session: Session) -> None:
    """Run the session's next queries in autocommit: no BEGIN and COMMIT round trips. For
    routes that only read and can take each query's own snapshot (a page and its count)."""
    if not session.in_transaction():  # else the caller's transaction already began: keep it
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def _finish(session: Session, commit: bool) -> None:
    with session:
        session.commit() if commit else session.rollback()


SettingsDep = Annotated[Settings, Depends(get_settings)]


def release_database(request: Request, session: Session) -> None:
    """End the request's transaction and give its gate slot back early: for routes that go
    on for long without the database (generation). Later queries open a new transaction."""
    session.commit()
    request.state.release_db_slot()


async def reacquire_database(request: Request) -> None:
    """Wait for a gate slot again after release_database (503 + Retry-After if none frees)."""
    request.state.release_db_slot = await app_state(request.app).db_gate.acquire()


async def get_executor(state: AppStateDep) -> Submitter:
    """How jobs reach workers (local: they poll; celery: sent after commit)."""
    return state.executor


ExecutorDep = Annotated[Submitter, Depends(get_executor)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

_bearer = HTTPBearer(auto_error=False, description="An access token or a personal API token")


async def get_principal(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The authenticated caller; 401 without valid credentials. A recently seen access
    token is answered from the auth cache in the event loop; otherwise one thread hop."""
    if credentials is None:
        raise AuthenticationFailed("authentication required: send Authorization: Bearer TOKEN")
    cache: AuthCache = app_state(request.app).auth_cache
    bearer = credentials.credentials
    principal = auth.cached_principal(session, settings, bearer, cache)
    if principal is None:
        principal = await run_in_threadpool(auth.authenticate, session, settings, bearer, cache)
    if principal.api_token_id is not None:
        app_state(request.app).verified_tokens.add(credentials.credentials)
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def get_current_user(principal: PrincipalDep) -> User:
    """The authenticated user (from the database, or the auth cache while current)."""
    return principal.user


CurrentUser = Annotated[User, Depends(get_current_user)]


async def client_address(request: Request) -> str | None:
    """The client's address as seen by the server (proxy headers handled by uvicorn)."""
    return request.client.host if request.client else None


ClientAddress = Annotated[str | None, Depends(client_address)]


async def get_origin(user: CurrentUser, client: ClientAddress) -> Origin:
    """Who acts and from where, for the audit trail."""
    return Origin(user=user, client_address=client)


OriginDep = Annotated[Origin, Depends(get_origin)]


class PermissionCheck:
    """Dependency that passes only when the caller's role grants `permission`."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def __call__(self, user: CurrentUser) -> User:
        if not has_permission(user.role, self.permission):
            raise PermissionDenied(f"your role ({user.role}) lacks {self.permission.value}")
        return user


class PublicAccess:
    """Marks a route that needs no authentication (sign-in, health); checked by tests."""

    async def __call__(self) -> None:
        return None


def require(permission: Permission) -> Any:
    """The one authorization dependency: `dependencies=[require(Permission.X)]`."""
    return Depends(PermissionCheck(permission))


def public() -> Any:
    """Declare a route open to anonymous callers: `dependencies=[public()]`."""
    return Depends(PublicAccess())

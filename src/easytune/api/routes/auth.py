"""/api/v1/auth: sign-in, refresh, sign-out, me, own password, personal API tokens."""

from __future__ import annotations

from fastapi import APIRouter, status

from easytune.api.deps import (
    ClientAddress,
    CurrentUser,
    OriginDep,
    PrincipalDep,
    SessionDep,
    SettingsDep,
    public,
    require,
)
from easytune.api.schemas.auth import (
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenPublic,
    ApiTokensPublic,
    LoginRequest,
    PasswordChange,
    RefreshRequest,
    TokenPairPublic,
)
from easytune.api.schemas.common import ERROR_RESPONSES, RowId
from easytune.api.schemas.users import Me, UserPublic
from easytune.core import api_tokens, auth, users
from easytune.core.audit import Origin
from easytune.core.permissions import ROLE_PERMISSIONS, Permission

router = APIRouter(prefix="/auth", tags=["auth"], responses=ERROR_RESPONSES)
SELF = [require(Permission.ACCOUNT_SELF)]


@router.post("/login", dependencies=[public()])
def login(
    body: LoginRequest, session: SessionDep, settings: SettingsDep, client: ClientAddress
) -> TokenPairPublic:
    """Sign in; throttled per account and per address (429 with Retry-After)."""
    pair = auth.login(session, settings, body.username, body.password, Origin(None, client))
    return TokenPairPublic(**vars(pair))


@router.post("/refresh", dependencies=[public()])
def refresh(
    body: RefreshRequest, session: SessionDep, settings: SettingsDep, client: ClientAddress
) -> TokenPairPublic:
    """Trade a refresh token for a new pair; each refresh token works once."""
    pair = auth.refresh(session, settings, body.refresh_token, Origin(None, client))
    return TokenPairPublic(**vars(pair))


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, dependencies=SELF)
def logout(session: SessionDep, principal: PrincipalDep, origin: OriginDep) -> None:
    """End this sign-in: its access and refresh tokens stop working at once."""
    auth.logout(session, principal, origin)


@router.get("/me", dependencies=SELF)
async def me(user: CurrentUser) -> Me:
    """The caller's account and permissions."""
    # async: no I/O here, the user's columns are loaded (from the query or the auth cache).
    permissions = sorted(p.value for p in ROLE_PERMISSIONS[user.role])
    return Me(**UserPublic.model_validate(user).model_dump(), permissions=permissions)


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT, dependencies=SELF)
def change_password(
    body: PasswordChange,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    origin: OriginDep,
) -> None:
    """Change one's own password; every session ends and every personal API token is
    revoked, so sign in again and create new tokens."""
    users.change_own_password(
        session, settings, user, body.current_password, body.new_password, origin
    )


@router.post("/tokens", status_code=status.HTTP_201_CREATED, dependencies=SELF)
def create_token(
    body: ApiTokenCreate,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    origin: OriginDep,
) -> ApiTokenCreated:
    """Create a personal API token (signed-in sessions only, not with a token); the secret is
    in this response only."""
    created = api_tokens.create(
        session, settings, principal, body.name, body.expires_in_days, origin
    )
    public_part = ApiTokenPublic.model_validate(created.row).model_dump()
    return ApiTokenCreated(**public_part, token=created.secret)


@router.get("/tokens", dependencies=SELF)
def list_tokens(session: SessionDep, user: CurrentUser) -> ApiTokensPublic:
    """The caller's personal API tokens (without secrets)."""
    rows = api_tokens.list_for(session, user)
    return ApiTokensPublic(data=[ApiTokenPublic.model_validate(r) for r in rows], count=len(rows))


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=SELF)
def revoke_token(
    token_id: RowId, session: SessionDep, user: CurrentUser, origin: OriginDep
) -> None:
    """Revoke one of the caller's personal API tokens."""
    api_tokens.revoke(session, user, token_id, origin)

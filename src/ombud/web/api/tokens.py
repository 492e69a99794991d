"""/api/tokens: API tokens — each user their own, admins anyone's. The token itself is in the answer to its
creation only."""

from __future__ import annotations

from fastapi import APIRouter, status

from ombud.access.roles import Permission
from ombud.access.tokens import create_token, get_token, list_tokens, revoke_token
from ombud.access.users import get_user
from ombud.errors import PermissionDenied
from ombud.store.models import ApiToken
from ombud.web.deps import CurrentUser, SessionDep
from ombud.web.schemas.users import TokenCreate, TokenCreated, TokenPublic

router = APIRouter(prefix="/tokens", tags=["tokens"])


def token_public(token: ApiToken) -> dict[str, object]:
    return {
        "id": token.id,
        "user_id": token.user_id,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at.isoformat(),
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    }


@router.get("", response_model=list[TokenPublic])
def read_tokens(session: SessionDep, principal: CurrentUser) -> list[dict[str, object]]:
    """Your tokens; an admin sees everyone's."""
    owner = None if principal.can(Permission.ADMINISTER) else principal.user
    return [token_public(token) for token in list_tokens(session, owner)]


@router.post("", response_model=TokenCreated, status_code=status.HTTP_201_CREATED)
def make_token(request: TokenCreate, session: SessionDep, principal: CurrentUser) -> dict[str, object]:
    """A new token acting as you (or, for an admin, as ``user_id``); keep it, it is not shown again."""
    owner = principal.user
    if request.user_id is not None and request.user_id != principal.user.id:
        if not principal.can(Permission.ADMINISTER):
            raise PermissionDenied("only an admin makes tokens for others")
        owner = get_user(session, request.user_id)
    created = create_token(session, owner, request.name)
    session.commit()
    return {**token_public(created.token), "token": created.secret}


@router.delete("/{token_id}", response_model=TokenPublic)
def delete_token(token_id: int, session: SessionDep, principal: CurrentUser) -> dict[str, object]:
    """Revoke a token: requests with it are refused from now on."""
    token = get_token(session, token_id)
    if token.user_id != principal.user.id and not principal.can(Permission.ADMINISTER):
        raise PermissionDenied("this token is not yours")
    revoke_token(session, token)
    session.commit()
    return token_public(token)

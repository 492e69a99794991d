"""/api/users: adding, changing and disabling users (admins only)."""

from __future__ import annotations

from fastapi import APIRouter, status

from ombud.access.users import add_user, disable_user, enable_user, get_user, list_users, update_user
from ombud.errors import UserError
from ombud.store.models import User
from ombud.web.deps import Admin, CurrentUser, SessionDep
from ombud.web.schemas.users import UserCreate, UserPublic, UserUpdate

router = APIRouter(prefix="/users", tags=["users"])


def user_public(user: User) -> dict[str, object]:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "language": user.language,
        "created_at": user.created_at.isoformat(),
        "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
        "disabled_at": user.disabled_at.isoformat() if user.disabled_at else None,
    }


@router.get("/me", response_model=UserPublic)
def read_me(principal: CurrentUser) -> dict[str, object]:
    """The user the request acts as."""
    return user_public(principal.user)


@router.get("", response_model=list[UserPublic])
def read_users(session: SessionDep, _principal: Admin) -> list[dict[str, object]]:
    return [user_public(user) for user in list_users(session)]


@router.post("", response_model=UserPublic, status_code=status.HTTP_201_CREATED)
def create_user(request: UserCreate, session: SessionDep, _principal: Admin) -> dict[str, object]:
    user = add_user(
        session,
        request.email,
        role=request.role,
        password=request.password,
        name=request.name,
        language=request.language,
    )
    session.commit()
    return user_public(user)


@router.patch("/{user_id}", response_model=UserPublic)
def change_user(user_id: int, request: UserUpdate, session: SessionDep, principal: Admin) -> dict[str, object]:
    """Change role, name, language or password; ``disabled`` true ends the user's sessions and tokens."""
    user = get_user(session, user_id)
    if request.disabled and user.id == principal.user.id:
        raise UserError("you cannot disable yourself; ask another admin")
    update_user(
        session, user, role=request.role, name=request.name, language=request.language, password=request.password
    )
    if request.disabled is True:
        disable_user(session, user)
    elif request.disabled is False:
        enable_user(session, user)
    session.commit()
    return user_public(user)

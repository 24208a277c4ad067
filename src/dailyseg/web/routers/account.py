"""People on the web: sign-in and sign-out, the admin page, the daily close and the audit log.

Signing in makes a server-side session (store/sessions.py) whose id goes in an HttpOnly, SameSite=Lax cookie
(Secure when the request came over https); signing out deletes it in the store. The admin page manages users
and tokens through the store functions `dailyseg user` calls (store/people.py). Each user's own tokens
are on the account page. The close and audit pages are in routers/closes.py and routers/audit_page.py,
included here.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dailyseg.store import Store
from dailyseg.store.people import ROLES, Denied, PeopleError, add_user, disable, issue_token, list_users, revoke_token, set_roles
from dailyseg.store.sessions import SESSION_COOKIE, LockedOut, sign_in, sign_out
from dailyseg.web.access import ADMIN, MEMBER, PUBLIC, Caller, safe_next
from dailyseg.web.deps import MAX_FILING_ID, get_store
from dailyseg.web.respond import page
from dailyseg.web.routers import audit_page, closes
from dailyseg.web.security import csrf_checked, settings_of

router = APIRouter(include_in_schema=False)
StoreDep = Annotated[Store, Depends(get_store)]
Public = Annotated[Caller, Depends(PUBLIC)]
Admin = Annotated[Caller, Depends(ADMIN)]
Checked = Depends(csrf_checked)
UserName = Annotated[str, Path(max_length=100, description="a user's name")]
Roles = Annotated[list[str] | None, Form(description="the roles to hold")]
TokenId = Annotated[int, Form(ge=1, le=MAX_FILING_ID, description="a token's number")]
Member = Annotated[Caller, Depends(MEMBER)]


def _address(request: Request) -> str:
    return request.client.host if request.client is not None else "-"


def _login_page(request: Request, target: str, message: str | None = None, status: int = 200, name: str = "") -> HTMLResponse:
    response = page(request, "login.html.j2", {"next": safe_next(target), "message": message, "name": name}, status)
    response.headers["cache-control"] = "no-store"
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, _: Public, target: Annotated[str, Query(alias="next", max_length=2000)] = "/") -> HTMLResponse:
    return _login_page(request, target)


@router.post("/login", response_class=HTMLResponse, dependencies=[Checked])
def login(
    request: Request,
    who: Public,
    store: StoreDep,
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    target: Annotated[str, Form(alias="next", max_length=2000)] = "/",
) -> Response:
    """Check the name and password, open a session and go back to where the user was going."""
    settings = settings_of(request)
    try:
        _, session_id = sign_in(store, settings, name, password, _address(request))
    except LockedOut as locked:
        refused = _login_page(request, target, str(locked), 429, name)
        refused.headers["retry-after"] = str(locked.retry_after)
        return refused
    except Denied as denied:
        return _login_page(request, target, str(denied), 401, name)
    if who.session is not None:  # a new session replaces the one this browser had
        sign_out(store, who.session, _address(request))
    response = RedirectResponse(safe_next(target), status_code=303)
    secure = request.url.scheme == "https"
    response.set_cookie(SESSION_COOKIE, session_id, httponly=True, samesite="lax", secure=secure, path="/")
    return response


@router.post("/logout", dependencies=[Checked])
def logout(request: Request, who: Public, store: StoreDep) -> Response:
    """End the session in the store (the cookie is worth nothing afterwards) and forget the cookie."""
    if who.session is not None:
        sign_out(store, who.session, _address(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https")
    return response


def _admin_page(request: Request, store: Store, message: str | None = None, status: int = 200, **more: Any) -> HTMLResponse:
    context = {"users": list_users(store), "roles": ROLES, "message": message, "issued": None} | more
    response = page(request, "admin.html.j2", context, status)
    response.headers["cache-control"] = "no-store"  # a token shown once must not be kept by a cache either
    return response


def _admin_step(request: Request, store: Store, act: Any) -> Response:
    """Run one change through people.py: done, back to the page; refused, the page with the reason."""
    try:
        act()
    except Denied as denied:
        return _admin_page(request, store, str(denied), 403)
    except PeopleError as problem:
        return _admin_page(request, store, str(problem), 422)
    return RedirectResponse("/admin", status_code=303)


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request, store: StoreDep, _: Admin) -> HTMLResponse:
    """Users, their roles and live tokens; forms to add, change, disable, and to issue and revoke tokens."""
    return _admin_page(request, store)


@router.post("/admin/users", response_class=HTMLResponse, dependencies=[Checked])
def admin_add(
    request: Request,
    store: StoreDep,
    who: Admin,
    name: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    roles: Roles = None,
) -> Response:
    assert who.actor is not None
    actor = who.actor
    return _admin_step(request, store, lambda: add_user(store, actor, name.strip(), password, roles or []))


@router.post("/admin/users/{name}/roles", response_class=HTMLResponse, dependencies=[Checked])
def admin_roles(request: Request, store: StoreDep, who: Admin, name: UserName, roles: Roles = None) -> Response:
    assert who.actor is not None
    actor = who.actor
    return _admin_step(request, store, lambda: set_roles(store, actor, name, roles or []))


@router.post("/admin/users/{name}/disable", response_class=HTMLResponse, dependencies=[Checked])
def admin_disable(request: Request, store: StoreDep, who: Admin, name: UserName) -> Response:
    assert who.actor is not None
    actor = who.actor
    return _admin_step(request, store, lambda: disable(store, actor, name))


@router.post("/admin/users/{name}/tokens", response_class=HTMLResponse, dependencies=[Checked])
def admin_issue(request: Request, store: StoreDep, who: Admin, name: UserName) -> Response:
    """A new API token for the user, shown on this answer only (the store keeps its hash)."""
    assert who.actor is not None
    try:
        token_id, token = issue_token(store, who.actor, name)
    except PeopleError as problem:
        return _admin_page(request, store, str(problem), 422)
    return _admin_page(request, store, issued={"name": name, "id": token_id, "token": token})


@router.post("/admin/tokens/revoke", response_class=HTMLResponse, dependencies=[Checked])
def admin_revoke(request: Request, store: StoreDep, who: Admin, token_id: TokenId) -> Response:
    assert who.actor is not None
    actor = who.actor
    return _admin_step(request, store, lambda: revoke_token(store, actor, token_id))


def _account_page(request: Request, store: Store, who: Caller, message: str | None = None, status: int = 200, **more: Any) -> HTMLResponse:
    assert who.actor is not None
    me = [u for u in list_users(store) if u.name == who.actor.name]
    response = page(request, "account.html.j2", {"me": me[0] if me else None, "message": message, "issued": None} | more, status)
    response.headers["cache-control"] = "no-store"
    return response


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, store: StoreDep, who: Member) -> HTMLResponse:
    """The signed-in user's own API tokens (for scripts and the API): issue one, revoke one."""
    return _account_page(request, store, who)


@router.post("/account/tokens", response_class=HTMLResponse, dependencies=[Checked])
def account_issue(request: Request, store: StoreDep, who: Member) -> Response:
    """A new token of one's own, shown on this answer only (as `dailyseg user token NAME --as NAME`)."""
    assert who.actor is not None
    try:
        token_id, token = issue_token(store, who.actor, who.actor.name)
    except (Denied, PeopleError) as problem:
        return _account_page(request, store, who, str(problem), 403 if isinstance(problem, Denied) else 422)
    return _account_page(request, store, who, issued={"name": who.actor.name, "id": token_id, "token": token})


@router.post("/account/tokens/revoke", response_class=HTMLResponse, dependencies=[Checked])
def account_revoke(request: Request, store: StoreDep, who: Member, token_id: TokenId) -> Response:
    """Revoke a token of one's own (an admin may revoke anyone's here too, as on the command line)."""
    assert who.actor is not None
    try:
        revoke_token(store, who.actor, token_id)
    except Denied as denied:
        return _account_page(request, store, who, str(denied), 403)
    except PeopleError as problem:
        return _account_page(request, store, who, str(problem), 422)
    return RedirectResponse("/account", status_code=303)


router.include_router(closes.router)
router.include_router(audit_page.router)

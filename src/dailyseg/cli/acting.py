"""Who is acting on the command line, and how the store's refusals become exit codes.

One way to say who acts: `--as USER` (or $DAILYSEG_USER) with the user's password in $DAILYSEG_PASSWORD
or typed at a prompt; without a user, a personal API token in $DAILYSEG_TOKEN (`dailyseg user token`).
The check itself is `dailyseg.store.people.authenticate`, which the web app shares. The web server's
shared write token (also read from $DAILYSEG_TOKEN by `serve`) is the web's service account and stands
for no one here.

Exit codes of the commands that act: 0 done; 1 error findings block the approval (override them with a
reason); 2 the store could not be opened, the request names nothing (no such close or user), or the
command was used wrongly; 4 refused: unknown user, wrong password or token, a role the step needs, or
four eyes (a preparer reviewing or approving their own draft); 5 the filing is not in the state the step
needs (another person got there first; the message says who).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from dailyseg.cli.app import FOUND_ERRORS, UNREADABLE, fail

if TYPE_CHECKING:
    from dailyseg.store import Store
    from dailyseg.store.people import Actor
    from dailyseg.store.workflow import Refused

USER_ENV, PASSWORD_ENV, TOKEN_ENV = "DAILYSEG_USER", "DAILYSEG_PASSWORD", "DAILYSEG_TOKEN"
DENIED, CONFLICT = 4, 5
ACTING_EXIT_CODES = (
    "Exit codes: 0 done; 1 error findings block approval; 2 the store could not be opened, no such close or user, "
    "or a misused command; 4 refused (identity, role, four eyes); 5 the filing is not in the state the step needs."
)

F = TypeVar("F", bound=Callable[..., Any])


def as_option(function: F) -> F:
    return click.option(
        "--as",
        "as_user",
        metavar="USER",
        envvar=USER_ENV,
        help=f"Act as USER (default ${USER_ENV}); the password comes from ${PASSWORD_ENV} or a prompt. "
        f"Without a user, a personal token in ${TOKEN_ENV}.",
    )(function)


def acting(store: Store, as_user: str | None) -> Actor:
    """The authenticated actor, or exit: 2 when no identity is given, 4 when it is refused."""
    from dailyseg.store.database import store_errors
    from dailyseg.store.people import Denied, authenticate

    token = os.environ.get(TOKEN_ENV) if as_user is None else None
    password = None
    if as_user is not None:
        password = os.environ.get(PASSWORD_ENV)
        if password is None:
            if not sys.stdin.isatty():
                fail(f"no password for {as_user!r}: set ${PASSWORD_ENV} or run on a terminal to be asked", UNREADABLE)
            password = click.prompt(f"password for {as_user}", hide_input=True, err=True)
    elif not token:
        fail(f"say who is acting: --as USER (or ${USER_ENV}) with ${PASSWORD_ENV}, or a personal token in ${TOKEN_ENV}", UNREADABLE)
    try:
        with store_errors(store.engine.url), store.engine.connect() as conn:
            return authenticate(conn, name=as_user, password=password, token=token)
    except Denied as problem:
        fail(str(problem), DENIED)


def refused(problem: Refused) -> NoReturn:
    """Exit with the code of a refused step, saying why on one line."""
    codes = {"denied": DENIED, "conflict": CONFLICT, "errors": FOUND_ERRORS, "invalid": UNREADABLE}
    fail(str(problem), codes[problem.kind])

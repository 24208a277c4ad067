"""`dailyseg user`: add, list, disable and give roles to the people who act on the store, and their tokens."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from dailyseg.cli.acting import DENIED, TOKEN_ENV, acting, as_option
from dailyseg.cli.app import UNREADABLE, fail, format_option, main
from dailyseg.cli.output import Column, Listing, emit_json, say, show
from dailyseg.cli.store_options import db_option, open_store

NEW_PASSWORD_ENV = "DAILYSEG_NEW_PASSWORD"
ROLE_CHOICE = click.Choice(["viewer", "preparer", "signer", "admin"])
EXIT_CODES = "Exit codes: 0 done; 2 the store could not be opened, no such user, or a misused command; 4 refused (identity or role)."


@contextmanager
def _people_errors() -> Iterator[None]:
    """A refusal or an impossible request as one line and its exit code."""
    from dailyseg.store.people import Denied, PeopleError

    try:
        yield
    except Denied as problem:
        fail(str(problem), DENIED)
    except PeopleError as problem:
        fail(str(problem), UNREADABLE)


@main.group(epilog=EXIT_CODES)
def user() -> None:
    """Manage users: roles viewer, preparer, signer and admin (a user may hold several), and API tokens.

    The first user is added without signing in and must be an admin; after that an admin acts (--as).
    Passwords are hashed with Argon2id; tokens are shown once and kept only as their SHA-256.
    """


@user.command(name="add", epilog=EXIT_CODES)
@click.argument("name")
@click.option("--role", "roles", type=ROLE_CHOICE, multiple=True, required=True, help="A role to give (repeat for several).")
@as_option
@db_option
def add_command(name: str, roles: tuple[str, ...], as_user: str | None, db: str | None) -> None:
    """Add the user NAME; the new password comes from $DAILYSEG_NEW_PASSWORD or is asked twice."""
    from dailyseg.store.people import add_user, list_users

    password = os.environ.get(NEW_PASSWORD_ENV)
    if password is None:
        if not sys.stdin.isatty():
            fail(f"no password for the new user: set ${NEW_PASSWORD_ENV} or run on a terminal to be asked", UNREADABLE)
        password = click.prompt(f"new password for {name}", hide_input=True, confirmation_prompt=True, err=True)
    with open_store(db, create=True) as store, _people_errors():
        first = as_user is None and not os.environ.get(TOKEN_ENV) and not list_users(store)
        actor = None if first else acting(store, as_user)
        add_user(store, actor, name, password, roles)
    say(f"added {name} ({', '.join(sorted(roles))})")


@user.command(name="list", epilog="Exit codes: 0 listed; 2 the store could not be opened.")
@db_option
@format_option(["table", "csv", "json"], "table")
def list_command(db: str | None, fmt: str) -> None:
    """List every user with their roles, whether disabled, and how many live tokens they hold."""
    from dailyseg.store.people import list_users

    with open_store(db) as store:
        found = list_users(store)
    if fmt == "json":
        emit_json(
            [
                {"name": u.name, "roles": list(u.roles), "disabled": u.disabled, "tokens": u.tokens, "created_at": u.created_at.isoformat()}
                for u in found
            ]
        )
        return
    listing = Listing(
        [
            Column("name", "name", "id"),
            Column("roles", "roles"),
            Column("disabled", "disabled", "mark"),
            Column("tokens", "tokens", "number"),
        ]
    )
    for u in found:
        listing.add(u.name, ",".join(u.roles), "yes" if u.disabled else "", u.tokens)
    show(listing, fmt)


@user.command(name="disable", epilog=EXIT_CODES)
@click.argument("name")
@as_option
@db_option
def disable_command(name: str, as_user: str | None, db: str | None) -> None:
    """Disable NAME: no more sign-in or token use. Users are never deleted, so the log always names someone."""
    from dailyseg.store.people import disable

    with open_store(db) as store, _people_errors():
        disable(store, acting(store, as_user), name)
    say(f"disabled {name}")


@user.command(name="set-role", epilog=EXIT_CODES)
@click.argument("name")
@click.option("--role", "roles", type=ROLE_CHOICE, multiple=True, required=True, help="A role NAME will hold (repeat for several).")
@as_option
@db_option
def set_role_command(name: str, roles: tuple[str, ...], as_user: str | None, db: str | None) -> None:
    """Replace NAME's roles with those given (the last enabled admin keeps the admin role)."""
    from dailyseg.store.people import set_roles

    with open_store(db) as store, _people_errors():
        set_roles(store, acting(store, as_user), name, roles)
    say(f"{name}: {', '.join(sorted(set(roles)))}")


@user.command(name="token", epilog=EXIT_CODES)
@click.argument("name")
@as_option
@db_option
@format_option(["text", "json"], "text")
def token_command(name: str, as_user: str | None, db: str | None, fmt: str) -> None:
    """Make an API token for NAME (yourself, or anyone as an admin), printed once: keep it in $DAILYSEG_TOKEN."""
    from dailyseg.store.people import issue_token

    with open_store(db) as store, _people_errors():
        token_id, token = issue_token(store, acting(store, as_user), name)
    if fmt == "json":
        emit_json({"id": token_id, "user": name, "token": token})
    else:
        say(token)
        say(f"token {token_id} for {name}: shown only now (revoke with `dailyseg user revoke {token_id}`)", err=True)


@user.command(name="revoke", epilog=EXIT_CODES)
@click.argument("token_id", type=click.IntRange(min=1))
@as_option
@db_option
def revoke_command(token_id: int, as_user: str | None, db: str | None) -> None:
    """Revoke the token TOKEN_ID (your own, or anyone's as an admin)."""
    from dailyseg.store.people import revoke_token

    with open_store(db) as store, _people_errors():
        owner = revoke_token(store, acting(store, as_user), token_id)
    say(f"revoked token {token_id} of {owner}")

"""Workbench accounts: argon2id password hashes, roles, and a small CLI.

Usage::

    python -m workbench.users add NAME --role trainer      # asks the password twice
    python -m workbench.users add NAME --role lead --password-stdin
    python -m workbench.users list
    python -m workbench.users disable NAME

Roles, each including the one before: ``viewer`` (reads the inbox, conversations, answers),
``trainer`` (labels, proposes rules, responses and content changes), ``lead`` (approves batches,
starts the check and the commit).
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine

from workbench.config import WorkbenchSettings
from workbench.store import make_engine, record, sessions, users

ROLES: tuple[str, ...] = ("viewer", "trainer", "lead")
MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()
# Verifying against this keeps the time of a login for an unknown name like a known one.
_DUMMY_HASH = _hasher.hash("workbench-dummy-password")


def has_role(role: str, needed: str) -> bool:
    """Whether ``role`` includes ``needed`` (lead > trainer > viewer)."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def add_user(engine: Engine, username: str, password: str, role: str) -> None:
    """Create an account.

    Raises:
        ValueError: unknown role, short password or existing name.
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if not username or not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
        raise ValueError("a user name has letters, digits, '.', '-' or '_'")
    with engine.begin() as connection:
        if connection.execute(sa.select(users.c.id).where(users.c.username == username)).first():
            raise ValueError(f"user {username!r} exists")
        connection.execute(
            users.insert().values(
                username=username,
                password_hash=_hasher.hash(password),
                role=role,
                active=True,
                created_at=time.time(),
            )
        )
    record(engine, "cli", "account aangemaakt", {"gebruiker": username, "rol": role})


def authenticate(engine: Engine, username: str, password: str) -> dict[str, Any] | None:
    """The account when the name and password match an active account, else None."""
    with engine.connect() as connection:
        row = connection.execute(sa.select(users).where(users.c.username == username)).mappings().first()
    if row is None or not row["active"]:
        try:
            _hasher.verify(_DUMMY_HASH, password + "x")
        except VerificationError:
            pass
        return None
    try:
        _hasher.verify(row["password_hash"], password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(row["password_hash"]):
        with engine.begin() as connection:
            connection.execute(
                users.update().where(users.c.id == row["id"]).values(password_hash=_hasher.hash(password))
            )
    return dict(row)


def get_user(engine: Engine, username: str) -> dict[str, Any] | None:
    """An active account by name."""
    with engine.connect() as connection:
        row = connection.execute(sa.select(users).where(users.c.username == username)).mappings().first()
    return dict(row) if row and row["active"] else None


def main(argv: list[str] | None = None) -> int:
    """The account CLI."""
    parser = argparse.ArgumentParser(prog="python -m workbench.users", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    sub.add_parser("list", help="list accounts")
    disable = sub.add_parser("disable", help="disable an account")
    disable.add_argument("username")
    args = parser.parse_args(argv)
    engine = make_engine(WorkbenchSettings.from_env().db_url)
    if args.command == "add":
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Wachtwoord: ")
            if getpass.getpass("Nogmaals: ") != password:
                print("error: the passwords differ", file=sys.stderr)
                return 1
        try:
            add_user(engine, args.username, password, args.role)
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print(f"account {args.username} ({args.role}) created")
    elif args.command == "list":
        with engine.connect() as connection:
            for row in connection.execute(sa.select(users).order_by(users.c.username)).mappings():
                print(f"{row['username']:24} {row['role']:8} {'active' if row['active'] else 'disabled'}")
    else:
        with engine.begin() as connection:
            done = connection.execute(
                users.update().where(users.c.username == args.username).values(active=False)
            )
        if not done.rowcount:
            print(f"error: no user {args.username!r}", file=sys.stderr)
            return 1
        with engine.begin() as connection:
            connection.execute(sessions_delete(args.username))
        record(engine, "cli", "account uitgeschakeld", {"gebruiker": args.username})
        print(f"account {args.username} disabled")
    return 0


def sessions_delete(username: str) -> Any:
    """The statement that ends every session of ``username``."""
    return sessions.delete().where(sessions.c.username == username)


if __name__ == "__main__":
    sys.exit(main())

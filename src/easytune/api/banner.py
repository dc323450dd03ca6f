"""The first admin password, in a box: printed once, after start-up, where people look.

Printed inside the lifespan it scrolled away under the start-up log lines (JSON in production);
`easytune serve` prints it after uvicorn says it is listening instead (cli.platform.serve).
"""

from __future__ import annotations

import sys

from fastapi import FastAPI

WIDTH = 76


def admin_password_box(username: str, password: str, url: str | None) -> str:
    """The box: account, password, where to sign in and where to change it."""
    lines = [
        "EasyTune created the admin account (shown only this once):",
        "",
        f"    username: {username}",
        f"    password: {password}",
        "",
        f"Sign in at {url}" if url else "Sign in to the web UI",
        "and change it under Settings > Password,",
        f"or on the server: easytune user passwd {username}",
        "(set EASYTUNE_ADMIN_PASSWORD before the first start to choose it).",
    ]
    inner = max(WIDTH, *(len(line) + 4 for line in lines))
    border = "+" + "-" * (inner - 2) + "+"
    body = [f"| {line.ljust(inner - 4)} |" for line in lines]
    return "\n".join(["", border, *body, border, ""])


def print_admin_password(app: FastAPI, url: str | None = None) -> None:
    """Print the box once if this start created the admin with a generated password."""
    from easytune.api.state import app_state

    state = app_state(app)
    password = state.first_admin_password
    if not password:
        return
    state.first_admin_password = None  # once
    username = state.first_admin_username
    print(admin_password_box(username, password, url), file=sys.stderr, flush=True)

"""The route template (`/api/v1/users/{user_id}`) a request was routed to, for metrics and logs."""

from __future__ import annotations

from typing import Any

from starlette.routing import Mount
from starlette.types import Scope

UNMATCHED = "unmatched"
REJECTED = "rejected"


def route_template(scope: Scope, entry_root_path: str = "") -> str:
    """Template of the route that handled the request, read from the scope after the app ran.

    `entry_root_path` is the scope's root_path before routing, so that the prefix added by
    mounted sub-apps can be put back. Requests refused by an ops middleware before routing are
    `rejected`; requests that matched no route are `unmatched`.
    """
    route: Any = scope.get("route") or _route_of_endpoint(scope)
    mount_prefix = str(scope.get("root_path", ""))[len(entry_root_path) :]
    if route is None and "endpoint" in scope:
        # A mount we could not find (e.g. inside a sub-app): its prefix is in root_path.
        return mount_prefix + "/{path}"
    if route is None:
        return REJECTED if scope.get("easytune.rejected_by") else UNMATCHED
    if isinstance(route, Mount):
        # A mount (e.g. static files) is the template itself: `/assets/{path}`.
        return mount_prefix.removesuffix(route.path) + route.path_format
    return mount_prefix + _path_format(scope, route)


def _route_of_endpoint(scope: Scope) -> Any:
    # FastAPI >= 0.16x sets scope["route"] only for its own APIRoutes; plain routes and mounts
    # (add_route, static files) leave just scope["endpoint"]: find the route owning it.
    endpoint = scope.get("endpoint")
    if endpoint is None:
        return None
    for candidate in getattr(scope.get("router"), "routes", ()):
        owned = (
            candidate.app if isinstance(candidate, Mount) else getattr(candidate, "endpoint", None)
        )
        if owned is endpoint:
            return candidate
    return None


def _path_format(scope: Scope, route: Any) -> str:
    # FastAPI >= 0.16x routes through included routers lazily and leaves scope["route"] as the
    # route *without* the router prefixes; its effective route context has the full template.
    context = scope.get("fastapi", {}).get("effective_route_context")
    full = getattr(context, "path_format", None)
    if isinstance(full, str) and full and getattr(context, "original_route", None) is route:
        return full
    fmt = getattr(route, "path_format", None)
    return fmt if isinstance(fmt, str) else UNMATCHED

"""HTTP layer: thin routes over easytune.core services."""

from easytune.api.app import create_app

__all__ = ["create_app"]

"""Pydantic request and response schemas (kept apart from the SQLAlchemy models)."""

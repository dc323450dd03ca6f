"""Routers of the OpenAI-compatible API, mounted under /v1."""

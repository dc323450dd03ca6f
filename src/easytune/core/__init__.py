"""Services: accounts, tokens, permissions, audit. No FastAPI here; callers own the commit."""

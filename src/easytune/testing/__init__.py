"""Builders of tiny random models and tokenizers for tests, benchmarks and offline demos."""

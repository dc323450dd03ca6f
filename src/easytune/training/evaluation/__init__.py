"""Evaluation: automatic, explainable scores of answers against references or a base answer."""

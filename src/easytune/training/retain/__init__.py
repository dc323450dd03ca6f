"""Retention: learning without forgetting (self-replay, a KL anchor, best-checkpoint selection).

Importing this package loads no torch: the intent engine reads the prompt set's facts from it.
"""

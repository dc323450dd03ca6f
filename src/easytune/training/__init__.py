"""The training engine: reads a TrainSpec, trains a LoRA adapter, writes progress and artifacts.

It imports nothing from the API, the database or the queue; the spec file is its contract.
"""

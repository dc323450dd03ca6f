"""The `easytune` command. Each area registers its own commands in COMMAND_MODULES."""

from __future__ import annotations

import importlib

import click

from easytune import __version__

# Modules that expose `register(group: click.Group) -> None`; imported lazily so that
# `easytune --help` stays fast and one area's heavy imports never load for another.
COMMAND_MODULES: tuple[str, ...] = (
    "easytune.cli.platform",
    "easytune.cli.training",
    "easytune.cli.worker",
    "easytune.cli.models",
    "easytune.cli.evaluate",
    "easytune.cli.export",
    "easytune.training.data.cli",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="easytune")
def main() -> None:
    """EasyTune: intent-driven LoRA fine-tuning."""


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(main)

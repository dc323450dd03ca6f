"""The reader's language on the command line: `--lang`, else the locale (zh_* -> Chinese)."""

from __future__ import annotations

import click

# As other command-line tools do, the language follows LC_ALL, LC_MESSAGES, then LANG.
LANG_OPTION = click.option(
    "--lang",
    "locale_name",
    envvar=["LC_ALL", "LC_MESSAGES", "LANG"],
    default="",
    help="Language of notes, reasons and events: zh* for Chinese, else English (default: $LANG)",
)

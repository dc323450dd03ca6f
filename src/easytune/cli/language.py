"""The reader's language on the command line: `--lang`, else the locale (zh_* -> Chinese)."""

from __future__ import annotations

import click

from easytune.i18n import Language, Msg, render, template

# As other command-line tools do, the language follows LC_ALL, LC_MESSAGES, then LANG.
LANG_OPTION = click.option(
    "--lang",
    "locale_name",
    envvar=["LC_ALL", "LC_MESSAGES", "LANG"],
    default="",
    help="Language of notes, reasons and events: zh* for Chinese, else English (default: $LANG)",
)

ERROR = template("cli.error", "error: {text}")
TRY = template("cli.try", "try: {text}")
WARNING = template("cli.warning", "warning: {text}")


def error_lines(error: Exception, language: Language) -> list[str]:
    """An engine error in `language`: its coded message (else its text), problems and hints.

    An error that words itself in a language (a dataset's DataValidationError, every bad line
    coded: `render(language)`) is shown as it says.
    """
    words, detail = getattr(error, "render", None), getattr(error, "detail", None)
    if callable(words):
        text = words(language)
    else:
        text = render(detail, language) if detail else getattr(error, "message", str(error))
    lines = [ERROR(text=text).render(language)]
    for problem in getattr(error, "problems", None) or []:
        coded = getattr(problem, "detail", None)
        said = coded.render(language) if isinstance(coded, Msg) else str(problem)
        lines.append(f"  - {problem.param}: {said}" if isinstance(coded, Msg) else f"  - {said}")
    hints = getattr(error, "suggestion_details", None) or getattr(error, "suggestions", [])
    lines += [f"  {TRY(text=h).render(language)}" for h in hints]
    return lines

"""`python -m easytune.i18n DIR`: write the message catalogues the web UI bundles (en, zh)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from easytune.i18n import web_catalogues


def main(folder: str) -> None:
    for language, catalogue in web_catalogues().items():
        text = json.dumps(catalogue, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        Path(folder, f"{language}.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "web/src/i18n/messages")

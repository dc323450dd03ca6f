"""`make run` installs a CJK font where it can, with the same check the browser test uses."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _dry_run(target: str) -> str:
    """The commands `make TARGET` would run (-n: nothing is executed), without prerequisites."""
    done = subprocess.run(["make", "-n", "-B", "-o", "install", "-o", "web-build", target],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_run_installs_a_cjk_font_like_the_browser_test() -> None:
    database = subprocess.run(["make", "-p", "-n", "-q", "cjk-font"], cwd=ROOT,
                              capture_output=True, text=True, timeout=60).stdout  # fmt: skip
    run_rule = next(line for line in database.splitlines() if line.startswith("run:"))
    assert "cjk-font" in run_rule.split(":", 1)[1].split()
    font, browser = _dry_run("cjk-font"), _dry_run("chromium")
    for recipe in (font, browser):
        assert "fc-list :lang=zh" in recipe and "fonts-wqy-zenhei" in recipe
        assert "apt-get install" in recipe and "see README.md" in recipe

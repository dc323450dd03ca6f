"""`python -m easytune.training run SPEC.json`: the training child the worker spawns."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "run":
        print("usage: python -m easytune.training run SPEC.json", file=sys.stderr)
        return 2
    from easytune.training.distributed import die_with_launcher, pin_device
    from easytune.training.runner import execute

    die_with_launcher()
    pin_device()
    return execute(argv[1])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""`python -m easytune.training.evaluation run SPEC.json`: the evaluation job's child."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "run":
        print("usage: python -m easytune.training.evaluation run SPEC.json", file=sys.stderr)
        return 2
    from easytune.training.evaluation.job import execute

    return execute(argv[1])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""``python -m bench --mode quick|full|scale``: run the harness on a database of its own."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench import database, report, scale
from bench.runner import run_cases
from bench.sizes import MODES

RESULTS = Path(__file__).parent / "results" / "latest.json"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--mode", choices=[*MODES, "scale"], default="quick")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the JSON")
    args = parser.parse_args(argv)
    with database.own_database() as url:
        machine = database.machine(url)
        _log(f"bench database {url.rsplit('/', 1)[1]} (dropped at the end)")
        if args.mode == "scale":
            doc = scale.run(url, machine, _log)
            text = scale.table(doc)
        else:
            cases, notes = run_cases(url, MODES[args.mode], _log)
            doc = report.result(machine, args.mode, cases, notes)
            text = report.table(doc)
    report.write(doc, args.out)
    print(text)
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Command line: ``python -m skgenfund tour [--out DIR]`` and ``... warmup``."""

import argparse
import sys


def main(argv=None):
    """Entry point of ``python -m skgenfund``."""
    parser = argparse.ArgumentParser(
        prog="python -m skgenfund",
        description="skgenfund: the fundamentals of generative models.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    tour = commands.add_parser(
        "tour",
        help="walk every topic end to end on bundled data; write figures and a report",
    )
    tour.add_argument(
        "--out",
        default="skgenfund_tour",
        help="folder for the figures and report.md (default: ./skgenfund_tour)",
    )
    commands.add_parser(
        "warmup",
        help="compile the kernels of large fits and compiled chains into Numba's "
        "disk cache now, so that no later process waits for them",
    )
    args = parser.parse_args(argv)
    if args.command == "warmup":
        from ._warmup import warmup

        print(
            f"Done in {warmup():.1f} s; later processes load the kernels from "
            "the cache."
        )
    if args.command == "tour":
        from ._tour import run_tour

        run_tour(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

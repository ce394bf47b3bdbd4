"""Command line: ``python -m skgenfund tour [--out DIR]``."""

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
    args = parser.parse_args(argv)
    if args.command == "tour":
        from ._tour import run_tour

        run_tour(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

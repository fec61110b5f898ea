"""``retour legal withdrawal|refund-due|guarantee|late-refund``: the calculator on the command line.

Options mirror the API's query parameters (``--delivered-on`` for ``delivered_on``) and the output
is the API's JSON. Bad input: a message on stderr and exit code 2. No Django needed.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from retour.legal import schemas

EXIT_BAD_INPUT = 2

# endpoint → (help, [(option, help)], [(dest, on-flag, off-flag, help)])
_OPTIONS: dict[str, tuple[str, list[tuple[str, str]], list[tuple[str, str, str, str]]]] = {
    "withdrawal": (
        "last day of the statutory withdrawal period",
        [("--country", "ISO country code, e.g. FR"), ("--delivered-on", "YYYY-MM-DD"),
         ("--subdivision", "region code, e.g. BY, 57, 6AE, MD"), ("--postal-code", "derives the region"),
         ("--informed-on", "YYYY-MM-DD the withdrawal information was received, when late")],
        [("informed", "--informed", "--not-informed", "whether the withdrawal information was given (default: yes)")],
    ),
    "refund-due": (
        "refund due date after a withdrawal",
        [("--country", "ISO country code"), ("--notice-received-on", "YYYY-MM-DD"),
         ("--proof-of-dispatch-on", "YYYY-MM-DD"), ("--goods-received-on", "YYYY-MM-DD")],
        [("goods_to_return", "--goods-to-return", "--no-goods-to-return",
          "whether the consumer must send goods back (default: yes)")],
    ),
    "guarantee": (
        "legal guarantee and presumption periods",
        [("--country", "ISO country code"), ("--delivered-on", "YYYY-MM-DD")],
        [("used", "--used", "--new", "second-hand goods (default: new)")],
    ),
    "late-refund": (
        "days late and statutory surcharge of a refund",
        [("--country", "ISO country code"), ("--due-on", "YYYY-MM-DD"), ("--paid-on", "YYYY-MM-DD"),
         ("--amount", "sums due, e.g. 104.90")],
        [],
    ),
}  # fmt: skip

_REQUIRED = {"--country", "--delivered-on", "--notice-received-on", "--due-on", "--paid-on", "--amount"}


def register(subparsers: Any) -> None:
    """Add ``legal`` and its four sub-commands to the ``retour`` command's sub-parsers."""
    legal = subparsers.add_parser("legal", help="consumer-law calculator", description=__doc__)
    commands = legal.add_subparsers(dest="legal_command", metavar="{" + ",".join(schemas.ENDPOINTS) + "}")
    commands.required = True
    for endpoint, (help_text, options, flags) in _OPTIONS.items():
        parser = commands.add_parser(endpoint, help=help_text)
        for option, option_help in options:
            parser.add_argument(option, required=option in _REQUIRED, help=option_help)
        for dest, on, off, flag_help in flags:
            group = parser.add_mutually_exclusive_group()
            group.add_argument(on, dest=dest, action="store_const", const="true", help=flag_help)
            group.add_argument(off, dest=dest, action="store_const", const="false")
        parser.add_argument("--lang", choices=("fr", "en"), default="en", help="language of the explanation")
        # needs_django=False: the calculator is pure; the `retour` command need not set Django up.
        parser.set_defaults(func=_handler(endpoint), legal_endpoint=endpoint, needs_django=False)


def _handler(endpoint: str) -> Any:
    def handle(args: argparse.Namespace) -> int:
        return run(endpoint, args)

    handle.__name__ = f"legal_{endpoint.replace('-', '_')}"
    return handle


def run(endpoint: str, args: argparse.Namespace) -> int:
    """Compute ``endpoint`` from parsed arguments, print the JSON, return the exit code."""
    raw = {key: value for key, value in vars(args).items() if isinstance(value, str)}
    try:
        payload = schemas.compute(endpoint, raw, args.lang)
    except schemas.ParamErrors as exc:
        for error in exc.errors:
            option = "--" + str(error["loc"][-1]).replace("_", "-")
            print(f"retour legal {endpoint}: {option}: {error['message']}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(json.dumps(payload, ensure_ascii=False, indent=2))
    return 0

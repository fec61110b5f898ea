"""``retour legal …``: same JSON as the API, exit code 2 and a message on stderr for bad input."""

from __future__ import annotations

import argparse
import json

import pytest

from retour.legal import cli


def run(capsys, *argv: str) -> tuple[int, dict | None, str]:
    parser = argparse.ArgumentParser(prog="retour")
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["legal", *argv])
    code = args.func(args)
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


def test_withdrawal(capsys):
    code, body, _ = run(capsys, "withdrawal", "--country", "FR", "--delivered-on", "2026-07-03")
    assert code == 0
    assert body == {
        "applies": True,
        "days": 14,
        "ends_on": "2026-07-17",
        "rolled_forward": False,
        "subdivision": None,
        "explanation": body["explanation"],
    }
    assert "Friday 17 July 2026" in body["explanation"]


def test_withdrawal_in_french_with_region_and_not_informed(capsys):
    code, body, _ = run(
        capsys,
        "withdrawal",
        "--country",
        "FR",
        "--delivered-on",
        "2026-03-02",
        "--not-informed",
        "--postal-code",
        "57000",
        "--lang",
        "fr",
    )
    assert code == 0
    assert (body["ends_on"], body["subdivision"]) == ("2027-03-16", "57")
    assert "n'a pas été informé" in body["explanation"]


def test_withdrawal_informed_late(capsys):
    code, body, _ = run(
        capsys,
        "withdrawal",
        "--country",
        "FR",
        "--delivered-on",
        "2026-07-03",
        "--informed",
        "--informed-on",
        "2026-08-10",
    )
    assert (code, body["ends_on"]) == (0, "2026-08-24")


def test_refund_due(capsys):
    code, body, _ = run(
        capsys,
        "refund-due",
        "--country",
        "FR",
        "--notice-received-on",
        "2026-07-10",
        "--proof-of-dispatch-on",
        "2026-07-29",
        "--goods-received-on",
        "2026-08-03",
    )
    assert code == 0
    assert (body["due_on"], body["waiting_for_goods"]) == ("2026-07-29", False)


def test_refund_due_nothing_to_return(capsys):
    code, body, _ = run(
        capsys, "refund-due", "--country", "GB", "--notice-received-on", "2026-07-10", "--no-goods-to-return"
    )
    assert (code, body["due_on"]) == (0, "2026-07-24")


def test_guarantee(capsys):
    code, body, _ = run(capsys, "guarantee", "--country", "ES", "--delivered-on", "2026-03-15")
    assert code == 0
    assert (body["guarantee_ends_on"], body["presumption_ends_on"], body["needs_legal_review"]) == (
        "2029-03-15",
        "2028-03-15",
        False,
    )
    code, body, _ = run(capsys, "guarantee", "--country", "FR", "--delivered-on", "2026-03-15", "--used")
    assert body["presumption_ends_on"] == "2027-03-15"


def test_late_refund(capsys):
    code, body, _ = run(
        capsys,
        "late-refund",
        "--country",
        "FR",
        "--due-on",
        "2026-07-24",
        "--paid-on",
        "2026-08-04",
        "--amount",
        "104.90",
    )
    assert code == 0
    assert {k: body[k] for k in ("days_late", "surcharge_rate", "surcharge_amount")} == {
        "days_late": 11,
        "surcharge_rate": "0.05",
        "surcharge_amount": "5.25",
    }


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (("withdrawal", "--country", "FRA", "--delivered-on", "2026-07-03"), "--country"),
        (("withdrawal", "--country", "FR", "--delivered-on", "03/07/2026"), "--delivered-on"),
        (
            ("withdrawal", "--country", "DE", "--delivered-on", "2026-07-03", "--subdivision", "XX"),
            "--subdivision",
        ),
        (
            (
                "late-refund",
                "--country",
                "FR",
                "--due-on",
                "2026-07-24",
                "--paid-on",
                "2026-08-04",
                "--amount",
                "-1",
            ),
            "--amount",
        ),
        (
            (
                "late-refund",
                "--country",
                "FR",
                "--due-on",
                "2026-02-30",
                "--paid-on",
                "2026-08-04",
                "--amount",
                "1",
            ),
            "--due-on",
        ),
    ],
)
def test_bad_input_exits_2_with_a_message(capsys, argv, option):
    code, body, err = run(capsys, *argv)
    assert (code, body) == (2, None)
    assert option in err


def test_missing_required_option_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit) as exc:
        run(capsys, "withdrawal", "--country", "FR")
    assert exc.value.code == 2


def test_informed_and_not_informed_are_exclusive(capsys):
    with pytest.raises(SystemExit):
        run(
            capsys,
            "withdrawal",
            "--country",
            "FR",
            "--delivered-on",
            "2026-07-03",
            "--informed",
            "--not-informed",
        )

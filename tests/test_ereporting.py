"""E-reporting: domestic B2B sales go by e-invoice; B2C and B2BInt are aggregated per day."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import DRAFT, Cli, issue, write

PERSON = """\
name: Léa Petit
kind: individual
address: {street: 5 rue Haute, postcode: "33000", city: Bordeaux, country: FR}
"""


def test_consumer_and_foreign_sales_are_aggregated_per_day_rate_and_category(
    cli: Cli, draft, folder: Path
) -> None:
    write(folder / "clients" / "petit.yaml", PERSON)
    issue(cli, draft, "2026-11-02")  # Dupont, a French business: e-invoice
    issue(cli, draft, "2026-11-03", "d2", DRAFT.replace("client: dupont", "client: petit"))
    issue(cli, draft, "2026-11-03", "d3", DRAFT.replace("client: dupont", "client: petit"))
    issue(cli, draft, "2026-11-04", "d4", DRAFT.replace("client: dupont", "client: berlin"))
    result = cli("report", "ereporting", "--period", "2026-11", "--json")
    assert result.exit_code == 0, result.output
    rows = [
        (r["date"], r["processing_rule"], r["category"], r["rate"], r["documents"], r["net"],
         r["vat"])
        for r in json.loads(result.stdout)
    ]  # fmt: skip
    assert rows == [
        ("2026-11-03", "B2C", "S", "20", 2, "2700.00", "540.00"),
        ("2026-11-04", "B2BInt", "AE", "0", 1, "1350.00", "0.00"),
    ]
    channels = cli("report", "ereporting", "--period", "2026-11", "--documents", "--json")
    assert [
        (d["number"], d["processing_rule"], d["channel"]) for d in json.loads(channels.stdout)
    ] == [
        ("F-2026-0001", "B2B", "e-invoice"),
        ("F-2026-0002", "B2C", "e-reporting"),
        ("F-2026-0003", "B2C", "e-reporting"),
        ("F-2026-0004", "B2BInt", "e-reporting"),
    ]


def test_a_credit_note_is_netted_on_its_own_day(cli: Cli, draft, folder: Path) -> None:
    write(folder / "clients" / "petit.yaml", PERSON)
    number = issue(cli, draft, "2026-11-03", "d2", DRAFT.replace("client: dupont", "client: petit"))
    credit = cli("credit", number, "--amount", "100", "--reason", "remise", "--date", "2026-11-05")
    assert credit.exit_code == 0, credit.output
    result = cli("report", "ereporting", "--period", "2026-11", "--csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "date,processing_rule,currency,category,rate,documents,net,vat"
    assert lines[1:] == [
        "2026-11-03,B2C,EUR,S,20,1,1350.00,270.00",
        "2026-11-05,B2C,EUR,S,20,1,-100.00,-20.00",
    ]

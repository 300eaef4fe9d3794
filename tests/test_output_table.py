"""Tables printed in pipes: aligned plain columns, as scripts and `list | grep` read them."""

from __future__ import annotations

import pytest

from facturo.cli import output

COLUMNS = ("Number", "Client", "Total", "Late")


def test_plain_columns_are_padded_to_their_widest_cell(capsys: pytest.CaptureFixture[str]) -> None:
    rows = [
        ["F-1", "dupont", "120.00 EUR", ""],
        ["F-10", "{x}", "5.00 EUR", "31"],
        ["F-100", "müller-ümlaut", "1234567.89 EUR", "1"],
    ]
    output.print_table(COLUMNS, rows, right=("Total", "Late"))
    assert capsys.readouterr().out == (
        "Number  Client                  Total  Late\n"
        "F-1     dupont             120.00 EUR\n"
        "F-10    {x}                  5.00 EUR    31\n"
        "F-100   müller-ümlaut  1234567.89 EUR     1\n"
    )


def test_a_table_without_rows_is_its_headings(capsys: pytest.CaptureFixture[str]) -> None:
    output.print_table(COLUMNS, [], right=("Total",))
    assert capsys.readouterr().out == "Number  Client  Total  Late\n"

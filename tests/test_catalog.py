"""The catalog: lines naming items, prices snapshotted at issue; new --item, new --from, edit."""

from __future__ import annotations

import json
import stat
from decimal import Decimal
from pathlib import Path

import yaml

from conftest import Cli, write

CATALOG = """\
items:
  - id: audit
    description: Audit de performance
    unit: day
    unit_price: 900.00
  - id: support
    description: Support mensuel
    unit: month
    unit_price: 300.00
    vat_rate: 10
"""


def shown(cli: Cli, number: str) -> dict[str, object]:
    result = cli("show", number, "--json")
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def lines_of(cli: Cli, number: str) -> list[tuple[str, str, str, str]]:
    document = shown(cli, number)
    return [
        (line["description"], line["quantity"], line["unit_price"], line["vat_rate"])
        for line in document["lines"]  # type: ignore[attr-defined]
    ]


def test_new_with_items_and_the_price_snapshotted_at_issue(cli: Cli, folder: Path) -> None:
    write(folder / "catalog.yaml", CATALOG)
    made = cli("new", "--client", "dupont", "--item", "audit:2", "--item", "support")
    assert made.exit_code == 0, made.output
    path = folder / made.stdout.strip()
    issued = cli("issue", str(path), "--date", "2026-11-20")
    assert issued.exit_code == 0, issued.output
    number = issued.stdout.strip()
    assert lines_of(cli, number) == [
        ("Audit de performance", "2", "900.00", "20"),
        ("Support mensuel", "1", "300.00", "10"),
    ]
    write(folder / "catalog.yaml", CATALOG.replace("900.00", "1000.00"))
    assert cli("check").exit_code == 0  # the invoice keeps its price and its seal
    assert lines_of(cli, number)[0][2] == "900.00"
    again = cli("new", "--client", "dupont", "--item", "audit")
    second = cli("issue", str(folder / again.stdout.strip()), "--date", "2026-11-21")
    assert lines_of(cli, second.stdout.strip())[0][1:3] == ("1", "1000.00")


def test_a_line_overrides_the_item(cli: Cli, folder: Path) -> None:
    write(folder / "catalog.yaml", CATALOG)
    path = write(folder / "drafts" / "d.yaml", """\
        client: dupont
        lines:
          - item: audit
            quantity: 3
            unit_price: 800.00
          - item: support
            description: Support (novembre)
        """)  # fmt: skip
    number = cli("issue", str(path), "--date", "2026-11-20").stdout.strip()
    assert lines_of(cli, number) == [
        ("Audit de performance", "3", "800.00", "20"),
        ("Support (novembre)", "1", "300.00", "10"),
    ]


def test_an_unknown_item_is_named_at_its_line(cli: Cli, folder: Path) -> None:
    write(folder / "catalog.yaml", CATALOG)
    write(folder / "drafts" / "d.yaml", "client: dupont\nlines:\n  - item: audt\n")
    result = cli("check")
    assert result.exit_code == 1
    assert "drafts/d.yaml:3:5: unknown catalog item 'audt' (did you mean 'audit'?)" in result.output
    refused = cli("new", "--client", "dupont", "--item", "suport")
    assert refused.exit_code != 0 and "unknown catalog item 'suport'" in refused.output


def test_items_take_no_vat_rate_under_reverse_charge(cli: Cli, folder: Path) -> None:
    write(folder / "catalog.yaml", CATALOG)
    path = write(folder / "drafts" / "d.yaml", "client: berlin\nlines:\n  - item: support\n")
    issued = cli("issue", str(path), "--date", "2026-11-20")
    assert issued.exit_code == 0, issued.output
    assert lines_of(cli, issued.stdout.strip()) == [("Support mensuel", "1", "300.00", "0")]


def test_a_subscription_line_names_an_item(folder: Path) -> None:
    from test_subscriptions import cli_on

    write(folder / "catalog.yaml", CATALOG)
    write(folder / "subscriptions" / "support.yaml", """\
        client: dupont
        schedule: {every: month}
        start: 2026-11-01
        issue: auto
        lines:
          - item: support
        """)  # fmt: skip
    cli = cli_on(folder, "2026-11-02")
    result = cli("recur")
    assert result.exit_code == 0, result.output
    assert lines_of(cli, "F-2026-0001") == [("Support mensuel", "1", "300.00", "10")]


def test_new_from_copies_an_issued_invoice(cli: Cli, folder: Path) -> None:
    path = write(folder / "drafts" / "d.yaml", """\
        client: dupont
        order_reference: PO-7
        service_date: 2026-10-15
        lines:
          - {description: Formation, quantity: 2, unit: day, unit_price: 800.00, discount: "10%"}
          - {description: Repas, quantity: 10, unit_price: 15.00, vat_rate: 10}
        """)  # fmt: skip
    first = cli("issue", str(path), "--date", "2026-11-20").stdout.strip()
    made = cli("new", "--from", first)
    assert made.exit_code == 0, made.output
    copy = folder / made.stdout.strip()
    draft = yaml.safe_load(copy.read_text("utf-8"))
    assert draft["order_reference"] == "PO-7" and "service_date" not in draft
    second = cli("issue", str(copy), "--date", "2026-11-22")
    assert second.exit_code == 0, second.output
    a, b = shown(cli, first), shown(cli, second.stdout.strip())
    assert a["totals"] == b["totals"] and a["lines"] == b["lines"]
    assert Decimal(str(b["totals"]["gross"])) > 0  # type: ignore[index]


def editor(tmp_path: Path, script: str) -> str:
    path = write(tmp_path / "editor.sh", "#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_edit_opens_the_editor_then_checks(
    cli: Cli, folder: Path, tmp_path: Path, monkeypatch: object
) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    good = editor(tmp_path, 'sed -i "s/unit_price: 0.00/unit_price: 450.00/; '
                  's/description: .*/description: Conseil/" "$1"\n')  # fmt: skip
    monkeypatch.setenv("EDITOR", good)
    monkeypatch.delenv("VISUAL", raising=False)
    made = cli("edit", "new", "--client", "dupont")
    assert made.exit_code == 0, made.output
    assert "ready to issue" in made.output
    draft = next((folder / "drafts").iterdir())
    assert "unit_price: 450.00" in draft.read_text("utf-8")
    monkeypatch.setenv("EDITOR", editor(tmp_path, 'sed -i "s/450.00/cher/" "$1"\n'))
    broken = cli("edit", str(draft))
    assert broken.exit_code == 1
    assert "expected a number" in broken.output and "facturo edit" in broken.output

"""A billing folder for the report and export tests, built through the real CLI.

Issued with the seller of conftest.CONFIG (VAT on receipts for services by default):

  F-2026-0001 dupont, services, 2026-10-05 (due 11-04): 3 days x 450 = 1350 + 270 VAT
              = 1620; paid 810 on 10-20, credited 100 net (AV-2026-0001, 11-06: 120
              gross), the remaining 690 paid on 11-10 (6 days late).
  F-2026-0002 dupont, goods, 11-02 (due 12-02): 10 x 100 at 20 % (1000 + 200) and
              4 x 50 at 5.5 % (200 + 11) = 1411; unpaid.
  F-2026-0003 dupont, mixed, 11-03 (due 12-03): 2 days x 300 installation (service,
              600 + 120) and a part 400 (goods, 400 + 80) = 1200; 600 paid on 11-15.
  F-2026-0004 berlin, reverse charge, 11-04 (due 12-04): 2000, no VAT; paid 11-20.
  F-2026-0005 dupont, USD, services, 11-05 (due 12-05): 5 hours x 100 = 500 + 100 = 600 USD
              (0.9 EUR per USD: VAT 90 EUR); 300 paid on 11-12.
  then `defaults.vat_on_debits: true`:
  F-2026-0006 dupont, services, 11-07 (due 12-07): 1 day x 500 = 500 + 100 = 600; unpaid.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import Cli, issue

GOODS = """\
client: dupont
operation: goods
lines:
  - description: Lampe
    quantity: 10
    unit_price: 100.00
  - description: Livre
    quantity: 4
    unit_price: 50.00
    vat_rate: 5.5
"""

MIXED = """\
client: dupont
operation: mixed
lines:
  - description: Installation
    quantity: 2
    unit: day
    unit_price: 300.00
  - description: Pièce détachée
    quantity: 1
    unit_price: 400.00
"""

BERLIN = """\
client: berlin
lines:
  - description: Architecture review
    quantity: 1
    unit_price: 2000.00
"""

DOLLARS = """\
client: dupont
currency: USD
exchange_rate: {rate: 0.9, date: 2026-11-04}
lines:
  - description: Support
    quantity: 5
    unit: hour
    unit_price: 100.00
"""

ON_DEBITS = """\
client: dupont
lines:
  - description: Audit
    quantity: 1
    unit: day
    unit_price: 500.00
"""


def ok(cli: Cli, *args: str) -> str:
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def build(cli: Cli, draft: Callable[..., Path], root: Path) -> None:
    """Issue the documents above and record their payments."""
    assert issue(cli, draft, "2026-10-05") == "F-2026-0001"
    ok(cli, "pay", "F-2026-0001", "810.00", "--date", "2026-10-20")
    assert issue(cli, draft, "2026-11-02", "goods", GOODS) == "F-2026-0002"
    assert issue(cli, draft, "2026-11-03", "mixed", MIXED) == "F-2026-0003"
    assert issue(cli, draft, "2026-11-04", "berlin", BERLIN) == "F-2026-0004"
    assert issue(cli, draft, "2026-11-05", "usd", DOLLARS) == "F-2026-0005"
    ok(
        cli,
        "credit",
        "F-2026-0001",
        "--amount",
        "100",
        "--reason",
        "Remise",
        "--date",
        "2026-11-06",
    )
    config = root / "facturo.yaml"
    config.write_text(
        config.read_text("utf-8").replace("defaults:\n", "defaults:\n  vat_on_debits: true\n"),
        "utf-8",
    )
    assert issue(cli, draft, "2026-11-07", "debits", ON_DEBITS) == "F-2026-0006"
    ok(cli, "pay", "F-2026-0001", "690.00", "--date", "2026-11-10")
    ok(cli, "pay", "F-2026-0005", "300.00", "--date", "2026-11-12")
    ok(cli, "pay", "F-2026-0003", "600.00", "--date", "2026-11-15")
    ok(cli, "pay", "F-2026-0004", "2000.00", "--date", "2026-11-20")

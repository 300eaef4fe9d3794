"""Exchange rates of non-EUR drafts: the schema, the ECB proposal, `rate`, the VAT in euros."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import Cli, write
from facturo.files.reference_rates import reference_rate
from facturo.files.yamlio import load_mapping
from facturo.lifecycle.exchange_rates import rate_block, replace_block
from facturo.model.exchange import ExchangeRate, euros_per_unit, to_euros, vat_in_euros

# A French business billed in dollars: French VAT applies (a business in the US would be
# invoiced outside the scope of French VAT, art. 259-1 du CGI).
CLIENT_AUSTIN = """\
name: Lone Star Labs France SAS
address: {street: 3 quai Rambaud, postcode: "69002", city: Lyon, country: FR}
siren: "552100554"
currency: USD
language: en
"""

USD_DRAFT = """\
client: austin
currency: USD
vat: standard
exchange_rate:
  rate: 0.9234
  date: 2026-11-20
  source: ECB
lines:
  - description: Consulting
    quantity: 3
    unit_price: 1000.00
    vat_rate: 20
  - description: Books
    quantity: 1
    unit_price: 33.33
    vat_rate: 5.5
"""


@pytest.fixture
def austin(folder: Path) -> Path:
    return write(folder / "clients" / "austin.yaml", CLIENT_AUSTIN)


def test_euros_per_unit_is_the_inverse_of_the_ecb_quote_to_six_digits() -> None:
    assert euros_per_unit(Decimal("1.1172")) == Decimal("0.895095")
    assert euros_per_unit(Decimal("175.68")) == Decimal("0.00569217")
    with pytest.raises(ValueError):
        euros_per_unit(Decimal(0))


def test_vat_in_euros_converts_each_rate_and_adds_the_rounded_rows() -> None:
    rate = ExchangeRate(Decimal("0.9234"), dt.date(2026, 11, 20))
    groups = [{"rate": Decimal(20), "amount": Decimal("600.00")},
              {"rate": Decimal("5.5"), "amount": Decimal("1.83")}]  # fmt: skip
    euros = vat_in_euros(groups, rate)
    assert euros.groups == [(Decimal(20), Decimal("554.04")), (Decimal("5.5"), Decimal("1.69"))]
    assert euros.total == Decimal("555.73")
    assert to_euros(Decimal("0.005"), ExchangeRate(Decimal(1), dt.date(2026, 1, 1))) == Decimal(
        "0.01"
    )  # half-up, not banker's


def test_the_shipped_ecb_history_answers_offline_with_the_last_rate_before_the_date() -> None:
    found = reference_rate("USD", dt.date(2025, 1, 5))  # a Sunday: Friday's rate
    assert found is not None
    assert found.rate.date == dt.date(2025, 1, 3)
    assert found.units_per_euro == Decimal("1.0299")
    assert found.rate.rate == euros_per_unit(Decimal("1.0299"))
    assert found.rate.source == "ECB"
    assert reference_rate("USD", dt.date(1990, 1, 1)) is None
    assert reference_rate("XOF", dt.date(2025, 1, 1)) is None


def test_an_issued_usd_invoice_keeps_its_rate_and_the_vat_in_euros(
    cli: Cli, draft: Callable[..., Path], austin: Path, folder: Path
) -> None:
    result = cli("issue", str(draft("usd", USD_DRAFT)), "--date", "2026-11-22")
    assert result.exit_code == 0, result.output
    data, _ = load_mapping(folder / "invoices" / "2026" / "F-2026-0001.yaml", "x")
    assert data is not None
    assert data["exchange_rate"] == {
        "rate": Decimal("0.9234"),
        "date": dt.date(2026, 11, 20),
        "source": "ECB",
    }
    # 600.00 USD * 0.9234 = 554.04 EUR; 1.83 USD * 0.9234 = 1.69 EUR
    assert data["totals"]["vat_total_eur"] == Decimal("555.73")
    assert cli("check").exit_code == 0


def test_a_credit_note_keeps_the_rate_of_the_invoice_it_corrects(
    cli: Cli, draft: Callable[..., Path], austin: Path, folder: Path
) -> None:
    assert cli("issue", str(draft("usd", USD_DRAFT)), "--date", "2026-11-20").exit_code == 0
    result = cli("credit", "F-2026-0001", "--full", "--reason", "cancelled", "--date", "2026-11-22")
    assert result.exit_code == 0, result.output
    note, _ = load_mapping(folder / "credit-notes" / "2026" / "AV-2026-0001.yaml", "x")
    assert note is not None
    assert note["exchange_rate"]["rate"] == Decimal("0.9234")
    assert note["exchange_rate"]["date"] == dt.date(2026, 11, 20)
    assert note["totals"]["vat_total_eur"] == Decimal("555.73")
    assert "warning" not in result.output


def test_an_edited_vat_in_euros_is_reported(
    cli: Cli, draft: Callable[..., Path], austin: Path, folder: Path
) -> None:
    assert cli("issue", str(draft("usd", USD_DRAFT)), "--date", "2026-11-22").exit_code == 0
    path = folder / "invoices" / "2026" / "F-2026-0001.yaml"
    path.write_text(path.read_text("utf-8").replace("vat_total_eur: 555.73", "vat_total_eur: 9"))
    result = cli("check")
    assert "sealed field 'totals.vat_total_eur' was changed after issue" in result.output


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("rate: 0.9234", "rate: -1"), ":5:3: expected a number above 0, got -1"),
        (("rate: 0.9234", "rate: 0"), ":5:3: expected a number above 0, got 0"),
        (
            ("date: 2026-11-20", "date: 2026-11-23"),
            ":6:3: the exchange rate of 2026-11-23 is after the issue date 2026-11-22",
        ),
        (("  date: 2026-11-20\n", ""), ":5:3: missing required key 'date'"),
        (("currency: USD", "currency: EUR"), ":4:1: exchange_rate is for documents not in EUR"),
    ],
)
def test_a_bad_exchange_rate_is_refused_with_its_place(
    cli: Cli,
    draft: Callable[..., Path],
    austin: Path,
    folder: Path,
    edit: tuple[str, str],
    message: str,
) -> None:
    path = draft("usd", USD_DRAFT.replace(*edit))
    result = cli("issue", str(path), "--date", "2026-11-22")
    assert result.exit_code == 3, result.output
    assert f"drafts/usd.yaml{message}" in result.output
    assert not (folder / "invoices").exists()


def test_check_refuses_a_usd_draft_without_rate_and_says_how_to_add_it(
    cli: Cli, draft: Callable[..., Path], austin: Path
) -> None:
    text = USD_DRAFT.replace(
        "exchange_rate:\n  rate: 0.9234\n  date: 2026-11-20\n  source: ECB\n", ""
    )
    draft("usd", text)
    result = cli("check")
    assert result.exit_code == 1, result.output
    assert "drafts/usd.yaml:1:1: the exchange rate of USD to euros and its date" in result.output
    assert "`facturo rate DRAFT` writes the ECB reference rate" in result.output
    assert cli("rate", "drafts/usd.yaml").exit_code == 0
    assert cli("check").exit_code == 0


def test_new_proposes_the_ecb_rate_for_a_usd_client(cli: Cli, austin: Path, folder: Path) -> None:
    result = cli("new", "--client", "austin")
    assert result.exit_code == 0, result.output
    path = folder / result.stdout.strip()
    data, _ = load_mapping(path, "x")
    assert data is not None
    expected = reference_rate("USD", dt.date(2026, 11, 22))
    assert expected is not None
    assert data["currency"] == "USD"
    assert data["exchange_rate"]["rate"] == expected.rate.rate
    assert data["exchange_rate"]["date"] == expected.rate.date
    assert data["exchange_rate"]["source"] == "ECB"
    if expected.rate.date < dt.date(2026, 11, 15):  # the shipped history is older than today
        assert "the latest ECB rate for USD known here is of" in result.stderr
    # A EUR client gets no rate; a quote neither.
    eur = cli("new", "--client", "dupont")
    assert "exchange_rate" not in (folder / eur.stdout.strip()).read_text("utf-8")


def test_rate_refreshes_only_the_rate_block_of_a_draft(
    cli: Cli, draft: Callable[..., Path], austin: Path
) -> None:
    path = draft("usd", "# my comment\n" + USD_DRAFT)
    result = cli("rate", str(path), "--date", "2025-01-05")
    assert result.exit_code == 0, result.output
    assert "1 USD = 0.970968 EUR on 2025-01-03 (ECB)" in result.stdout
    text = path.read_text("utf-8")
    assert text.startswith(
        "# my comment\nclient: austin\ncurrency: USD\nvat: standard\nexchange_rate:"
    )
    assert "  rate: 0.970968" in text
    assert "  date: 2025-01-03\n  source: ECB\nlines:\n" in text
    stated = cli("rate", str(path), "--rate", "0.95", "--date", "2026-11-21", "--source", "bank")
    assert stated.exit_code == 0, stated.output
    data, _ = load_mapping(path, "x")
    assert data is not None
    assert data["exchange_rate"] == {
        "rate": Decimal("0.95"),
        "date": dt.date(2026, 11, 21),
        "source": "bank",
    }
    assert text.count("exchange_rate:") == 1


def test_rate_refuses_eur_drafts_and_bad_rates(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    path = draft()
    before = path.read_text("utf-8")
    result = cli("rate", str(path))
    assert result.exit_code == 1
    assert "a document in EUR needs no exchange rate" in result.output
    assert cli("rate", str(path), "--rate", "-2").exit_code == 2
    assert path.read_text("utf-8") == before


def test_replace_block_adds_after_currency_or_at_the_end() -> None:
    block = rate_block(ExchangeRate(Decimal("0.5"), dt.date(2026, 1, 2)), "CHF")
    assert replace_block("client: a\ncurrency: CHF\nlines: []\n", block) == (
        f"client: a\ncurrency: CHF\n{block}lines: []\n"
    )
    assert replace_block("client: a\nlines: []", block) == f"client: a\n{block}lines: []\n"
    assert replace_block("lines: []", block) == f"lines: []\n{block}"
    old = "exchange_rate:\n  rate: 1\n  date: 2020-01-01\n\n# next\nlines: []\n"
    assert replace_block(old, block) == f"{block}\n# next\nlines: []\n"

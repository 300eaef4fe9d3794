"""Issue 17.3: the 40 EUR indemnity on foreign-currency invoices, the minimum amount of
reminders, and small balances written off."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

import render_documents as documents
from conftest import CONFIG, DRAFT, Cli, issue, write
from facturo.model.account import Account
from facturo.output.mail.compose import compose
from facturo.output.pdf.engine import Renderer
from facturo.output.pdf.letter import reminder_letter
from pdf_text import plain, text_of

D = Decimal
DUE = dt.date(2026, 4, 1)
LATE = dt.date(2026, 11, 22)


# -- the indemnity stays 40 EUR ----------------------------------------------------------------


def test_a_usd_claim_keeps_the_indemnity_in_euros_out_of_its_total() -> None:
    usd = Account("USD", D("1000.00"), DUE).claim(LATE, D("12.15"), business=True)
    assert usd.indemnity == D("40.00")
    assert usd.indemnity_apart
    assert usd.total == D("1000.00") + usd.interest
    eur = Account("EUR", D("1000.00"), DUE).claim(LATE, D("12.15"), business=True)
    assert not eur.indemnity_apart
    assert eur.total == D("1040.00") + eur.interest


def _usd_context(level: int, language: str) -> dict[str, object]:
    context = documents.reminder_context(level, language)
    context["document"]["currency"] = "USD"  # type: ignore[index]
    return context


@pytest.mark.parametrize("name", ["reminder-formal", "reminder-firm", "reminder-friendly"])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_reminders_on_a_usd_invoice_say_40_euros(name: str, language: str) -> None:
    level = {"reminder-formal": 3, "reminder-firm": 2, "reminder-friendly": 1}[name]
    email = compose(name, _usd_context(level, language))
    for text in (plain(email.text), plain(email.html or "")):
        assert ("40,00 €" if language == "fr" else "€40.00") in text
        assert "40,00 $" not in text and "US$40" not in text


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_total_claimed_in_dollars_leaves_the_indemnity_beside_it(language: str) -> None:
    context = _usd_context(3, language)
    penalties = context["penalties"]
    assert isinstance(penalties, dict)
    total = D("1234.56") + penalties["interest"]
    email = plain(compose("reminder-formal", context).text)
    if language == "fr":
        shown = f"{total:,.2f}".replace(",", " ").replace(".", ",") + " $US"
        assert f"- Total dû : {shown} et l'indemnité forfaitaire de 40,00 €, en euros" in email
        assert f"la somme de {shown} et l'indemnité forfaitaire de 40,00 €, en euros," in email
    else:
        shown = f"US${total:,.2f}"
        assert f"- Total due: {shown} and the fixed indemnity of €40.00, in euros" in email
        assert f"the sum of {shown} and the fixed indemnity of €40.00, in euros," in email


def test_the_formal_notice_letter_claims_the_indemnity_in_euros_apart(tmp_path: Path) -> None:
    context = _usd_context(3, "fr")
    penalties = context["penalties"]
    assert isinstance(penalties, dict)
    total = D("1234.56") + penalties["interest"]
    shown = f"{total:,.2f}".replace(",", " ").replace(".", ",") + " $US"
    text = text_of(Renderer().render_pdf(reminder_letter(context, paid=D("595.05"))))
    assert f"Total réclamé {shown}" in text
    assert "Et, en euros : indemnité forfaitaire de recouvrement" in text
    assert f"la somme de {shown}, ainsi que l'indemnité forfaitaire de 40,00 € en euros" in text
    assert "40,00 $US" not in text


def test_a_eur_letter_still_adds_the_indemnity_into_the_total() -> None:
    text = text_of(Renderer().render_pdf(documents.reminder_letter("fr")))
    assert "Indemnité forfaitaire de recouvrement" in text
    assert "Total réclamé 1 371,13 €" in text


# -- the minimum amount of reminders, and write-offs -------------------------------------------

MINIMUM = CONFIG + "reminders:\n  minimum_amount: 15\n"


@pytest.fixture
def small(folder: Path) -> Path:
    write(folder / "facturo.yaml", MINIMUM)
    return folder


def _remind(cli: Cli, today: str) -> dict[str, dict[str, object]]:
    result = cli("--today", today, "remind", "--json")
    assert result.exit_code == 0, result.output
    return {item["number"]: item for item in json.loads(result.stdout)}


def test_a_balance_below_the_minimum_gets_no_formal_notice(
    cli: Cli, draft: Callable[..., Path], small: Path
) -> None:
    first = issue(cli, draft, "2026-09-01", "a")
    second = issue(cli, draft, "2026-09-01", "b")
    assert cli("pay", first, "1610.00", "--date", "2026-09-02").exit_code == 0  # 10.00 left
    late = _remind(cli, "2026-11-22")  # 52 days late: the formal notice (level 3) is due
    assert late[first]["below_minimum"] is True
    assert late[first]["level_due"] == 2
    assert late[second]["below_minimum"] is False
    assert late[second]["level_due"] == 3


def test_the_minimum_amount_must_be_positive(cli: Cli, folder: Path) -> None:
    write(folder / "facturo.yaml", CONFIG + "reminders:\n  minimum_amount: -5\n")
    result = cli("check")
    assert result.exit_code == 1
    assert "facturo.yaml:19:3: expected a number above 0, got -5" in result.output


def test_pay_write_off_settles_the_small_balance_left(
    cli: Cli, draft: Callable[..., Path], small: Path
) -> None:
    number = issue(cli, draft, "2026-09-01")
    result = cli("pay", number, "1610.00", "--write-off", "--reason", "bank fees")
    assert result.exit_code == 0, result.output
    assert "write-off 2 of 10.00 EUR recorded" in result.stderr
    assert f"{number} paid; balance 0.00 EUR" in result.stdout
    shown = json.loads(cli("show", number, "--json").stdout)
    assert (shown["paid"], shown["written_off"], shown["balance"]) == ("1610.00", "10.00", "0.00")
    assert shown["tracking"]["payments"][1] == {
        "date": "2026-11-22", "amount": "10.00", "method": "write-off", "reason": "bank fees",
    }  # fmt: skip
    assert "paid 1610.00  written off 10.00  balance 0.00 EUR" in cli("show", number).stdout
    assert _remind(cli, "2026-12-22") == {}
    statement = json.loads(cli("statement", "dupont", "--json").stdout)
    rows = [(row["kind"], row["description"], row["credit"]) for row in statement["rows"]]
    assert ("write_off", "Solde abandonné (créance passée en perte) — bank fees", "10.00") in rows
    assert statement["closing_balance"] == "0.00"
    refused = cli("receipt", number, "--payment", "2")
    assert refused.exit_code == 1 and "is a write-off, not money received" in refused.output
    assert cli("check").exit_code == 0


def test_a_write_off_above_the_minimum_needs_force(
    cli: Cli, draft: Callable[..., Path], small: Path
) -> None:
    number = issue(cli, draft, "2026-09-01")
    before = (small / "invoices" / "2026" / f"{number}.yaml").read_text("utf-8")
    refused = cli("pay", number, "1500", "--write-off")
    assert refused.exit_code == 1
    assert "writing off 120.00 EUR" in refused.output
    assert "more than reminders.minimum_amount (15 EUR)" in refused.output
    assert "--force" in refused.output
    assert (small / "invoices" / "2026" / f"{number}.yaml").read_text("utf-8") == before
    forced = cli("pay", number, "1500", "--write-off", "--force")
    assert forced.exit_code == 0, forced.output
    assert json.loads(cli("list", "--json").stdout)[0]["status"] == "paid"


def test_a_write_off_of_the_whole_balance_and_of_nothing(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    number = issue(cli, draft, "2026-09-01")
    assert cli("pay", number, "1615.00").exit_code == 0
    result = cli("pay", number, "--write-off")  # no minimum set: any write-off is allowed
    assert result.exit_code == 0, result.output
    assert "write-off 2 of 5.00 EUR recorded" in result.stderr
    again = cli("pay", number, "--write-off")
    assert again.exit_code == 1 and "nothing left to write off" in again.output


def test_a_usd_write_off_is_weighed_in_euros_at_the_invoice_rate(
    cli: Cli, draft: Callable[..., Path], small: Path
) -> None:
    write(
        small / "clients" / "austin.yaml",
        'name: Lone Star Labs France SAS\naddress: {street: 1 quai Rambaud, postcode: "69002", '
        'city: Lyon, country: FR}\nsiren: "552100554"\ncurrency: USD\nvat: standard\n',
    )
    text = DRAFT.replace("client: dupont", "client: austin") + (
        "exchange_rate: {rate: 0.5, date: 2026-08-31}\n"
    )
    number = issue(cli, draft, "2026-09-01", text=text)  # 1620.00 USD
    # 20 USD is 10 EUR at the invoice's rate: under the 15 EUR minimum.
    assert cli("pay", number, "1600", "--write-off").exit_code == 0
    other = issue(cli, draft, "2026-09-02", "d2", text=text)
    refused = cli("pay", other, "1580", "--write-off")  # 40 USD = 20 EUR
    assert refused.exit_code == 1
    assert "writing off 40.00 USD (20.00 EUR)" in refused.output

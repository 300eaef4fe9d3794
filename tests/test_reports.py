"""Reports against figures computed by hand on the folder of tests/report_folder.py."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable
from decimal import Decimal as D
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from conftest import Cli
from facturo.reports import figures
from facturo.store import issued
from facturo.store.cache import read_signed, write_signed
from report_folder import build, ok


@pytest.fixture
def built(cli: Cli, draft: Callable[..., Path], folder: Path) -> Cli:
    build(cli, draft, folder)
    return cli


def rows(cli: Cli, *args: str) -> list[dict[str, Any]]:
    data = json.loads(ok(cli, "report", *args, "--json"))
    assert isinstance(data, list)
    return data


def by(data: list[dict[str, Any]], *keys: str) -> dict[tuple[str, ...], dict[str, Any]]:
    return {tuple(str(row[k]) for k in keys): row for row in data}


def test_revenue_per_month_and_currency(built: Cli) -> None:
    found = by(rows(built, "revenue"), "period", "currency")
    assert set(found) == {
        ("2026-10", "EUR"), ("2026-11", "EUR"), ("total", "EUR"),
        ("2026-11", "USD"), ("total", "USD"),
    }  # fmt: skip
    october = found[("2026-10", "EUR")]
    # F-0001 invoiced 1350 + 270 = 1620; 810 collected: VAT 810 x 270 / 1620 = 135.
    assert [october[k] for k in ("invoiced_net", "invoiced_vat", "invoiced_gross")] == [
        "1350.00", "270.00", "1620.00",
    ]  # fmt: skip
    assert [october[k] for k in ("collected_net", "collected_vat", "collected_gross")] == [
        "675.00", "135.00", "810.00",
    ]  # fmt: skip
    november = found[("2026-11", "EUR")]
    # Invoiced: F-0002 1200/211/1411 + F-0003 1000/200/1200 + F-0004 2000/0/2000
    # + F-0006 500/100/600 - AV-0001 100/20/120 = 4600 / 491 / 5091.
    assert [november[k] for k in ("invoiced_net", "invoiced_vat", "invoiced_gross")] == [
        "4600.00", "491.00", "5091.00",
    ]  # fmt: skip
    # Collected: F-0001 690 (VAT 690 x 270 / 1620 = 115), F-0003 600 (VAT 600 x 200 / 1200
    # = 100), F-0004 2000 (no VAT): 3290 gross, 215 VAT, 3075 net.
    assert [november[k] for k in ("collected_net", "collected_vat", "collected_gross")] == [
        "3075.00", "215.00", "3290.00",
    ]  # fmt: skip
    total = found[("total", "EUR")]
    assert (total["invoiced_gross"], total["collected_gross"]) == ("6711.00", "4100.00")
    assert (total["invoiced_vat"], total["collected_vat"]) == ("761.00", "350.00")
    dollars = found[("2026-11", "USD")]  # never added to euros
    assert (dollars["invoiced_gross"], dollars["collected_gross"]) == ("600.00", "300.00")
    assert (dollars["collected_net"], dollars["collected_vat"]) == ("250.00", "50.00")


def test_revenue_filters_and_groupings(built: Cli) -> None:
    found = by(rows(built, "revenue", "--by", "year", "--client", "berlin"), "period", "currency")
    assert found[("2026", "EUR")]["invoiced_gross"] == "2000.00"
    found = by(
        rows(built, "revenue", "--by", "quarter", "--from", "2026-11-01"), "period", "currency"
    )
    assert found[("2026-Q4", "EUR")]["collected_gross"] == "3290.00"  # October left out
    assert by(rows(built, "revenue", "--to", "2026-10-31"), "period").keys() == {
        ("2026-10",), ("total",),
    }  # fmt: skip
    bad = built("report", "revenue", "--by", "week")
    assert bad.exit_code == 2 and "--by" in bad.output


def test_vat_for_a_month_on_the_right_basis(built: Cli) -> None:
    found = by(rows(built, "vat", "--period", "2026-11"), "currency", "section", "rate", "basis")
    # On the invoice date: goods of F-0002 (1000/200 at 20 %, 200/11 at 5.5 %), the part of
    # F-0003 (400/80), and F-0006 issued under the option for debits (500/100); the credit
    # note on services paid on receipts changes nothing by itself.
    debits = found[("EUR", "taxable", "20", "debits")]
    assert (debits["base"], debits["vat"], debits["ca3_line"]) == ("1900.00", "380.00", "08")
    reduced = found[("EUR", "taxable", "5.5", "debits")]
    assert (reduced["base"], reduced["vat"], reduced["ca3_line"]) == ("200.00", "11.00", "09")
    # On receipts: F-0001 690 of 1620 (base 1350 x 690/1620 = 575, VAT 115) and F-0003 600 of
    # 1200 on its services only (base 600 x 600/1200 = 300, VAT 60): 875 / 175.
    # F-0005 in USD at 0.9 EUR per USD: 300 of 600 paid, base 250 x 0.9 = 225, VAT 50 x 0.9 = 45.
    receipts = found[("EUR", "taxable", "20", "receipts")]
    assert (receipts["base"], receipts["vat"]) == ("1100.00", "220.00")  # 875 + 225; 175 + 45
    reverse = found[("EUR", "reverse-charge", "None", "debits")]
    assert (reverse["base"], reverse["vat"], reverse["ca3_line"]) == ("2000.00", "0.00", "E2")
    total = found[("EUR", "total", "None", "")]
    assert (total["base"], total["vat"]) == (
        "3200.00",
        "611.00",
    )  # 1900 + 200 + 1100; 380 + 11 + 220
    assert {key[0] for key in found} == {"EUR"}  # the return is in euros


def test_vat_of_october_and_of_the_quarter(built: Cli) -> None:
    october = by(rows(built, "vat", "--period", "2026-10"), "section", "basis")
    assert october[("taxable", "receipts")]["vat"] == "135.00"  # 810 x 270 / 1620
    assert set(october) == {("taxable", "receipts"), ("total", "")}
    quarter = by(rows(built, "vat", "--period", "2026-Q4"), "currency", "section")
    assert quarter[("EUR", "total")]["vat"] == "746.00"  # 611 + 135
    bad = built("report", "vat", "--period", "2026-13")
    assert bad.exit_code == 2 and "2026-Q4" in bad.output


def test_vat_of_a_document_in_another_currency_is_in_euros(built: Cli) -> None:
    result = built("report", "vat", "--period", "2026-11")
    assert "converted" not in result.stderr  # F-0005 states its rate: nothing left in USD


def test_clients_and_late_payers(built: Cli) -> None:
    found = by(rows(built, "clients"), "client", "currency")
    dupont = found[("dupont", "EUR")]
    # F-0001 due 11-04 settled 11-10: 6 days late; the others are open, not due yet.
    assert (dupont["invoices"], dupont["settled"]) == (4, 1)
    assert (dupont["average_days_late"], dupont["median_days_late"]) == ("6.0", "6.0")
    assert dupont["late_percent"] == "100"
    assert dupont["open_balance"] == "2611.00"  # 1411 + 600 + 600
    assert dupont["overdue"] == "0.00"
    berlin = found[("berlin", "EUR")]  # paid 11-20, due 12-04: on time
    assert (berlin["average_days_late"], berlin["late_percent"]) == ("0.0", "0")
    assert found[("dupont", "USD")]["open_balance"] == "300.00"
    late = rows(built, "late-payers")
    assert [(r["client"], r["currency"]) for r in late] == [("dupont", "EUR")]


def test_aging_and_dso(built: Cli) -> None:
    aging = by(rows(built, "aging"), "client", "currency")
    assert aging[("dupont", "EUR")]["not_due"] == "2611.00"
    assert aging[("total", "USD")]["total"] == "300.00"
    dso = by(rows(built, "dso"), "currency")
    # EUR: 2611 open / 6711 invoiced in 90 days x 90 = 35.0; USD: 300 / 600 x 90 = 45.0.
    assert (dso[("EUR",)]["receivables"], dso[("EUR",)]["dso_days"]) == ("2611.00", "35.0")
    assert dso[("USD",)]["dso_days"] == "45.0"


def test_forecast_moves_due_dates_by_the_clients_delay(built: Cli) -> None:
    found = by(rows(built, "forecast", "--weeks", "4"), "week", "currency")
    # dupont pays 6 days late in EUR: F-0002 due 12-02 -> 12-08, F-0003 12-03 -> 12-09 and
    # F-0006 12-07 -> 12-13, all in the week of Monday 12-07: 1411 + 600 + 600.
    assert found[("2026-12-07", "EUR")]["expected"] == "2611.00"
    assert found[("2026-12-07", "EUR")]["invoices"] == 3
    # No history in USD: F-0005 expected on its due date 12-05, week of 11-30.
    assert found[("2026-11-30", "USD")]["expected"] == "300.00"
    assert [r["week"] for r in rows(built, "forecast", "--weeks", "4") if r["currency"] == "EUR"] == [
        "2026-11-16", "2026-11-23", "2026-11-30", "2026-12-07", "total",
    ]  # fmt: skip


def test_csv_and_plain_table_and_chart(built: Cli) -> None:
    text = ok(built, "report", "revenue", "--csv")
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert parsed[0]["period"] == "2026-10" and parsed[0]["invoiced_gross"] == "1620.00"
    plain = ok(built, "report", "revenue")
    assert plain.splitlines()[0].split()[:3] == ["period", "currency", "documents"]
    chart = ok(built, "report", "revenue", "--chart").splitlines()
    # 1620 and 5091 EUR: the largest fills 40 characters, 1620 x 40 / 5091 = 12.7 of them.
    assert chart[0].startswith("2026-10  1620.00 EUR  " + "█" * 12)
    assert chart[1].endswith("█" * 40)
    assert "USD" in chart[-1]
    forecast = ok(built, "report", "forecast", "--chart", "--weeks", "2")
    assert "2026-11-16" in forecast


def test_turnover_collected_goods_and_services(built: Cli) -> None:
    result = built("report", "turnover", "--year", "2026", "--json")
    assert result.exit_code == 0, result.output
    found = by(json.loads(result.stdout), "period")
    # Net collected: F-0001 675 (Oct) + 575 (Nov), services; F-0003 500 of which services
    # 600/1000 = 300 and goods 200; F-0004 2000 services. USD left out.
    assert (found[("2026-10",)]["services"], found[("2026-10",)]["goods"]) == ("675.00", "0.00")
    november = found[("2026-11",)]
    assert (november["goods"], november["services"], november["total"]) == (
        "200.00", "2875.00", "3075.00",
    )  # fmt: skip
    assert found[("total",)]["total"] == "3750.00"
    assert "payments in USD are left out" in result.stderr


def test_turnover_warnings_near_and_past_the_ceilings() -> None:
    from decimal import Decimal

    from facturo.reports.turnover import warnings

    def codes(total: str, services: str, year: int = 2026) -> list[tuple[str, str]]:
        found = warnings(year, Decimal(total), Decimal(services))
        return [(code, str(values["activity"])) for code, values in found]

    assert codes("30000", "30000") == []
    # 90 % of 37 500 is 33 750: near from there, past the threshold above 37 500, past the
    # majored one above 41 250; 90 % of the 2026 micro ceiling 83 600 is 75 240.
    assert codes("33750", "33750") == [("franchise-near", "services")]
    assert codes("40000", "40000") == [("franchise-over", "services")]
    assert codes("41250.01", "41250.01") == [("franchise-over-majored", "services")]
    assert codes("80000", "80000") == [
        ("franchise-near", "goods"),  # 80 000 >= 76 500, 90 % of 85 000
        ("franchise-over-majored", "services"),
        ("micro-near", "services"),
    ]
    assert codes("100000", "0") == [("franchise-over-majored", "goods")]
    # 2025: the micro ceiling was still 77 700 (203 100 and 83 600 from 2026).
    assert ("micro-over", "services") in codes("80000", "80000", 2025)
    assert codes("190000", "0", 2025)[-1] == ("micro-over", "goods")
    assert codes("190000", "0", 2026)[-1] == ("micro-near", "goods")  # 90 % of 203 100
    # 2024: the franchise was 91 900 (majored 101 000) and 36 800 (majored 39 100).
    assert codes("37000", "37000", 2024) == [("franchise-over", "services")]
    assert codes("86000", "0", 2024) == [("franchise-near", "goods")]
    # A year after the last listed uses the last figures, and says which year they are.
    assert warnings(2031, Decimal(40000), Decimal(40000))[0][1]["year"] == 2026


def test_figures_come_from_a_cache_that_a_changed_file_invalidates(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    from conftest import issue

    issue(cli, draft, "2026-11-02")  # 3 days x 450 = 1350 net
    assert rows(cli, "revenue")[0]["invoiced_net"] == "1350.00"
    cache = folder / ".facturo" / "cache" / "figures.json"
    data = read_signed(cache)
    (record,) = data["files"].values()
    record["figures"]["totals"][0] = "999.00"
    write_signed(cache, data)  # as facturo would have written it
    assert rows(cli, "revenue")[0]["invoiced_net"] == "999.00"  # read from the cache
    ok(cli, "pay", "F-2026-0001", "100", "--date", "2026-11-10")  # the file changes
    assert rows(cli, "revenue")[0]["invoiced_net"] == "1350.00"
    data = read_signed(cache)
    (record,) = data["files"].values()
    record["figures"]["totals"][0] = "999.00"
    cache.write_text(json.dumps(data), "utf-8")  # edited by hand: not facturo's, not used
    assert rows(cli, "revenue")[0]["invoiced_net"] == "1350.00"
    cache.write_text("not json", "utf-8")  # a broken cache only costs time
    assert rows(cli, "revenue")[0]["invoiced_net"] == "1350.00"


_READ_ONE = figures._read_one


def _read_and_tell(item: tuple[str, str]) -> dict[str, Any] | None:
    """figures._read_one, saying which process ran it (a file in the folder: workers' lists
    are their own)."""
    path = Path(item[0]).parents[2] / "read-by.txt"
    with path.open("a", encoding="utf-8") as out:
        out.write(f"{os.getpid()}\n")
    return _READ_ONE(item)


def test_figures_read_by_workers_give_the_same_reports_and_cache(
    built: Cli, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = folder / ".facturo" / "cache" / "figures.json"
    reports = (("revenue",), ("vat", "--period", "2026-11"), ("turnover",))
    cache.unlink(missing_ok=True)
    one_by_one = [ok(built, "report", *args, "--json") for args in reports]
    assert all(json.loads(out) for out in one_by_one)  # each report has rows
    kept = read_signed(cache)

    cache.unlink()
    told = folder / "read-by.txt"
    monkeypatch.setattr(issued, "PARALLEL_FROM", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # workers, even on one core
    monkeypatch.setattr(figures, "_read_one", _read_and_tell)
    in_workers = [ok(built, "report", *args, "--json") for args in reports]

    readers = told.read_text("utf-8").split()
    assert len(readers) == len(kept["files"]) == 7  # every file read once, by a worker
    assert str(os.getpid()) not in readers
    assert in_workers == one_by_one
    assert read_signed(cache) == kept


def _stop(item: tuple[str, str]) -> None:
    os._exit(1)  # as a worker the system ended


def test_a_worker_that_stops_is_an_error_and_nothing_is_kept(
    built: Cli, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = folder / ".facturo" / "cache" / "figures.json"
    cache.unlink(missing_ok=True)
    monkeypatch.setattr(issued, "PARALLEL_FROM", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(figures, "_read_one", _stop)
    result = built("report", "revenue")
    assert result.exit_code == 1, result.output
    assert result.stderr == f"error: {issued.WORKER_STOPPED}\n"
    assert not cache.exists()


def test_reports_warn_when_issued_documents_have_problems(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    from conftest import issue

    issue(cli, draft, "2026-11-02")
    assert "have problems" not in cli("report", "revenue").stderr
    path = folder / "invoices" / "2026" / "F-2026-0001.yaml"
    path.write_text(path.read_text("utf-8").replace("450.00", "45.00", 1), "utf-8")
    result = cli("report", "revenue")
    assert "1 issued document(s) have problems: run facturo check" in result.stderr


def test_a_deposit_and_its_final_invoice_add_up_to_the_sale(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    from conftest import TWO_RATES, issue

    config = folder / "facturo.yaml"
    config.write_text(
        config.read_text("utf-8") + '  quote: {pattern: "D-{year}-{seq:03}", reset: yearly}\n',
        "utf-8",
    )
    issue(cli, draft, "2026-10-01", "quote", "kind: quote\n" + TWO_RATES)
    ok(cli, "accept", "D-2026-001", "--deposit", "30%", "--date", "2026-10-02")
    assert ok(cli, "issue", str(folder / "drafts" / "D-2026-001-deposit.yaml"), "--date",
              "2026-10-03").strip() == "F-2026-0001"  # fmt: skip
    ok(cli, "pay", "F-2026-0001", "--date", "2026-10-10")
    ok(cli, "issue", str(folder / "drafts" / "D-2026-001-invoice.yaml"), "--date", "2026-11-05")
    ok(cli, "pay", "F-2026-0002", "--date", "2026-11-20")
    # The sale: 1600 at 20 % (320 VAT) and 150 at 10 % (15 VAT). The deposit (30 %: 480 and
    # 45) is paid in October, the final invoice (the rest, deposit deducted) in November.
    october = by(rows(cli, "vat", "--period", "2026-10"), "section", "rate")
    assert (october[("taxable", "20")]["base"], october[("taxable", "20")]["vat"]) == (
        "480.00", "96.00",
    )  # fmt: skip
    quarter = by(rows(cli, "vat", "--period", "2026-Q4"), "section", "rate")
    assert (quarter[("taxable", "20")]["base"], quarter[("taxable", "20")]["vat"]) == (
        "1600.00", "320.00",
    )  # fmt: skip
    assert (quarter[("taxable", "10")]["base"], quarter[("taxable", "10")]["vat"]) == (
        "150.00", "15.00",
    )  # fmt: skip
    total = by(rows(cli, "revenue"), "period")[("total",)]
    assert (total["invoiced_gross"], total["collected_vat"]) == ("2085.00", "335.00")


def test_a_deposit_deduction_keeps_the_mix_of_goods_and_services() -> None:
    from decimal import Decimal as D

    from facturo.reports.figures import figures_of

    line = {"vat_category": "S", "vat_rate": D(20)}
    document = {
        "number": "F-1", "currency": "EUR", "operation": "mixed",
        "lines": [
            {**line, "unit": "day", "net": D("1000.00")},
            {**line, "net": D("500.00")},  # goods: no unit of time
            {**line, "net": D("-300.00"), "deposit": {"number": "F-0"}},
        ],
        "totals": {"net": D(1200), "vat_total": D(240), "gross": D(1440),
                   "vat": [{"category": "S", "rate": D(20), "base": D(1200), "amount": D(240)}]},
    }  # fmt: skip
    (group,) = figures_of(document).groups
    # Services are 1000 of the 1500 sold: 2/3 of the base 1200 and of the VAT 240.
    assert (group.services_base, group.services_amount) == (D("800.00"), D("160.00"))
    assert (group.goods_base, group.goods_amount) == (D("400.00"), D("80.00"))


def test_html_page_with_svg_charts_renders(built: Cli, folder: Path) -> None:
    import xml.etree.ElementTree as ET

    from facturo.output.pdf.libraries import HTML
    from pdf_text import page_texts

    page = folder / "out" / "revenue.html"
    ok(built, "report", "revenue", "--html", str(page))
    text = page.read_text("utf-8")
    assert "http" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")  # links nothing
    root = ET.fromstring(text.split("\n", 1)[1])  # well-formed: parsed as XML
    svgs = root.findall(".//{http://www.w3.org/2000/svg}svg")
    assert [s.get("aria-label") for s in svgs] == ["EUR", "USD"]
    bars = [int(r.get("width") or 0) for r in svgs[0].iter("{http://www.w3.org/2000/svg}rect")]
    # 1620 and 5091 EUR on 400 pixels: 5091 fills them, 1620 x 400 / 5091 = 127.
    assert bars == [127, 400]
    cells = [td.text for td in root.iter("td")]
    assert "6711.00" in cells
    # A real HTML and SVG renderer (WeasyPrint) lays it out: titles, bar labels and table.
    (rendered,) = page_texts(HTML(string=text).write_pdf())
    for shown in ("Revenue: gross invoiced per period", "1620.00 EUR", "5091.00 EUR", "6711.00"):
        assert shown in rendered


BROWSERS = ("chromium", "chromium-headless-shell")


class _Dom(HTMLParser):
    """What a browser's serialized DOM holds: the charts' labels and bars, the table cells."""

    def __init__(self) -> None:
        super().__init__()
        self.charts: list[str] = []
        self.bars: list[list[int]] = []
        self.cells: list[str] = []
        self._in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "svg":
            self.charts.append(found.get("aria-label") or "")
            self.bars.append([])
        elif tag == "rect":
            self.bars[-1].append(int(found.get("width") or 0))
        self._in_cell = tag == "td"

    def handle_data(self, data: str) -> None:
        if self._in_cell:
            self.cells.append(data)
            self._in_cell = False


def _browser() -> str | None:
    import shutil

    return next((found for b in BROWSERS if (found := shutil.which(b))), None)


@pytest.mark.skipif(
    _browser() is None,
    reason="no headless Chromium (Debian chromium or chromium-headless-shell: make system-deps)",
)
def test_html_page_renders_in_a_headless_browser(built: Cli, folder: Path) -> None:
    import subprocess

    from PIL import Image

    page = folder / "revenue.html"
    ok(built, "report", "revenue", "--html", str(page))
    browser = [str(_browser()), "--headless", "--no-sandbox", "--disable-gpu",
               f"--user-data-dir={folder / '.browser'}"]  # fmt: skip
    dumped = subprocess.run(
        [*browser, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120
    )  # fmt: skip
    assert dumped.returncode == 0, dumped.stderr
    # The DOM the browser built from the page: its SVG charts, bars and table are in it.
    dom = _Dom()
    dom.feed(dumped.stdout)
    assert dom.charts == ["EUR", "USD"]
    assert dom.bars[0] == [127, 400]
    assert "6711.00" in dom.cells
    # Laid out and painted: the bars' colour fills their pixels in a screenshot.
    shot = folder / "revenue.png"
    painted = subprocess.run(
        [*browser, f"--screenshot={shot}", "--window-size=900,1400", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert painted.returncode == 0 and shot.exists(), painted.stderr
    image = Image.open(shot).convert("RGB")
    bar = (0x1F, 0x6F, 0x5C)
    filled = dict((colour, count) for count, colour in image.getcolors(1 << 24) or []).get(bar, 0)
    # The EUR chart's 127 + 400 pixels wide bars (16 high) and the USD one's 400 at least.
    assert filled >= (127 + 400 + 400) * 16 * 0.9, filled


def test_html_page_escapes_what_it_shows(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    from conftest import issue

    client = folder / "clients" / "dupont.yaml"
    client.write_text(
        client.read_text("utf-8").replace("Atelier Dupont SARL", "<script>x()</script>"), "utf-8"
    )
    issue(cli, draft, "2026-11-02")
    page = folder / "clients.html"
    ok(cli, "report", "clients", "--html", str(page))
    text = page.read_text("utf-8")
    assert "<script>" not in text and "&lt;script&gt;x()&lt;/script&gt;" in text


def test_forecast_counts_the_invoices_subscriptions_will_issue(built: Cli, folder: Path) -> None:
    before = by(rows(built, "forecast", "--weeks", "8"), "week", "currency")
    (folder / "subscriptions").mkdir()
    (folder / "subscriptions" / "support.yaml").write_text(
        "client: dupont\nschedule: {every: month}\nstart: 2026-12-01\n"
        "lines: [{description: Support, unit: mois, unit_price: 1000.00}]\n",
        "utf-8",
    )
    after = by(rows(built, "forecast", "--weeks", "8"), "week", "currency")
    # December's invoice: issued 12-01, 1000.00 + 20 % = 1200.00, due 30 days later on
    # 12-31, moved by dupont's 6 days late to 2027-01-06: the week of Monday 2027-01-04.
    # January's (issued 2027-01-01, due 01-31, expected 02-06) is beyond the 8 weeks.
    week = after[("2027-01-04", "EUR")]
    assert (week["expected"], week["invoices"]) == ("1200.00", 1)
    assert ("2027-01-04", "EUR") not in before or before[("2027-01-04", "EUR")]["invoices"] == 0
    total_before, total_after = before[("total", "EUR")], after[("total", "EUR")]
    assert D(total_after["expected"]) - D(total_before["expected"]) == D("2400.00")
    assert total_after["invoices"] - total_before["invoices"] == 2
    assert after[("later", "EUR")]["expected"] == "1200.00"


@pytest.mark.parametrize(
    ("args", "title"),
    [
        (["revenue"], "Revenue: gross invoiced per period"),
        (["vat", "--period", "2026-11"], "VAT 2026-11"),
        (["aging"], "Aging of open balances"),
        (["dso"], "Days sales outstanding"),
        (["clients"], "Clients: payment habits"),
        (["late-payers"], "Late payers"),
        (["forecast"], "Forecast: expected cash in per week"),
        (["turnover", "--year", "2026"], "Turnover collected"),
    ],
)
def test_every_report_prints_json_csv_and_a_page_alike(
    built: Cli, folder: Path, args: list[str], title: str
) -> None:
    data = rows(built, *args)
    table = list(csv.DictReader(io.StringIO(ok(built, "report", *args, "--csv"))))
    assert [list(r) for r in table] == [list(r) for r in data]
    assert [r[next(iter(r))] for r in table] == [str(r[next(iter(r))]) for r in data]
    page = folder / "page.html"
    result = built("report", *args, "--html", str(page))
    assert result.exit_code == 0 and f"wrote {page}" in result.stderr
    assert f"<h1>{title}</h1>" in page.read_text("utf-8")


def test_period_reports_default_to_last_month(built: Cli) -> None:
    # Today is 2026-11-22 in the tests: last month is October.
    assert rows(built, "vat") == rows(built, "vat", "--period", "2026-10")
    assert rows(built, "ereporting") == rows(built, "ereporting", "--period", "2026-10")
    bad = built("report", "ereporting", "--period", "2026-13")
    assert bad.exit_code == 2 and "--period" in bad.output
    bad = built("report", "turnover", "--by", "week")
    assert bad.exit_code == 2 and "--by" in bad.output

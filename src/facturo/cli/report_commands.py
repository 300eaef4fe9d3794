"""Commands that read figures out of the folder: report revenue|vat|aging|dso|clients|...

Each prints a table on a terminal, aligned plain text in a pipe, `--json` (decimals as
strings) or `--csv`; revenue and forecast add a bar chart on a terminal or with `--chart`.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from facturo.cli import output
from facturo.cli.app import app, handled, parse_date, today
from facturo.cli.app import open_ledger as open_folder

if TYPE_CHECKING:
    from facturo.output.html_report import Series
    from facturo.reports.periods import Period
    from facturo.reports.table import Table
    from facturo.store.index import Ledger

Opt = typer.Option
report_app = typer.Typer(
    help="Figures out of the folder: revenue, VAT, aging, DSO, clients, forecast, turnover.",
    no_args_is_help=True,
)
app.add_typer(report_app, name="report")

JsonOption = Annotated[bool, Opt("--json", help="Print JSON (amounts as exact strings).")]
CsvOption = Annotated[bool, Opt("--csv", help="Print CSV.")]
ChartOption = Annotated[bool, Opt("--chart", help="Print a bar chart, even in a pipe.")]
HtmlOption = Annotated[
    Path | None, Opt("--html", help="Also write a self-contained HTML page with SVG charts.")
]

NOTICES = {
    "vat-foreign-currency": "amounts in {currency} must be converted to euros for the return",
    "turnover-foreign-currency": "payments in {currency} are left out: ceilings are in euros",
    "franchise-near": "{activity} turnover {turnover} EUR is past 90% of the VAT franchise "
    "threshold of {ceiling} EUR ({year} figures)",
    "franchise-over": "{activity} turnover {turnover} EUR passed the VAT franchise threshold "
    "of {ceiling} EUR ({year} figures): VAT is due from next 1 January",
    "franchise-over-majored": "{activity} turnover {turnover} EUR passed the majored VAT "
    "franchise threshold of {ceiling} EUR ({year} figures): VAT is due from the day it passed",
    "micro-near": "{activity} turnover {turnover} EUR is past 90% of the micro-enterprise "
    "ceiling of {ceiling} EUR ({year} figures)",
    "micro-over": "{activity} turnover {turnover} EUR passed the micro-enterprise ceiling of "
    "{ceiling} EUR ({year} figures): two years in a row end the micro regime",
}


def open_ledger() -> Ledger:
    """The ledger, with a warning when issued documents have problems (figures may be off)."""
    ledger = open_folder()
    broken = sum(1 for e in ledger.entries() if any(p.is_error for p in e.problems))
    if broken:
        output.note(f"warning: {broken} issued document(s) have problems: run facturo check")
    return ledger


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def show(
    table: Table,
    title: str,
    json_output: bool,
    csv_output: bool,
    html: Path | None = None,
    *,
    charts: Sequence[Series] = (),
    chart_only: bool = False,
) -> None:
    """Print a report as JSON, CSV, or a table (and its charts, if any, on a terminal);
    `chart_only` prints only the charts (even in a pipe); with `html`, also write it as a
    page titled `title`."""
    if chart_only and not (json_output or csv_output):
        for line in _text_chart(charts):
            output.say(line)
        return
    if json_output:
        output.print_json(table.rows)
    elif csv_output:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(table.columns)
        for row in table.rows:
            writer.writerow([_text(row.get(column)) for column in table.columns])
    elif table.rows:
        rows = [[_text(row.get(column)) for column in table.columns] for row in table.rows]
        output.print_table(table.columns, rows, right=table.amounts)
        if charts and output.is_terminal():
            for line in ["", *_text_chart(charts)]:
                output.say(line)
    for code, values in table.notices:
        output.note("warning: " + NOTICES[code].format(**values))
    if html is not None:
        from facturo.output.html_report import page

        html.parent.mkdir(parents=True, exist_ok=True)
        temporary = html.with_name(f".{html.name}.tmp")
        temporary.write_text(page(title, table, charts), "utf-8")
        temporary.replace(html)  # never a half-written page
        output.note(f"wrote {html}")


def _series(table: Table, label: str, value: str, skip: tuple[str, ...]) -> list[Series]:
    """One chart per currency of `value` by `label`, without the rows named in `skip`."""
    from facturo.output.html_report import Series

    found = []
    for currency in dict.fromkeys(table.column("currency")):
        rows = [r for r in table.rows if r["currency"] == currency and r[label] not in skip]
        found.append(Series(currency, [r[label] for r in rows], [r[value] for r in rows]))
    return found


def _text_chart(charts: Sequence[Series]) -> list[str]:
    from facturo.output.charts import bar_chart

    lines: list[str] = []
    for series in charts:
        lines += [""] if lines else []
        lines += bar_chart(series.labels, series.values, unit=series.title)
    return lines


def _one_of(value: str, allowed: Sequence[str], option: str) -> str:
    if value not in allowed:
        raise typer.BadParameter(f"expected one of: {', '.join(allowed)}", param_hint=option)
    return value


def _period(text: str | None) -> Period:
    """The period of --period, last month by default."""
    from facturo.reports.periods import parse_period

    if text is None:
        text = (today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    try:
        return parse_period(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--period") from None


PeriodOption = Annotated[
    str | None, Opt("--period", help="2026-11, 2026-Q4 or 2026 (default: last month).")
]


@report_app.command("revenue")
@handled
def revenue(
    by: Annotated[str, Opt("--by", help="month, quarter or year.")] = "month",
    start: Annotated[str | None, Opt("--from", help="First day counted.")] = None,
    end: Annotated[str | None, Opt("--to", help="Last day counted.")] = None,
    client: Annotated[str | None, Opt("--client", "-c", help="Only this client.")] = None,
    json_output: JsonOption = False,
    csv_output: CsvOption = False,
    chart: ChartOption = False,
    html: HtmlOption = None,
) -> None:
    """Net, VAT and gross invoiced (credit notes netted) and collected, per period and currency.

    Invoiced counts on the issue date, collected on the payment date (each payment split
    into net and VAT in its invoice's proportions). Currencies are never added together.

    Example: facturo report revenue --by quarter --from 2026-01-01
    """
    from facturo.reports.periods import GROUPINGS
    from facturo.reports.revenue import TOTAL, Filters
    from facturo.reports.revenue import revenue as compute

    by = _one_of(by, GROUPINGS, "--by")
    filters = Filters(parse_date(start, "--from"), parse_date(end, "--to"), client)
    table = compute(open_ledger(), by, filters)
    charts = _series(table, "period", "invoiced_gross", (TOTAL,))
    show(table, "Revenue: gross invoiced per period", json_output, csv_output, html,
         charts=charts, chart_only=chart)  # fmt: skip


@report_app.command("vat")
@handled
def vat(
    period: PeriodOption = None,
    json_output: JsonOption = False,
    csv_output: CsvOption = False,
    html: HtmlOption = None,
) -> None:
    """VAT collected for the return (CA3), per rate and basis; untaxed bases listed apart.

    Goods: VAT due on the invoice date. Services: on payment (encaissements), pro rata of
    the invoice's rates, unless the document records the option for debits
    (`defaults.vat_on_debits: true`). Reverse-charge, intra-EU goods, exports and exempt
    sales show their bases with the CA3 line they go on.

    Example: facturo report vat --period 2026-Q4
    """
    from facturo.reports.vat import vat_report

    chosen = _period(period)
    show(vat_report(open_ledger(), chosen), f"VAT {chosen.label}", json_output, csv_output, html)


@report_app.command("aging")
@handled
def aging(
    json_output: JsonOption = False, csv_output: CsvOption = False, html: HtmlOption = None
) -> None:
    """Open balances per client by days late: not due, 1-30, 31-60, 61-90, over 90.

    Example: facturo report aging --csv > aging.csv
    """
    from facturo.reports.analysis import aging as compute

    table = compute(open_ledger(), today())
    show(table, "Aging of open balances", json_output, csv_output, html)


@report_app.command("dso")
@handled
def dso(
    window: Annotated[int, Opt("--days", help="Days of sales counted.", min=1)] = 90,
    json_output: JsonOption = False,
    csv_output: CsvOption = False,
    html: HtmlOption = None,
) -> None:
    """Days sales outstanding per currency: receivables / sales of the last DAYS x DAYS.

    Example: facturo report dso --days 365
    """
    from facturo.reports.analysis import dso as compute

    table = compute(open_ledger(), today(), window)
    show(table, "Days sales outstanding", json_output, csv_output, html)


@report_app.command("clients")
@handled
def clients(
    json_output: JsonOption = False, csv_output: CsvOption = False, html: HtmlOption = None
) -> None:
    """Per client: average and median days late, share paid late, open and overdue balance.

    Example: facturo report clients --json
    """
    from facturo.reports.analysis import clients as compute

    table = compute(open_ledger(), today())
    show(table, "Clients: payment habits", json_output, csv_output, html)


@report_app.command("late-payers")
@handled
def late_payers(
    json_output: JsonOption = False, csv_output: CsvOption = False, html: HtmlOption = None
) -> None:
    """The clients who paid late or owe overdue money, the most overdue first.

    Example: facturo report late-payers
    """
    from facturo.reports.analysis import clients as compute

    table = compute(open_ledger(), today(), late_only=True)
    show(table, "Late payers", json_output, csv_output, html)


@report_app.command("forecast")
@handled
def forecast(
    weeks: Annotated[int, Opt("--weeks", help="Weeks ahead.", min=1, max=260)] = 12,
    json_output: JsonOption = False,
    csv_output: CsvOption = False,
    chart: ChartOption = False,
    html: HtmlOption = None,
) -> None:
    """Expected cash in per week from open invoices, each due date moved by that client's
    own average delay (what is already late is expected this week).

    Example: facturo report forecast --weeks 8
    """
    from facturo.reports.forecast import LATER
    from facturo.reports.forecast import forecast as compute

    table = compute(open_ledger(), today(), weeks)
    charts = _series(table, "week", "expected", (LATER, "total"))
    show(table, "Forecast: expected cash in per week", json_output, csv_output, html,
         charts=charts, chart_only=chart)  # fmt: skip


@report_app.command("turnover")
@handled
def turnover(
    year: Annotated[int | None, Opt("--year", help="Calendar year (default: this one).")] = None,
    by: Annotated[str, Opt("--by", help="month or quarter.")] = "month",
    json_output: JsonOption = False,
    csv_output: CsvOption = False,
    html: HtmlOption = None,
) -> None:
    """Micro-entrepreneurs: turnover collected per month or quarter (URSSAF), goods and
    services, with a warning near or past the VAT franchise thresholds and micro ceilings.

    Example: facturo report turnover --by quarter
    """
    from facturo.reports.turnover import turnover as compute

    by = _one_of(by, ("month", "quarter"), "--by")
    table = compute(open_ledger(), year or today().year, by)
    show(table, "Turnover collected", json_output, csv_output, html)


@report_app.command("ereporting")
@handled
def ereporting(
    period: PeriodOption = None,
    documents: Annotated[
        bool, Opt("--documents", help="List each document with its channel instead.")
    ] = False,
    json_output: JsonOption = False,
    csv_output: CsvOption = False,
) -> None:
    """Sales to consumers (B2C) and abroad (B2BInt) for e-reporting: per day, VAT category and rate.

    Sales to French businesses go by e-invoice (facturo transmit) and are left out; credit
    notes are netted. --documents lists every invoice and credit note of the period with its
    processing rule and whether it goes by e-invoice or by e-reporting.

    Example: facturo report ereporting --period 2026-11 --documents
    """
    from facturo.reports.ereporting import channels
    from facturo.reports.ereporting import ereporting as compute

    chosen = _period(period)
    table = (channels if documents else compute)(open_ledger(), chosen)
    show(table, f"E-reporting {chosen.label}", json_output, csv_output)

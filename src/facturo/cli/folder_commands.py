"""Commands that set a folder up: init, client add|list|show, new, and the rate of a draft."""

import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from facturo.cli import output
from facturo.cli.app import app, handled, open_ledger, parse_date, parse_decimal, today
from facturo.errors import InvalidData

# The catalogs' languages (files/languages.py), written out: --help loads the command line only.
LANGUAGES_TEXT = "fr, en, de, es or it"

client_app = typer.Typer(
    help="Add, list and show clients (clients/<id>.yaml).", no_args_is_help=True
)
app.add_typer(client_app, name="client")

Opt = typer.Option


@app.command()
@handled
def init(
    directory: Annotated[Path, typer.Argument(help="Where to create the folder.")] = Path("."),
    name: Annotated[str | None, Opt(help="Your name or company name.")] = None,
    legal_form: Annotated[str | None, Opt(help="EI, EURL, SASU, SARL, SAS...")] = None,
    street: Annotated[str | None, Opt(help="Street and number.")] = None,
    postcode: Annotated[str | None, Opt(help="Postal code.")] = None,
    city: Annotated[str | None, Opt(help="City.")] = None,
    country: Annotated[str | None, Opt(help="ISO 3166 country code (default FR).")] = None,
    siren: Annotated[str | None, Opt(help="SIREN (9 digits).")] = None,
    vat_regime: Annotated[
        str | None, Opt(help="standard, or franchise (art. 293 B du CGI).")
    ] = None,
    vat_number: Annotated[str | None, Opt(help="Intra-EU VAT number.")] = None,
    email: Annotated[str | None, Opt(help="Email shown on invoices.")] = None,
    phone: Annotated[str | None, Opt(help="Phone shown on invoices.")] = None,
    iban: Annotated[str | None, Opt(help="IBAN for transfers.")] = None,
    bic: Annotated[str | None, Opt(help="BIC of your bank.")] = None,
    currency: Annotated[str, Opt(help="Default currency.")] = "EUR",
    language: Annotated[str, Opt(help=f"Default language of documents: {LANGUAGES_TEXT}.")] = "fr",
    payment_terms: Annotated[str, Opt(help="Default payment terms.")] = "30 days",
    vat_rate: Annotated[str, Opt(help="Default VAT rate in percent.")] = "20",
    late_penalty_rate: Annotated[str, Opt(help="Late-payment penalty rate in percent.")] = "12.15",
    no_input: Annotated[
        bool, Opt("--no-input", help="Never prompt; fail on missing answers.")
    ] = False,
) -> None:
    """Create a billing folder: facturo.yaml, clients/, drafts/, .gitignore, git init.

    On a terminal it asks for what the flags do not give; in a script every answer is a flag.

    Example: facturo init ~/billing --name "Camille Martin" --street "12 rue des Lilas"
    --postcode 75011 --city Paris --siren 812345676 --vat-number FR19812345676
    """
    from facturo.lifecycle.scaffolding import init_folder

    answers: dict[str, Any] = {
        "name": name, "legal_form": legal_form, "street": street, "postcode": postcode,
        "city": city, "country": country, "siren": siren, "vat_regime": vat_regime,
        "vat_number": vat_number, "email": email, "phone": phone, "iban": iban,
        "bic": bic, "currency": currency, "language": language, "payment_terms": payment_terms,
        "vat_rate": vat_rate, "late_penalty_rate_percent": late_penalty_rate,
    }  # fmt: skip
    interactive = sys.stdin.isatty() and not no_input
    questions = [
        ("name", "Your name or company name", None),
        ("legal_form", "Legal form (EI, EURL, SASU...)", "EI"),
        ("street", "Street and number", None),
        ("postcode", "Postal code", None),
        ("city", "City", None),
        ("country", "Country (ISO 3166 code)", "FR"),
        ("siren", "SIREN (9 digits, empty if none)", ""),
        ("vat_regime", "VAT regime: standard or franchise", "standard"),
        ("vat_number", "VAT number (empty if none)", ""),
        ("email", "Email shown on invoices (empty if none)", ""),
        ("phone", "Phone shown on invoices (empty if none)", ""),
        ("iban", "IBAN for transfers (empty if none)", ""),
        ("bic", "BIC of your bank (empty if none)", ""),
    ]
    for key, question, default in questions:
        if answers[key] is not None or not interactive:
            continue
        if key == "vat_number" and answers["vat_regime"] == "franchise":
            continue
        answers[key] = _ask(key, question, default)
    answers["country"] = answers["country"] or "FR"
    missing = [key for key in ("name", "street", "postcode", "city") if not answers[key]]
    if missing:
        flags = ", ".join("--" + key.replace("_", "-") for key in missing)
        raise typer.BadParameter(f"missing answers: {flags}")
    written = init_folder(directory, answers)
    output.say(f"created billing folder {directory.resolve()}")
    for path in written:
        output.note(f"  wrote {path}")
    output.note("next: facturo client add ID --name ... ; facturo new --client ID")


def _ask(key: str, question: str, default: str | None) -> str | None:
    """Prompt until the answer passes the same check `facturo check` applies."""
    from facturo.files.identifiers import VALUE_CHECKS, compact

    checked = ("country", "siren", "vat_number", "email", "iban", "bic")
    while True:
        answer = typer.prompt(question, default=default, show_default=bool(default))
        answer = compact(key, answer)
        if key == "vat_regime" and answer not in ("standard", "franchise"):
            output.error("answer standard or franchise")
            continue
        problem = VALUE_CHECKS[key](answer) if answer and key in checked else None
        if problem is None:
            return answer or None
        output.error(problem)


@client_app.command("add")
@handled
def client_add(
    client_id: Annotated[
        str, typer.Argument(metavar="ID", help="Short id: lower-case, digits, - and _.")
    ],
    name: Annotated[str, Opt(help="Client name.")],
    kind: Annotated[str, Opt(help="business or individual.")] = "business",
    street: Annotated[str | None, Opt(help="Street and number.")] = None,
    postcode: Annotated[str | None, Opt(help="Postal code.")] = None,
    city: Annotated[str | None, Opt(help="City.")] = None,
    country: Annotated[str, Opt(help="ISO 3166 country code.")] = "FR",
    siren: Annotated[str | None, Opt(help="SIREN of a French business.")] = None,
    vat_number: Annotated[str | None, Opt(help="VAT number.")] = None,
    email: Annotated[str | None, Opt(help="Billing email.")] = None,
    language: Annotated[str | None, Opt(help=f"Language of documents: {LANGUAGES_TEXT}.")] = None,
    currency: Annotated[str | None, Opt(help="Currency, e.g. EUR.")] = None,
    payment_terms: Annotated[str | None, Opt(help="e.g. 30 days.")] = None,
    vat: Annotated[str | None, Opt(help="Default VAT treatment, e.g. reverse-charge.")] = None,
) -> None:
    """Write clients/ID.yaml (validated first; an existing client is never overwritten).

    Example: facturo client add dupont --name "Atelier Dupont SARL" --street "3 quai Rambaud"
    --postcode 69002 --city Lyon --siren 552100554
    """
    from facturo.lifecycle.scaffolding import add_client

    ledger = open_ledger()
    answers = {
        "name": name, "kind": kind, "street": street, "postcode": postcode, "city": city,
        "country": country, "siren": siren, "vat_number": vat_number, "email": email,
        "language": language, "currency": currency, "payment_terms": payment_terms, "vat": vat,
    }  # fmt: skip
    try:
        path = add_client(ledger.folder, client_id, answers)
    except InvalidData as error:
        # Each problem is about an answer: name the option that gave it.
        error.problems = [
            replace(p, path="--" + p.path.replace("_", "-") if p.path else "")
            for p in error.problems
        ]
        raise
    output.say(ledger.folder.display(path))


@client_app.command("list")
@handled
def client_list(
    json_output: Annotated[bool, Opt("--json", help="Print JSON.")] = False,
) -> None:
    """List clients with their country and kind.

    Example: facturo client list --json
    """
    from facturo.model.document import DEFAULTS

    ledger = open_ledger()
    rows = []
    for client_id, (found, problems) in sorted(ledger.clients_with_problems().items()):
        data: dict[str, Any] = found or {}
        address = data.get("address") or {}
        rows.append({
            "id": client_id,
            "name": data.get("name", ""),
            "kind": data.get("kind", DEFAULTS.client_kind),
            "country": address.get("country", ""),
            "email": data.get("email", ""),
            "valid": not any(p.is_error for p in problems),
        })  # fmt: skip
    if json_output:
        output.print_json(rows)
        return
    if rows:
        output.print_table(
            ["ID", "Name", "Kind", "Country", "Email"],
            [
                [
                    r["id"],
                    r["name"] + ("" if r["valid"] else " (invalid)"),
                    r["kind"],
                    r["country"],
                    r["email"],
                ]
                for r in rows
            ],
        )


@client_app.command("show")
@handled
def client_show(
    client_id: Annotated[str, typer.Argument(metavar="ID")],
    json_output: Annotated[bool, Opt("--json", help="Print JSON.")] = False,
) -> None:
    """Show a client and what was issued to it.

    Example: facturo client show dupont
    """
    from facturo.model.document import DEFAULTS
    from facturo.reports.listing import Filters, select

    ledger = open_ledger()
    client = ledger.client(client_id)
    entries = select(ledger.entries(), Filters(client=client_id), today())
    if json_output:
        output.print_json({"id": client_id, **client, "documents": [e.number for e in entries]})
        return
    output.say(f"{client['name']} ({client_id}, {client.get('kind', DEFAULTS.client_kind)})")
    address = client["address"]
    output.say(
        f"  {address['street']}, {address['postcode']} {address['city']}, {address['country']}"
    )
    for key in ("siren", "vat_number", "email", "language", "currency", "payment_terms", "vat"):
        if key in client:
            output.say(f"  {key}: {client[key]}")
    output.say(f"  documents: {len(entries)}")


@app.command()
@handled
def new(
    client: Annotated[str | None, Opt("--client", "-c", help="Client id.")] = None,
    kind: Annotated[str, Opt("--kind", help="invoice, deposit or quote.")] = "invoice",
    item: Annotated[
        list[str] | None,
        Opt("--item", "-i", help="A catalog.yaml item as a line: ID or ID:QUANTITY (repeat)."),
    ] = None,
    copy_of: Annotated[
        str | None, Opt("--from", help="Copy this issued invoice (or quote) as a new draft.")
    ] = None,
) -> None:
    """Write a draft (invoice, deposit or quote) in drafts/ with the client's defaults;
    prints its path.

    Lines name catalog items with --item (their price is the catalog's until the draft is
    issued); --from copies the client, lines and terms of an issued invoice.

    Example: facturo new --client dupont --item audit:2 --item support
    """
    if kind not in ("invoice", "deposit", "quote"):
        raise typer.BadParameter("expected invoice, deposit or quote", param_hint="--kind")
    ledger = open_ledger()
    if copy_of is not None:
        if client is not None or item:
            raise typer.BadParameter(
                "copies the client and lines: give it alone", param_hint="--from"
            )
        from facturo.lifecycle.duplicating import draft_from_issued

        output.say(ledger.folder.display(draft_from_issued(ledger, copy_of, today())))
        return
    if client is None:
        raise typer.BadParameter("which client? (or --from NUMBER)", param_hint="--client")
    from facturo.lifecycle.scaffolding import new_draft, proposed_rate

    config = ledger.config()
    data = ledger.client(client)
    items = _catalog_items(ledger, item or [])
    rate, remarks = proposed_rate(data, config, today(), kind=kind)
    path = new_draft(
        ledger.folder, client, data, config, today(), kind=kind, rate=rate, items=items
    )
    output.say(ledger.folder.display(path))
    for remark in remarks:
        output.note(f"{ledger.folder.display(path)}: {remark}")


def _catalog_items(ledger: Any, given: list[str]) -> list[tuple[str, Any]]:
    """`ID[:QUANTITY]` options checked against catalog.yaml."""
    from decimal import Decimal, InvalidOperation

    from facturo.errors import NotFound
    from facturo.files.catalog import read_catalog
    from facturo.files.reading import suggest

    if not given:
        return []
    known, problems = read_catalog(ledger.folder.root)
    if any(p.is_error for p in problems):
        raise InvalidData("catalog.yaml has errors", problems=problems)
    items = []
    for text in given:
        name, _, quantity = text.partition(":")
        if name not in known:
            hint = suggest(name, sorted(known)) if known else "catalog.yaml has no items"
            raise NotFound(f"unknown catalog item {name!r} ({hint})")
        try:
            amount = Decimal(quantity or "1")
        except InvalidOperation:
            amount = Decimal(-1)
        if not amount.is_finite() or not 0 < amount < 10**9:
            raise typer.BadParameter(f"expected ID:QUANTITY, got {text!r}", param_hint="--item")
        items.append((name, amount))
    return items


@app.command()
@handled
def rate(
    draft: Annotated[Path, typer.Argument(metavar="DRAFT", help="The draft's path.")],
    date: Annotated[
        str | None, Opt("--date", help="Date of the rate (default: today, the issue date).")
    ] = None,
    value: Annotated[
        str | None, Opt("--rate", help="Euros for one unit of the currency (default: the ECB's).")
    ] = None,
    source: Annotated[str, Opt("--source", help="Where a stated rate comes from.")] = "",
) -> None:
    """Write or refresh the exchange rate of a non-EUR draft: the ECB reference rate of the
    date (or the last one before it), or the rate given with --rate.

    The VAT of a document in another currency is also stated in euros with this rate.

    Example: facturo rate drafts/acme-2026-11-30.yaml --date 2026-11-30
    """
    from facturo.lifecycle.exchange_rates import set_draft_rate

    stated = parse_decimal(value, "--rate", "a number like 0.9234")
    if stated is not None and stated <= 0:
        raise typer.BadParameter(f"expected a number above 0, got {value!r}", param_hint="--rate")
    ledger = open_ledger()
    on = parse_date(date, "--date") or today()
    path = ledger.folder.typed_path(draft)
    proposal = set_draft_rate(ledger, path, on, stated, source)
    written = proposal.rate
    origin = f" ({written.source})" if written.source else ""
    output.say(
        f"{ledger.folder.display(path)}: 1 {proposal.currency} = {written.rate} EUR "
        f"on {written.date}{origin}"
    )
    for remark in proposal.remarks:
        output.note(f"{ledger.folder.display(path)}: {remark}")

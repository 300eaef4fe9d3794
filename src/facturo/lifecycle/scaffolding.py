"""The files users start from: a new billing folder, a client file, a draft.

These files belong to the user afterwards (facturo never rewrites them), so they are
written once, commented, and validated before anything touches the disk.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from facturo.errors import FacturoError, InvalidData, Problem
from facturo.files import schema
from facturo.files.identifiers import compact
from facturo.files.languages import LANGUAGES
from facturo.files.marked import YMap
from facturo.files.reading import read_file
from facturo.files.rules import client_id_problem
from facturo.files.yamlio import parse
from facturo.lifecycle.exchange_rates import Proposal, propose_rate, rate_block
from facturo.lifecycle.phrases import DRAFT_PLACEHOLDER
from facturo.model.document import DEFAULTS, currency_of
from facturo.model.exchange import ACCOUNTING_CURRENCY
from facturo.model.vat import expected_treatments
from facturo.store.folder import CONFIG_NAME, Folder


def _q(value: Any) -> str:
    """A YAML scalar for any text: plain when it reads back as the same text, else quoted."""
    text = str(value)
    data, problems = parse(f"k: {text}\n", "")
    if not problems and isinstance(data, dict) and data.get("k") == text and "#" not in text:
        return text
    return json.dumps(text, ensure_ascii=False)  # JSON strings are valid double-quoted YAML


CONFIG_TEMPLATE = """\
# facturo billing folder: who you are, your defaults and your numbering.
# Every key is described in facturo's docs/FORMAT.md; `facturo check` validates this file.
seller:
  name: {name}
  legal_form: {legal_form}              # EI (entrepreneur individuel), EURL, SASU, SARL...
  address:
    street: {street}
    postcode: {postcode}
    city: {city}
    country: {country}                  # ISO 3166 code
{siren_line}
{vat_line}
  vat_regime: {vat_regime}              # standard, or franchise (art. 293 B du CGI)
{email_line}
{phone_line}
{iban_line}
{bic_line}
defaults:
  currency: {currency}
  language: {language}                  # {languages}: labels, numbers, dates of documents
  payment_terms: {payment_terms}        # on receipt | N days | N days end of month
  vat_rate: {vat_rate}                  # percent, for lines without their own rate
  operation: services                   # services | goods | mixed (French reform mention)
  payment_methods: [transfer]
  # Late-payment penalties (Code de commerce L441-10): the ECB main refinancing rate of
  # 1 January or 1 July + 10 points. Check it every half-year.
  late_penalty_rate_percent: {penalty}
  early_payment_discount: none          # or your terms, e.g. "2% if paid within 8 days"
numbering:
  invoice: {{pattern: "F-{{year}}-{{seq:04}}", reset: yearly}}
  credit_note: {{pattern: "AV-{{year}}-{{seq:04}}", reset: yearly}}
  quote: {{pattern: "D-{{year}}-{{seq:04}}", reset: yearly}}
  # More series of one kind, e.g. one per activity (a draft then says series: formation):
  # series:
  #   - {{name: formation, kind: invoice, pattern: "FOR-{{year}}-{{seq:03}}"}}
"""

GITIGNORE = "# facturo's lock and caches\n.facturo/\n"


def init_folder(directory: Path, answers: dict[str, Any]) -> list[Path]:
    """Create a billing folder in `directory`; refuse if one is already there."""
    if (directory / CONFIG_NAME).exists():
        raise FacturoError(f"{directory / CONFIG_NAME} already exists: not overwriting it")
    for name in ("clients", "drafts", "invoices"):
        if (directory / name).exists() and any((directory / name).iterdir()):
            raise FacturoError(
                f"{directory / name} already exists and is not empty: not touching it"
            )
    answers = {
        key: compact(key, value) if isinstance(value, str) else value
        for key, value in answers.items()
    }
    franchise = answers.get("vat_regime") == "franchise"
    optional = {
        "siren_line": ("siren", "  siren: {}                 # 9 digits"),
        "vat_line": ("vat_number", "  vat_number: {}"),
        "email_line": ("email", "  email: {}"),
        "phone_line": ("phone", "  phone: {}"),
        "iban_line": ("iban", "  iban: {}"),
        "bic_line": ("bic", "  bic: {}"),
    }
    lines = {
        slot: (template.format(_q(answers[key])) if answers.get(key) else f"  # {key}:")
        for slot, (key, template) in optional.items()
    }
    text = CONFIG_TEMPLATE.format(
        name=_q(answers["name"]),
        legal_form=_q(answers.get("legal_form") or "EI"),
        street=_q(answers["street"]),
        postcode=_q(answers["postcode"]),
        city=_q(answers["city"]),
        country=_q(answers.get("country") or "FR"),
        vat_regime="franchise" if franchise else "standard",
        currency=_q(answers.get("currency") or "EUR"),
        language=answers.get("language") or "fr",
        languages=" | ".join(LANGUAGES),
        payment_terms=_q(answers.get("payment_terms") or "30 days"),
        vat_rate=0 if franchise else answers.get("vat_rate") or 20,
        penalty=answers.get("late_penalty_rate_percent") or "12.15",
        **lines,
    )
    _validate(text, schema.CONFIG, CONFIG_NAME, config=True)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in ("clients", "drafts"):
        (directory / name).mkdir(exist_ok=True)
        keep = directory / name / ".gitkeep"
        keep.touch()
        written.append(keep)
    folder = Folder(directory)
    gitignore = directory / ".gitignore"
    if gitignore.exists():
        if ".facturo/" not in gitignore.read_text("utf-8"):
            folder.write_atomic(
                gitignore, gitignore.read_text("utf-8").rstrip("\n") + "\n" + GITIGNORE
            )
    else:
        folder.write_atomic(gitignore, GITIGNORE)
    written.append(gitignore)
    if not folder.claim(directory / CONFIG_NAME, text):
        raise FacturoError(f"{directory / CONFIG_NAME} already exists: not overwriting it")
    written.insert(0, directory / CONFIG_NAME)
    if not _inside_git(directory):
        subprocess.run(["git", "init", "-q", str(directory)], check=False, capture_output=True)
    return written


def _inside_git(directory: Path) -> bool:
    try:
        result = subprocess.run(
            ["git", "-C", str(directory), "rev-parse", "--is-inside-work-tree"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
    except OSError:
        return True  # no git: nothing to initialise
    return result.returncode == 0 and result.stdout.strip() == "true"


def _validate(
    text: str, fields: dict[str, schema.Field], display: str, *, config: bool = False
) -> YMap:
    data, problems = parse(text, display)
    if not isinstance(data, YMap):
        raise InvalidData(f"{display} would be invalid", problems=problems)
    normal, report = read_file(data, fields, display)
    if config:
        from facturo.files.rules import check_config

        check_config(normal, report)
    else:
        from facturo.files.rules import check_client

        check_client(normal, report)
    errors = [p for p in problems + report.problems if p.is_error]
    if errors:
        raise InvalidData(f"{display} would be invalid; nothing was written", problems=errors)
    return normal


def add_client(folder: Folder, client_id: str, answers: dict[str, Any]) -> Path:
    """Write clients/<id>.yaml from the answers; refuse an existing id or invalid data."""
    if (message := client_id_problem(client_id)) is not None:
        raise FacturoError(message)
    path = folder.client_path(client_id)
    if path.exists():
        raise FacturoError(f"{folder.display(path)} already exists: edit it instead")
    answers = {
        key: compact(key, value) if isinstance(value, str) else value
        for key, value in answers.items()
    }
    lines = [
        f"# Client {client_id}: the file name is its id, used in drafts (client: {client_id})."
    ]
    lines.append(f"name: {_q(answers['name'])}")
    lines.append(f"kind: {answers.get('kind') or 'business'}               # business | individual")
    lines.append("address:")
    for key in ("street", "postcode", "city"):
        lines.append(f"  {key}: {_q(answers.get(key) or '')}")
    lines.append(f"  country: {_q(answers.get('country') or 'FR')}")
    for key in ("siren", "vat_number", "email", "language", "currency", "payment_terms", "vat"):
        value = answers.get(key)
        lines.append(f"{key}: {_q(value)}" if value else f"# {key}:")
    text = "\n".join(lines) + "\n"
    try:
        _validate(text, schema.CLIENT, folder.display(path))
    except InvalidData as error:
        # The file does not exist: each problem is named by the answer it comes from.
        keys = {number: _key_of(line) for number, line in enumerate(lines, start=1)}
        raise InvalidData(
            f"client {client_id!r} not added: nothing was written",
            problems=[replace(p, path=_answer_of(p, keys), line=0, col=0) for p in error.problems],
        ) from None
    if not folder.claim(path, text):
        raise FacturoError(f"{folder.display(path)} already exists: edit it instead")
    return path


_NAMED_KEY = re.compile(r"missing (?:required key )?'(\w+)'")


def _key_of(line: str) -> str:
    return line.strip().lstrip("#").strip().partition(":")[0]


def _answer_of(problem: Problem, keys: dict[int, str]) -> str:
    """The answer a problem of a file built from answers is about: the key it names
    ("missing 'siren'"), else the key on its line."""
    named = _NAMED_KEY.search(problem.message)
    return named.group(1) if named else keys.get(problem.line, "")


def new_draft(
    folder: Folder,
    client_id: str,
    client: dict[str, Any],
    config: dict[str, Any],
    today: dt.date,
    *,
    kind: str = "invoice",
    rate: Proposal | None = None,
    items: list[tuple[str, Decimal]] | None = None,
) -> Path:
    """Write a draft for `client_id` in drafts/, named after the client, kind and date.

    `rate` (from `proposed_rate`) writes the currency and exchange rate of a non-EUR draft;
    `items` (catalog ids and quantities) write a line each instead of the placeholder line.
    """
    defaults = config.get("defaults") or {}
    seller = config.get("seller") or {}
    terms = client.get("payment_terms") or defaults.get("payment_terms") or "30 days"
    operation = defaults.get("operation") or DEFAULTS.operation
    vat = client.get("vat") or expected_treatments(seller, client, operation)[0]
    vat_line = ""
    if not client.get("vat") and vat not in ("standard", "franchise"):
        # Derived from who sells what to whom (model.vat): written so the user sees it.
        vat_line = f"vat: {vat:<31}# from the client's country and VAT number\n"
    rate_line = ""
    if vat == "standard" and seller.get("vat_regime") != "franchise":
        rate_line = f"    vat_rate: {defaults.get('vat_rate', 20)}\n"
    if kind == "invoice":  # work done this month, until today
        period = (
            f"service_period:\n  start: {today.replace(day=1).isoformat()}\n"
            f"  end: {today.isoformat()}\n"
        )
    else:  # a quote or a deposit comes before the work: its dates are not known yet
        period = "# service_period: {start: YYYY-MM-DD, end: YYYY-MM-DD}\n"
    validity = (
        "valid_days: 30                    # the quote is valid 30 days from its issue\n"
        if kind == "quote"
        else ""
    )
    text = (
        f"# Draft for {client.get('name', client_id)}: edit it, then `facturo check` and\n"
        f"# `facturo issue {{path}}`. It gets its number when it is issued.\n"
        f"kind: {kind:<30}# invoice | deposit | quote\n"
        f"client: {client_id}\n"
        f"{vat_line}"
        f"{validity}"
        f"# order_reference: PO-123\n"
        f"{period}"
        f"payment_terms: {_q(terms)}\n"
        f"{_rate_lines(rate)}"
        f"lines:\n"
        f"{_item_lines(items) if items else _placeholder_line(rate_line)}"
        f'# discount: "5%"\n'
        f'# notes: "Merci pour votre confiance."\n'
    )
    folder.drafts_dir.mkdir(exist_ok=True)
    stem = (
        f"{client_id}-{today.isoformat()}" if kind == "invoice" else f"{client_id}-{kind}-{today}"
    )
    return folder.claim_draft(stem, lambda path: text.replace("{path}", folder.display(path)))


def _placeholder_line(rate_line: str) -> str:
    return (
        f"  - description: {_q(DRAFT_PLACEHOLDER)}\n"
        f"    quantity: 1\n"
        f"    unit: day\n"
        f"    unit_price: 0.00\n"
        f"{rate_line}"
        f'    # discount: "10%"\n'
    )


def _item_lines(items: list[tuple[str, Decimal]]) -> str:
    """Lines naming catalog items: the price is the catalog's until the draft is issued."""
    return "".join(
        f"  - item: {_q(item)}{'':<24}# from catalog.yaml; unit_price here overrides it\n"
        f"    quantity: {quantity}\n"
        for item, quantity in items
    )


def proposed_rate(
    client: dict[str, Any], config: dict[str, Any], today: dt.date, *, kind: str = "invoice"
) -> tuple[Proposal | None, list[str]]:
    """The ECB rate a new non-EUR draft starts with (none for EUR drafts and quotes), and
    remarks for the user (old data, a currency the ECB does not publish)."""
    currency = currency_of(client, config.get("defaults") or {})
    if currency == ACCOUNTING_CURRENCY or kind == "quote":
        return None, []
    try:
        proposal = propose_rate(currency, today)
    except FacturoError as exc:
        return None, [str(exc)]
    return proposal, proposal.remarks


def _rate_lines(rate: Proposal | None) -> str:
    if rate is None:
        return ""
    return f"currency: {rate.currency}\n" + rate_block(rate.rate, rate.currency)

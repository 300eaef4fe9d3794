"""What each file may contain: keys, types, allowed values and one line of help per key.

The specs drive validation (unknown keys get "did you mean"), `facturo init`'s comments
and the JSON Schema for editors, so a key is described in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from facturo.files.languages import LANGUAGES
from facturo.model.account import WRITE_OFF

CLIENT_KINDS = ("business", "individual")
VAT_REGIMES = ("standard", "franchise")
OPERATIONS = ("services", "goods", "mixed")
PAYMENT_METHODS = ("transfer", "card", "cheque", "cash", "direct-debit", "other")
DOCUMENT_KINDS = ("invoice", "credit_note", "deposit", "quote")
RESETS = ("yearly", "never")


@dataclass(frozen=True)
class Field:
    """One key of a file: its type, whether it is required, and a line of help."""

    kind: str  # text decimal integer date bool choice map list texts discount switch
    help: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()
    fields: dict[str, Field] = field(default_factory=dict)  # for kind "map"
    item: Field | None = None  # for kind "list"
    check: str = ""  # name of a value check in identifiers.VALUE_CHECKS


def text(help: str = "", *, required: bool = False, check: str = "") -> Field:
    return Field("text", help, required, check=check)


def choice(values: tuple[str, ...], help: str = "", *, required: bool = False) -> Field:
    return Field("choice", help, required, choices=values)


def mapping(fields: dict[str, Field], help: str = "", *, required: bool = False) -> Field:
    return Field("map", help, required, fields=fields)


ADDRESS = {
    "street": text("street and number", required=True),
    "street2": text("second address line"),
    "postcode": text("postal code", required=True),
    "city": text("city", required=True),
    "country": text("ISO 3166 country code, e.g. FR", required=True, check="country"),
}

SELLER = {
    "name": text("your name or company name", required=True),
    "trade_name": text("trade name shown above your name"),
    "legal_form": text("legal form: EI, EURL, SASU, SARL, SAS...", required=True),
    "address": mapping(ADDRESS, "your address", required=True),
    "siren": text("SIREN (9 digits), required in France", check="siren"),
    "rcs": text("registration, e.g. RCS Paris 812 345 678 or RM 75"),
    "share_capital": text("share capital for companies, e.g. 1 000 EUR"),
    "vat_number": text("intra-EU VAT number", check="vat_number"),
    "vat_regime": choice(VAT_REGIMES, "standard, or franchise (art. 293 B du CGI)"),
    "email": text("email shown on invoices", check="email"),
    "electronic_address": text(
        "where e-invoices reach you: SIREN (default in France), SIREN_SIRET or email",
        check="electronic_address",
    ),
    "phone": text("phone shown on invoices"),
    "website": text("website shown on invoices"),
    "iban": text("IBAN for transfers", check="iban"),
    "bic": text("BIC of your bank", check="bic"),
}

DEFAULTS = {
    "currency": text("ISO 4217 currency code", check="currency"),
    "language": choice(LANGUAGES, "language of documents"),
    "payment_terms": text("e.g. 30 days, 45 days end of month, on receipt", check="terms"),
    "vat_rate": Field("decimal", "VAT rate in percent for lines without one", check="rate"),
    "operation": choice(OPERATIONS, "nature of the operations (French reform mention)"),
    "vat_on_debits": Field("bool", "option for paying VAT on debits"),
    "payment_methods": Field("texts", "accepted payment methods", choices=PAYMENT_METHODS),
    "late_penalty_rate_percent": Field(
        "decimal", "late-payment penalty rate (ECB rate + 10 points)", check="rate"
    ),
    "early_payment_discount": text('"none" or the early-payment discount terms'),
    "thanks": text("closing line printed on documents"),
}

SERIES = {
    "pattern": text('e.g. "F-{year}-{seq:04}"', required=True, check="pattern"),
    "reset": choice(RESETS, "restart the sequence each year, or never"),
    "start": text("after a pattern change: the first number of the new pattern"),
}

NAMED_SERIES = {
    "name": text("the series' name, which a draft gives as series: NAME", required=True),
    "kind": choice(
        ("invoice", "credit_note", "quote"),
        "invoice (with deposit invoices), credit_note or quote",
        required=True,
    ),
    **SERIES,
}

MAIL_SECURITY = ("starttls", "ssl", "none")

REMINDER_LEVEL = {
    "level": Field(
        "integer", "0 (courtesy, before the due date) to 3 (formal notice)", required=True
    ),
    "days": Field("integer", "days after the due date (negative: before it)", required=True),
    "letter": Field("bool", "attach a formal notice letter (default: level 3)"),
}
REMINDERS = {
    "levels": Field("list", "reminder levels", item=mapping(REMINDER_LEVEL)),
    "minimum_amount": Field(
        "decimal",
        "euros: smaller balances get no formal notice and may be written off",
        check="positive",
    ),
}

ACCOUNTING = {
    "client": text('collective client account (default "411000"); 411<CLIENT-ID> per client'),
    "bank": text('bank account receiving payments (default "512000")'),
    "revenue": text('revenue account (default "706000")'),
    "revenue_by_rate": Field("texts", 'revenue account per VAT rate: ["20=706200", "0=706900"]'),
    "vat": text('VAT collected account (default "445710")'),
    "vat_by_rate": Field("texts", 'VAT account per rate: ["20=445712", "5.5=445715"]'),
    "vat_pending": text('VAT on services until paid (default "445740")'),
    "write_off": text('loss on a balance written off (default "654000")'),
}

BANK_COLUMNS = {
    "date": text("column of the booking date", required=True),
    "value_date": text("column of the value date"),
    "amount": text("column of the signed amount (or use debit and credit)"),
    "debit": text("column of debited amounts"),
    "credit": text("column of credited amounts"),
    "currency": text("column of the currency"),
    "label": text("column of the label or remittance text"),
    "counterparty": text("column of the payer's name"),
    "iban": text("column of the payer's IBAN"),
    "reference": text("column of the bank's reference"),
    "id": text("column of the bank's unique transaction id"),
}

BANK_CSV = {
    "columns": mapping(BANK_COLUMNS, "which column holds what (by header name)", required=True),
    "separator": text('field separator (default ";")'),
    "decimal": choice((",", "."), 'decimal mark of amounts (default ",")'),
    "date_format": text('strftime format of dates (default "%d/%m/%Y")'),
    "encoding": text("text encoding of the file (default utf-8; e.g. cp1252)"),
    "skip_lines": Field("integer", "lines above the header to skip"),
    "currency": text("currency when no column gives it (default EUR)", check="currency"),
}

BANK = {
    "tolerance": Field("decimal", "shortfall accepted as paid, as a write-off (default 0)"),
    "csv": mapping(BANK_CSV, "how to read CSV statements"),
}

CONFIG = {
    "seller": mapping(SELLER, "who you are", required=True),
    "defaults": mapping(DEFAULTS, "defaults for clients and documents"),
    "numbering": mapping(
        {
            "invoice": mapping(SERIES, "invoices and deposit invoices"),
            "credit_note": mapping(SERIES, "credit notes"),
            "quote": mapping(SERIES, "quotes"),
            "series": Field(
                "list",
                "more series of one kind, e.g. one per activity (a draft picks one by name)",
                item=mapping(NAMED_SERIES),
            ),
        },
        "numbering series",
    ),
    "pdf": mapping(
        {
            "logo": text("path of an SVG, PNG or JPEG logo inside the folder"),
            "accent_color": text('accent colour, e.g. "#1f4e79"', check="color"),
            "template": text("name of the template to use"),
        },
        "look of the PDF documents",
    ),
    "mail": mapping(
        {
            "host": text("SMTP server, e.g. smtp.example.fr", required=True, check="host"),
            "port": Field(
                "integer", "SMTP port (default 587, 465 with ssl, 25 with none)", check="port"
            ),
            "security": choice(MAIL_SECURITY, "starttls (default), ssl, or none for a local relay"),
            "user": text("SMTP login (the password comes from FACTURO_SMTP_PASSWORD)"),
            "from": text(
                'sender, e.g. "Camille Martin <camille@example.fr>"', required=True, check="mailbox"
            ),
            "password_file": text("file holding the SMTP password, outside the billing folder"),
            "password": text(
                "never here: use FACTURO_SMTP_PASSWORD or password_file", check="secret"
            ),
            "bcc": Field("texts", "blind copies of every email (e.g. yourself)", check="email"),
            "timeout_seconds": Field(
                "integer", "SMTP timeout, 1 to 600 (default 30)", check="timeout"
            ),
        },
        "sending emails (invoices, reminders)",
    ),
    "reminders": mapping(REMINDERS, "payment reminders policy (facturo remind)"),
    "payment": mapping(
        {
            "link_template": text(
                "online payment page, e.g. https://pay.example.fr/{number}?amount={amount}",
                check="link_template",
            ),
        },
        "paying online: a link and its QR code on invoices and in emails",
    ),
    "accounting": mapping(ACCOUNTING, "accounts of the accounting exports (export fec)"),
    "bank": mapping(BANK, "bank statement import (facturo bank import)"),
    "pa": mapping(
        {
            "flow_url": text("Flow Service address of your approved platform", required=True),
            "token_url": text("OAuth2 token address (client credentials)", required=True),
            "client_id": text("OAuth2 client id", required=True),
            "directory_url": text("Directory Service address (facturo directory)"),
            "secret_file": text("file holding the client secret, outside the billing folder"),
            "timeout_seconds": Field("integer", "timeout, 1 to 600 (default 30)", check="timeout"),
        },
        "approved platform for e-invoices (facturo transmit)",
    ),
}

VAT_TREATMENTS = (
    "standard",
    "franchise",
    "reverse-charge",
    "intra-eu-goods",
    "export",
    "outside-scope",
    "exempt",
)

CLIENT = {
    "name": text("client name", required=True),
    "kind": choice(CLIENT_KINDS, "business or individual"),
    "address": mapping(ADDRESS, "billing address", required=True),
    "delivery_address": mapping(ADDRESS, "delivery address when different"),
    "siren": text("SIREN of a French business", check="siren"),
    "vat_number": text("VAT number", check="vat_number"),
    "email": text("billing email", check="email"),
    "electronic_address": text(
        "where e-invoices reach the client: SIREN (default in France), SIREN_SIRET or email",
        check="electronic_address",
    ),
    "iban": text("IBAN the client pays from (matches bank transfers)", check="iban"),
    "cc": Field("texts", "copies of emails (the accountant)", check="email"),
    "language": choice(LANGUAGES, "language of documents"),
    "currency": text("currency", check="currency"),
    "payment_terms": text("payment terms", check="terms"),
    "vat": choice(VAT_TREATMENTS, "default VAT treatment"),
    "reminders": Field(
        "switch", "false to never remind this client, or its own levels", fields=REMINDERS
    ),
    "notes": text("free notes, not printed"),
}

PERIOD = {
    "start": Field("date", "first day", required=True),
    "end": Field("date", "last day", required=True),
}

LINE = {
    "item": text("id of a catalog.yaml item: its description, unit, price and VAT rate"),
    "description": text("what was sold", required=True),
    "quantity": Field("decimal", "quantity (default 1)"),
    "unit": text("unit: day, hour, unit..."),
    "unit_price": Field("decimal", "unit price excluding VAT", required=True),
    "vat_rate": Field("decimal", "VAT rate in percent", check="rate"),
    "discount": Field("discount", 'line discount: "10%" or an amount'),
    "service_period": mapping(PERIOD, "service period of this line"),
    "deposit": text("credit notes: the deposit invoice this line deducts, as on the invoice"),
}

CATALOG_ITEM = {
    "id": text("the id drafts and subscriptions refer to with item: ID", required=True),
    "description": text("what is sold, as printed on documents", required=True),
    "unit": text("unit: day, hour, unit..."),
    "unit_price": Field("decimal", "unit price excluding VAT", required=True),
    "vat_rate": Field("decimal", "VAT rate in percent (default: defaults.vat_rate)", check="rate"),
}

CATALOG = {
    "items": Field("list", "products and services sold at a set price", item=mapping(CATALOG_ITEM)),
}

EXCHANGE_RATE = {
    "rate": Field(
        "decimal",
        "euros for one unit of the document currency, e.g. 0.9234",
        required=True,
        check="positive",
    ),
    "date": Field("date", "the date of the rate (not after the issue date)", required=True),
    "source": text("where the rate comes from, e.g. ECB"),
}

DRAFT = {
    "kind": choice(DOCUMENT_KINDS, "invoice, credit_note, deposit or quote"),
    "credit_note_of": text("credit notes: number of the invoice corrected"),
    "reason": text("credit notes: why the invoice is corrected"),
    "quote": text("invoices and deposits: number of the accepted quote"),
    "series": text("the numbering series to number it in (a name of numbering.series)"),
    "client": text("client id (file name in clients/)", required=True),
    "order_reference": text("the client's order reference"),
    "service_date": Field("date", "date of the sale or service when it differs"),
    "service_period": mapping(PERIOD, "period of the service"),
    "currency": text("currency", check="currency"),
    "exchange_rate": mapping(
        EXCHANGE_RATE, "non-EUR documents: the rate that converts the VAT into euros"
    ),
    "language": choice(LANGUAGES, "language"),
    "payment_terms": text("payment terms", check="terms"),
    "due_date": Field("date", "explicit due date"),
    "vat": choice(VAT_TREATMENTS, "VAT treatment"),
    "vat_exemption_reason": text("legal reason of the exemption"),
    "operation": choice(OPERATIONS, "nature of the operation"),
    "delivery_address": mapping(ADDRESS, "delivery address when different"),
    "lines": Field("list", "document lines", required=True, item=mapping(LINE)),
    "discount": Field("discount", 'document discount: "5%" or an amount'),
    "notes": text("notes printed on the document"),
    "valid_days": Field("integer", "quote validity in days"),
    "subscription": text("the subscription this draft bills (written by facturo recur)"),
    "time_entries": Field("texts", "ids of the time entries billed (written by bill-time)"),
}

SCHEDULE = {
    "every": choice(("week", "month", "quarter", "year"), "length of a period", required=True),
    "interval": Field("integer", "every N weeks, months, quarters or years (default 1)"),
    "day": Field("integer", "day of the month periods start on, 1-31 (default: start's day)"),
}

PRICE_CHANGE = {
    "from": Field("date", "first day of the periods billed at this price", required=True),
    "unit_price": Field("decimal", "the new unit price excluding VAT", required=True),
}

SUBSCRIPTION_LINE = {
    **{key: spec for key, spec in LINE.items() if key not in ("service_period", "deposit")},
    "price_changes": Field("list", "later prices, each from a date", item=mapping(PRICE_CHANGE)),
}

SUBSCRIPTION = {
    "client": text("client id (file name in clients/)", required=True),
    "schedule": mapping(SCHEDULE, "how often a period is billed", required=True),
    "start": Field("date", "first day of the first period", required=True),
    "end": Field("date", "last day of service (the last period is cut there)"),
    "billing": choice(
        ("advance", "arrears"),
        "bill a period on its first day (advance, the default) or its last day (arrears)",
    ),
    "issue": choice(("draft", "auto"), "draft (default): recur writes drafts; auto: it issues"),
    "send": Field("bool", "email each invoice recur issues (with issue: auto)"),
    "lines": Field(
        "list", "the lines of each invoice", required=True, item=mapping(SUBSCRIPTION_LINE)
    ),
    "series": text("the invoice series to number them in (a name of numbering.series)"),
    "order_reference": text("the client's order reference"),
    "payment_terms": text("payment terms", check="terms"),
    "currency": text("currency", check="currency"),
    "language": choice(LANGUAGES, "language"),
    "discount": Field("discount", 'document discount: "5%" or an amount'),
    "notes": text("notes printed on each invoice"),
}

# The tracking section of issued documents: appended by commands after the seal, validated
# by `check` and before any command uses it (files/tracking.py).
PAYMENT = {
    "date": Field("date", "day the money was received", required=True),
    "amount": Field("decimal", "amount received; negative corrects an earlier one", required=True),
    "method": choice((*PAYMENT_METHODS, WRITE_OFF), "how it was paid, or write-off"),
    "reference": text("bank reference, cheque number..."),
    "reason": text("why: required for a negative correction"),
    "transaction": text("the bank's transaction id (facturo bank import): never recorded twice"),
}
SENDING = {
    "date": Field("date", "day the email was accepted by the server", required=True),
    "level": Field("integer", "reminders: the level sent (0 to 3)"),
    "to": Field("texts", "recipients"),
    "cc": Field("texts", "copies"),
    "message_id": text("Message-ID of the email"),
    "status": choice(
        ("pending", "sent", "not-sent"),
        "pending: recorded before the server was contacted; sent once it accepted the message",
    ),
    "started": text("when the sending started (ISO time)"),
}
ACCEPTED = {
    "date": Field("date", "day the client accepted the quote", required=True),
    "deposit": Field("discount", 'deposit asked: "30%" or an amount excluding VAT'),
}
DECLINED = {
    "date": Field("date", "day the client declined the quote", required=True),
    "reason": text("why, when known"),
}
PLATFORM_STATUS = {
    "date": Field("date", "day the status was read from the platform", required=True),
    "code": Field("integer", "lifecycle status code: 200 deposited, 210 refused, 212 paid..."),
    "reason": text("why, for a refusal or a rejection"),
    "rule": text("the rule a rejected invoice broke"),
    "reason_code": text("the platform's reason code: REJ_SEMAN, DEST_INC, DOUBLON..."),
    "flow_id": text("the platform's id of the status message"),
    "tracking_id": text("statuses facturo sends (212 paid): its id, searched before a new post"),
}
TRANSMISSION = {
    "date": Field("date", "day the document was posted to the platform", required=True),
    "tracking_id": text("facturo's id of the flow, searched before any new post"),
    "flow_id": text("the platform's id of the flow"),
    "sha256": text("fingerprint of the file posted"),
    "status": choice(
        ("pending", "sent"),
        "pending: recorded before the post; sent once the platform answered with a flow id",
    ),
    "started": text("when the post started (ISO time)"),
    "attempt": Field("integer", "a new deposit of a rejected document: 2, 3..."),
    "statuses": Field("list", "lifecycle statuses read back", item=mapping(PLATFORM_STATUS)),
}
TRACKING = {
    "transmissions": Field(
        "list", "posts to the approved platform (facturo transmit)", item=mapping(TRANSMISSION)
    ),
    "payments": Field("list", "payments received", item=mapping(PAYMENT)),
    "sendings": Field("list", "emails of the document", item=mapping(SENDING)),
    "reminders": Field("list", "payment reminders sent", item=mapping(SENDING)),
    "accepted": mapping(ACCEPTED, "quotes: accepted by the client"),
    "declined": mapping(DECLINED, "quotes: declined by the client"),
}

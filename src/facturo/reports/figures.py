"""What reports read from issued files beyond the index: net, VAT per rate, goods or services.

The index (store/index.py) knows each document's gross and payments; the VAT report, the
revenue report and the FEC also need the VAT breakdown, split between goods (VAT due on the
invoice date) and services (VAT due on payment unless the seller opted for debits). Those
figures are read once per file and cached in `.facturo/cache/figures.json`, keyed like the
index (size, mtime, inode), as JSON with decimals as strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from facturo.files.written import load_file_written
from facturo.model.money import round_money
from facturo.model.vat import treatment_of
from facturo.store.cache import read_cache, write_cache
from facturo.store.issued import on_every_core

if TYPE_CHECKING:
    from facturo.store.index import Ledger

CACHE_VERSION = 2
ZERO = Decimal(0)
TAXED_CATEGORIES = ("S", "Z")
# Units that sell time (or meals and nights on the premises, services in French VAT law):
# in a document of mixed operations a line in one of them (or with a service period) is a
# service, any other line is goods. A line's own `operation` wins.
SERVICE_UNITS = frozenset(
    "h hour hours heure heures day days jour jours j demi-journée half-day week weeks semaine "
    "semaines month months mois year years an ans année années forfait session sessions "
    "séance séances repas meal meals nuit nuits nuitée nuitées night nights".split()
)


@dataclass(frozen=True)
class Group:
    """One VAT rate of a document, with the part of it that sells services."""

    category: str
    rate: Decimal
    base: Decimal
    amount: Decimal
    services_base: Decimal
    services_amount: Decimal

    @property
    def goods_base(self) -> Decimal:
        return self.base - self.services_base

    @property
    def goods_amount(self) -> Decimal:
        return self.amount - self.services_amount

    @property
    def taxed(self) -> bool:
        return self.category in TAXED_CATEGORIES


@dataclass(frozen=True)
class Figures:
    """The totals of one issued document as its file states them."""

    number: str
    treatment: str  # standard, reverse-charge, export... (model/vat.py)
    operation: str  # services, goods or mixed, as the document recorded it
    vat_on_debits: bool
    net: Decimal
    vat: Decimal
    gross: Decimal
    groups: tuple[Group, ...] = field(default=())
    euro_rate: Decimal | None = None  # euros per unit of a non-EUR document's currency

    def in_euros(self, amount: Decimal) -> Decimal | None:
        """`amount` of the document's currency in euros at its stated rate, if it has one."""
        if self.euro_rate is None:
            return None
        return round_money(amount * self.euro_rate, "EUR")

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "treatment": self.treatment,
            "operation": self.operation,
            "vat_on_debits": self.vat_on_debits,
            "totals": [str(self.net), str(self.vat), str(self.gross)],
            "groups": [
                [
                    g.category,
                    *(str(v) for v in (g.rate, g.base, g.amount)),
                    *(str(v) for v in (g.services_base, g.services_amount)),
                ]
                for g in self.groups
            ],
            "euro_rate": None if self.euro_rate is None else str(self.euro_rate),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Figures:
        net, vat, gross = (Decimal(v) for v in data["totals"])
        groups = tuple(
            Group(category, *(Decimal(v) for v in values)) for category, *values in data["groups"]
        )
        rate = data.get("euro_rate")
        return cls(
            data["number"], data["treatment"], data["operation"], bool(data["vat_on_debits"]),
            net, vat, gross, groups, Decimal(rate) if rate is not None else None,
        )  # fmt: skip


def is_service(line: dict[str, Any], operation: str) -> bool:
    """Whether a line sells a service (True) or goods (False), from what the document says."""
    own = line.get("operation")
    if own in ("services", "goods"):
        return bool(own == "services")
    if operation in ("services", "goods"):
        return operation == "services"
    if line.get("service_period"):
        return True
    return str(line.get("unit") or "").strip().lower() in SERVICE_UNITS


def _decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return ZERO


def figures_of(data: dict[str, Any]) -> Figures:
    """The figures of an issued document's mapping."""
    currency = str(data.get("currency") or "EUR")
    operation = str(data.get("operation") or "services")
    found = data.get("totals")
    totals: dict[str, Any] = found if isinstance(found, dict) else {}
    lines = [line for line in data.get("lines") or [] if isinstance(line, dict)]
    groups = []
    for item in totals.get("vat") or []:
        if not isinstance(item, dict):
            continue
        category, rate = str(item.get("category") or "S"), _decimal(item.get("rate"))
        base, amount = _decimal(item.get("base")), _decimal(item.get("amount"))
        # Deposit deductions (lines naming a deposit invoice) lower a rate's base without
        # changing its mix of goods and services: the shares come from the other lines.
        same = [
            line for line in lines
            if str(line.get("vat_category") or "S") == category
            and _decimal(line.get("vat_rate")) == rate and not line.get("deposit")
        ]  # fmt: skip
        whole = sum((_decimal(line.get("net")) for line in same), ZERO)
        services = sum(
            (_decimal(line.get("net")) for line in same if is_service(line, operation)), ZERO
        )
        # The document discount is shared within a rate in proportion to its lines' nets.
        if whole == 0:
            share_base, share_amount = (base, amount) if operation != "goods" else (ZERO, ZERO)
        else:
            share_base = round_money(base * services / whole, currency)
            share_amount = round_money(amount * services / whole, currency)
        groups.append(Group(category, rate, base, amount, share_base, share_amount))
    return Figures(
        number=str(data.get("number")),
        treatment=treatment_of(data),
        operation=operation,
        vat_on_debits=data.get("vat_on_debits") is True,
        net=_decimal(totals.get("net")),
        vat=_decimal(totals.get("vat_total")),
        gross=_decimal(totals.get("gross")),
        groups=tuple(groups),
        euro_rate=_euro_rate(data, currency),
    )


def _euro_rate(data: dict[str, Any], currency: str) -> Decimal | None:
    """The rate a non-EUR document states (model/exchange.py), converting its VAT to euros."""
    section = data.get("exchange_rate")
    if currency == "EUR" or not isinstance(section, dict):
        return None
    rate = section.get("rate")
    return rate if isinstance(rate, Decimal) and rate > 0 else None


def read_figures(ledger: Ledger, numbers: set[str] | None = None) -> dict[str, Figures]:
    """The figures of every issued document (or of `numbers`), by number, through the cache;
    files not cached are read on every core when there are many (ten years the first time)."""
    folder = ledger.folder
    cached = read_cache(folder, "figures", CACHE_VERSION)
    files: dict[str, Any] = cached.get("files") or {}
    fresh: dict[str, Any] = {}
    to_read: list[tuple[str, str, list[int]]] = []  # (its path, its display path, its key)
    wanted: list[str] = []  # the display paths of the documents asked for
    for entry in ledger.entries():
        if numbers is not None and entry.number not in numbers:
            if entry.path in files:
                fresh[entry.path] = files[entry.path]
            continue
        full = folder.root / entry.path
        try:
            stat = full.stat()
        except OSError:
            continue
        key = [stat.st_size, stat.st_mtime_ns, stat.st_ino]
        wanted.append(entry.path)
        hit = files.get(entry.path)
        if hit is not None and hit.get("key") == key:
            fresh[entry.path] = hit
        else:
            to_read.append((str(full), entry.path, key))
            fresh[entry.path] = None  # its place, kept in the index's order
    changed = False
    work = [(path, display) for path, display, _ in to_read]
    for (_, display, key), read in zip(to_read, on_every_core(_read_one, work), strict=True):
        if read is None:
            del fresh[display]
        else:
            fresh[display] = {"key": key, "figures": read}
            changed = True
    if changed or len(fresh) != len(files):
        write_cache(folder, "figures", CACHE_VERSION, {"files": fresh})
    found: dict[str, Figures] = {}
    for path in wanted:
        if (kept := fresh.get(path)) is not None:
            figures = Figures.from_json(kept["figures"])
            found[figures.number] = figures
    return found


def _read_one(item: tuple[str, str]) -> dict[str, Any] | None:
    """The figures of one issued file as the cache keeps them; None when it is not a
    mapping (`check` says why)."""
    path, display = item
    data, _ = load_file_written(Path(path), display)
    return None if data is None else figures_of(data).to_json()

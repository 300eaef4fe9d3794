"""Exact money: rounding to the currency's minor unit, discounts and document totals.

All rounding lives here: half-up to the currency's minor unit (JPY has none, EUR two).
VAT is computed per category and rate on the sum of the line nets at that rate, after the
document discount (the EN 16931 way), so net + VAT = gross always holds exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

HUNDRED = Decimal(100)
ZERO = Decimal(0)


@cache
def minor_units(currency: str) -> int:
    """Digits after the decimal point for an ISO 4217 currency (EUR 2, JPY 0, KWD 3)."""
    from babel.numbers import get_currency_precision

    return int(get_currency_precision(currency))


@cache
def _tender_currencies() -> frozenset[str]:
    from babel.core import get_global

    return frozenset(
        code
        for currencies in get_global("territory_currencies").values()
        for code, _start, end, tender in currencies
        if tender and end is None
    )


@cache
def is_currency(code: str) -> bool:
    """True for an ISO 4217 currency that is legal tender somewhere today.

    Codes that are no money (XXX "no currency", XTS for tests, XAU gold, XDR...) and
    withdrawn currencies (FRF) are not: an invoice cannot be paid in them.
    """
    return bool(re.fullmatch(r"[A-Z]{3}", code)) and code in _tender_currencies()


# The largest numbers a file may hold: twelve digits before the point (under a thousand
# billion) and ten after. A product of two such numbers keeps within Decimal's 28 digits
# once rounded to a currency, so no total can ever fail to compute.
MAX_INTEGER_DIGITS = 12
MAX_FRACTION_DIGITS = 10


def _short(number: Decimal) -> str:
    text = str(number)
    return text if len(text) <= 30 else f"{text[:27]}..."


def decimal_problem(number: Decimal) -> str | None:
    """What makes `number` unfit for a file or an amount, or None when it fits."""
    if not number.is_finite():
        return f"expected a number, got {number}"
    _sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    whole = len(digits) + exponent
    if whole > MAX_INTEGER_DIGITS:
        return (
            f"a number has at most {MAX_INTEGER_DIGITS} digits before the decimal point, "
            f"got {_short(number)}"
        )
    if -exponent > MAX_FRACTION_DIGITS and number != number.quantize(
        Decimal(1).scaleb(-MAX_FRACTION_DIGITS), rounding=ROUND_HALF_UP
    ):
        return (
            f"a number has at most {MAX_FRACTION_DIGITS} digits after the decimal point, "
            f"got {_short(number)}"
        )
    return None


@cache
def _minor_unit(currency: str) -> Decimal:
    """The currency's minor unit as a Decimal: 0.01 for EUR, 1 for JPY."""
    return Decimal(1).scaleb(-minor_units(currency))


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit."""
    return amount.quantize(_minor_unit(currency), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Discount:
    """A discount as written: a percentage ("10%") or an amount (25.00)."""

    percent: Decimal | None = None
    amount: Decimal | None = None

    def on(self, base: Decimal, currency: str) -> Decimal:
        """The rounded discount amount on `base`."""
        if self.percent is not None:
            return round_money(base * self.percent / HUNDRED, currency)
        return round_money(self.amount or ZERO, currency)

    def written(self) -> str | Decimal:
        """The value as it is stored in a document."""
        if self.percent is not None:
            return f"{format(self.percent, 'f')}%"
        return self.amount if self.amount is not None else ZERO


_PERCENT = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*$")


def parse_discount(value: object) -> Discount:
    """Read "10%" or an amount; raise ValueError with what is expected."""
    if isinstance(value, bool):
        raise ValueError('expected a percentage like "10%" or an amount like 25.00')
    if isinstance(value, int | Decimal):
        amount = Decimal(value)
        if (problem := decimal_problem(amount)) is not None:
            raise ValueError(problem)
        if amount < 0:
            raise ValueError("a discount cannot be negative")
        return Discount(amount=amount)
    if isinstance(value, str):
        match = _PERCENT.match(value.replace(",", "."))
        if match:
            percent = Decimal(match.group(1))
            if (problem := decimal_problem(percent)) is not None:
                raise ValueError(problem)
            if percent > HUNDRED:
                raise ValueError("a percentage discount cannot exceed 100%")
            return Discount(percent=percent)
        try:
            number = Decimal(value.strip()[:100])
        except InvalidOperation:
            pass
        else:
            return parse_discount(number)
    raise ValueError('expected a percentage like "10%" or an amount like 25.00')


@dataclass(frozen=True)
class LineAmounts:
    """What a document line contributes: its VAT group, its discount and its net."""

    category: str
    rate: Decimal
    discount: Decimal
    net: Decimal


@dataclass(frozen=True)
class VatGroup:
    """One row of the VAT breakdown (EN 16931 BG-23)."""

    category: str
    rate: Decimal
    lines_net: Decimal
    allowance: Decimal
    base: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Totals:
    """The totals of a document, all rounded to the currency's minor unit."""

    lines: list[LineAmounts]
    lines_net: Decimal
    discount: Decimal
    net: Decimal
    vat_breakdown: list[VatGroup] = field(default_factory=list)  # stored as totals.vat
    vat_total: Decimal = ZERO
    gross: Decimal = ZERO
    prepaid: Decimal = ZERO
    due: Decimal = ZERO


@dataclass(frozen=True)
class LineInput:
    """A line as needed to compute amounts."""

    quantity: Decimal
    unit_price: Decimal
    category: str
    rate: Decimal
    discount: Discount | None = None


def line_amounts(line: LineInput, currency: str) -> LineAmounts:
    """Line net = quantity x unit price - line discount, each rounded to the minor unit."""
    gross = round_money(line.quantity * line.unit_price, currency)
    discount = line.discount.on(gross, currency) if line.discount else ZERO
    return LineAmounts(line.category, line.rate, discount, gross - discount)


def split_discount(discount: Discount, bases: list[Decimal], currency: str) -> list[Decimal]:
    """The document discount per VAT group.

    A percentage applies to each group's base. An amount is shared in proportion to the
    bases, the rounding remainder going to the largest group, so the parts add up exactly.
    """
    if discount.percent is not None:
        return [discount.on(base, currency) for base in bases]
    total = discount.on(ZERO, currency)
    whole = sum(bases, ZERO)
    if not bases or whole == 0:
        return [ZERO for _ in bases]
    parts = [round_money(total * base / whole, currency) for base in bases]
    largest = max(range(len(bases)), key=lambda i: bases[i])
    parts[largest] += total - sum(parts, ZERO)
    return parts


def compute_totals(
    lines: list[LineInput],
    currency: str,
    discount: Discount | None = None,
    prepaid: Decimal = ZERO,
    deductions: list[LineInput] | None = None,
) -> Totals:
    """Compute line nets, the VAT breakdown and the totals of a document.

    `deductions` are lines after the others (deposit invoices deducted by a final invoice):
    they lower their rate's base but the document discount does not apply to them, since
    it already applied to the deposit invoice.
    """
    amounts = [line_amounts(line, currency) for line in lines]
    deducted = [line_amounts(line, currency) for line in deductions or []]
    groups: dict[tuple[str, Decimal], Decimal] = {}
    extra: dict[tuple[str, Decimal], Decimal] = {}
    for amount in amounts:
        key = (amount.category, amount.rate)
        groups[key] = groups.get(key, ZERO) + amount.net
    for amount in deducted:
        key = (amount.category, amount.rate)
        groups.setdefault(key, ZERO)
        extra[key] = extra.get(key, ZERO) + amount.net
    keys = sorted(groups, key=lambda k: (-k[1], k[0]))
    bases = [groups[k] for k in keys]
    allowances = split_discount(discount, bases, currency) if discount else [ZERO] * len(keys)
    vat: list[VatGroup] = []
    for key, regular, allowance in zip(keys, bases, allowances, strict=True):
        category, rate = key
        lines_net = regular + extra.get(key, ZERO)
        base = lines_net - allowance
        tax = round_money(base * rate / HUNDRED, currency)
        vat.append(VatGroup(category, rate, lines_net, allowance, base, tax))
    amounts += deducted
    lines_net = sum((group.lines_net for group in vat), ZERO)
    discount_total = sum(allowances, ZERO)
    net = lines_net - discount_total
    vat_total = sum((g.amount for g in vat), ZERO)
    gross = net + vat_total
    zero = round_money(ZERO, currency)
    return Totals(
        lines=amounts,
        lines_net=lines_net + zero,
        discount=discount_total + zero,
        net=net + zero,
        vat_breakdown=vat,
        vat_total=vat_total + zero,
        gross=gross + zero,
        prepaid=round_money(prepaid, currency),
        due=round_money(gross - prepaid, currency),
    )

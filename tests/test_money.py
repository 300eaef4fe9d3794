"""Exact totals: rounding, discounts, VAT per rate, and properties over arbitrary lines."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facturo.model.money import (
    Discount,
    LineInput,
    compute_totals,
    minor_units,
    parse_discount,
    round_money,
    split_discount,
)


def line(qty: str, price: str, rate: str = "20", discount: str | None = None) -> LineInput:
    category = "S" if D(rate) > 0 else "Z"
    return LineInput(
        D(qty), D(price), category, D(rate), parse_discount(discount) if discount else None
    )


def test_rounding_is_half_up_to_the_minor_unit() -> None:
    assert round_money(D("0.125"), "EUR") == D("0.13")
    assert round_money(D("0.124999"), "EUR") == D("0.12")
    assert round_money(D("-0.125"), "EUR") == D("-0.13")
    assert round_money(D("100.5"), "JPY") == D("101")
    assert round_money(D("1.0005"), "KWD") == D("1.001")


def test_minor_units_come_from_the_currency() -> None:
    assert (minor_units("EUR"), minor_units("JPY"), minor_units("KWD")) == (2, 0, 3)


def test_vat_is_computed_per_rate_on_the_sum_of_line_nets() -> None:
    # Per line, 3 x round(0.333 * 20%) would give 0.21; on the sum it is 0.20.
    totals = compute_totals([line("1", "0.333"), line("1", "0.333"), line("1", "0.333")], "EUR")
    assert [(g.base, g.amount) for g in totals.vat_breakdown] == [(D("0.99"), D("0.20"))]
    assert (totals.net, totals.vat_total, totals.gross) == (D("0.99"), D("0.20"), D("1.19"))


def test_several_rates_line_and_document_discounts() -> None:
    totals = compute_totals(
        [line("3", "450.00", "20", "10%"), line("1.5", "99.99", "5.5")],
        "EUR",
        parse_discount("5%"),
    )
    assert [a.net for a in totals.lines] == [D("1215.00"), D("149.99")]
    assert [(g.rate, g.base, g.amount) for g in totals.vat_breakdown] == [
        (D("20"), D("1154.25"), D("230.85")),
        (D("5.5"), D("142.49"), D("7.84")),
    ]
    assert totals.discount == D("68.25")
    assert totals.gross == D("1535.43")


def test_an_amount_discount_is_shared_in_proportion_and_adds_up() -> None:
    parts = split_discount(
        Discount(amount=D("100.00")), [D("333.33"), D("333.33"), D("333.34")], "EUR"
    )
    assert sum(parts) == D("100.00")
    assert parts == [D("33.33"), D("33.33"), D("33.34")]


def test_jpy_has_no_decimals() -> None:
    totals = compute_totals([line("3", "1333", "10")], "JPY")
    assert (totals.net, totals.vat_total, totals.gross) == (D("3999"), D("400"), D("4399"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("10%", Discount(percent=D("10"))), ("12.5 %", Discount(percent=D("12.5"))),
     (D("25.00"), Discount(amount=D("25.00"))), (25, Discount(amount=D("25")))],
)  # fmt: skip
def test_parse_discount(text: object, expected: Discount) -> None:
    assert parse_discount(text) == expected


@pytest.mark.parametrize("text", ["ten", "150%", -5, True, "5%%"])
def test_parse_discount_refuses(text: object) -> None:
    with pytest.raises(ValueError):
        parse_discount(text)


amounts = st.decimals(min_value=D("0.01"), max_value=D("99999.99"), places=2)
quantities = st.decimals(min_value=D("0.001"), max_value=D("1000"), places=3)
rates = st.sampled_from([D("0"), D("2.1"), D("5.5"), D("10"), D("20")])
percents = st.decimals(min_value=D("0"), max_value=D("100"), places=2)
currencies = st.sampled_from(["EUR", "JPY", "KWD", "USD"])


@st.composite
def lines(draw: st.DrawFn) -> LineInput:
    rate = draw(rates)
    discount = draw(st.one_of(st.none(), percents.map(lambda p: Discount(percent=p))))
    return LineInput(draw(quantities), draw(amounts), "S" if rate else "Z", rate, discount)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(lines(), min_size=1, max_size=12),
    currencies,
    st.one_of(st.none(), percents.map(lambda p: Discount(percent=p))),
)
def test_totals_always_reconcile(
    items: list[LineInput], currency: str, discount: Discount | None
) -> None:
    totals = compute_totals(items, currency, discount)
    quantum = D(1).scaleb(-minor_units(currency))
    assert totals.net + totals.vat_total == totals.gross
    assert totals.gross - totals.prepaid == totals.due
    assert sum((g.base for g in totals.vat_breakdown), D(0)) == totals.net
    assert sum((g.amount for g in totals.vat_breakdown), D(0)) == totals.vat_total
    assert sum((a.net for a in totals.lines), D(0)) == totals.lines_net
    assert totals.lines_net - totals.discount == totals.net
    for group in totals.vat_breakdown:
        exact = group.base * group.rate / 100
        assert abs(group.amount - exact) <= quantum / 2
        assert group.amount == group.amount.quantize(quantum)
    assert len({(g.category, g.rate) for g in totals.vat_breakdown}) == len(totals.vat_breakdown)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(amounts, min_size=1, max_size=6),
    st.decimals(min_value=D("0"), max_value=D("1000"), places=2),
)
def test_an_amount_discount_always_adds_up_exactly(bases: list[D], amount: D) -> None:
    parts = split_discount(Discount(amount=amount), bases, "EUR")
    assert sum(parts, D(0)) == amount
    assert all(part >= -D("0.01") for part in parts)


@settings(max_examples=300, deadline=None)
@given(
    st.decimals(min_value=-(10**12), max_value=10**12, places=6),
    st.sampled_from(["EUR", "JPY", "KWD", "USD", "CHF", "BHD", "CLF", "XXX"]),
)
def test_rounding_uses_the_minor_unit_of_the_currency_as_babel_gives_it(
    amount: D, currency: str
) -> None:
    from decimal import ROUND_HALF_UP

    quantum = D(1).scaleb(-minor_units(currency))
    expected = amount.quantize(quantum, rounding=ROUND_HALF_UP)
    assert str(round_money(amount, currency)) == str(expected)

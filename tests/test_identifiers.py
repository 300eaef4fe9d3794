"""Checks of single values: the same answers however they are reached."""

from __future__ import annotations

from facturo.files import identifiers


def test_the_quick_list_of_countries_is_part_of_the_full_one() -> None:
    # is_country answers from babel's global data first, and reads the English names of
    # every territory only for a code not found there: both must agree on what a country is.
    usual = identifiers._usual_countries()
    assert "FR" in usual
    assert usual <= identifiers._countries()


def test_a_country_only_the_full_list_knows_is_a_country() -> None:
    assert "EU" not in identifiers._usual_countries()
    assert identifiers.is_country("EU")
    assert identifiers.check_country("DE") is None
    assert identifiers.check_country("de") == "write the country code in capitals: 'DE'"
    assert identifiers.check_country("QQ") is not None

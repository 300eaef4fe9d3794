"""Character classes compiled at every start, written as the few characters they match:
the same characters as the classes of everything else they were written as first."""

from __future__ import annotations

import re

import pytest

from facturo.files import canonical, written

EVERY_CHARACTER = "".join(map(chr, range(0x110000)))  # lone surrogates included


@pytest.mark.parametrize(
    ("compiled", "as_all_the_others"),
    [
        (
            canonical._UNLIKE,
            "[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]",
        ),
        (
            written._UNUSUAL,
            "[^\x0a\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
            "\U00010000-\U0010ffff]",
        ),
    ],
)
def test_a_class_matches_every_character_its_negation_does(
    compiled: re.Pattern[str], as_all_the_others: str
) -> None:
    assert compiled.findall(EVERY_CHARACTER) == re.findall(as_all_the_others, EVERY_CHARACTER)

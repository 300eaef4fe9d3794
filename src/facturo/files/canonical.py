"""Canonical text of the data facturo writes: YAML files that diff well, exact `--json` copies.

The text is PyYAML's pure-Python emitter's. libyaml's emitter (about ten times faster) writes
the same bytes for the data facturo's documents hold, but not for everything: it escapes
characters beyond U+FFFF ("\\U0001F600" for an emoji), writes NEL (U+0085) differently, ends
the file with `...` after a text kept with its trailing blank lines (`|+`), and writes some
keys (empty, with a carriage return, 128 characters long) in the `? key` form. So libyaml
writes a file only when every key is a plain name and every text is made of characters both
emitters treat alike (`_both_write_alike`); anything else goes to the Python emitter, as does
everything when PyYAML was built without libyaml. tests/test_canonical.py compares the two.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import yaml

from facturo.files.marked import YList, YMap


class _CanonicalDumper(yaml.SafeDumper):
    """Block style, fixed key order, exact decimals, readable accents: diffs well in git."""

    def ignore_aliases(self, data: Any) -> bool:
        return True  # a value used twice is written twice: no &anchors in files people read


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    text = format(value, "f")
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_map(dumper: yaml.SafeDumper, value: dict[str, Any]) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items())


_REPRESENTERS: list[tuple[type, Any]] = [
    (Decimal, _represent_decimal),
    (str, _represent_str),
    (YMap, _represent_map),
    (dict, _represent_map),
    (YList, yaml.SafeDumper.represent_list),
]
for _type, _function in _REPRESENTERS:
    _CanonicalDumper.add_representer(_type, _function)

_FastDumper: type | None = None
if getattr(yaml, "__with_libyaml__", False):

    class _LibyamlDumper(yaml.CSafeDumper):
        """The same representers and resolver, emitted by libyaml."""

        def ignore_aliases(self, data: Any) -> bool:
            return True

    for _type, _function in _REPRESENTERS:
        _LibyamlDumper.add_representer(_type, _function)
    _FastDumper = _LibyamlDumper

# A key both emitters write as `key:`; characters both write alike in any scalar style
# (tab and carriage return included, C0 and C1 controls, U+FEFF, U+2028, U+2029, surrogates
# and everything beyond U+FFFF excluded). The class names the few characters excluded, not
# the many allowed: compiled at every start, it costs 0.5 ms instead of 5.
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}")
_UNLIKE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff"
    "\U00010000-\U0010ffff]"
)
_SCALARS = (bool, int, dt.date, type(None))  # dt.datetime is a dt.date


def _both_write_alike(value: Any) -> bool:
    """True when libyaml writes `value` byte for byte as the Python emitter does."""
    if isinstance(value, str):
        # A text ending in a blank line is kept with `|+`, after which libyaml ends the
        # document with `...`.
        return not (_UNLIKE.search(value) or value == "\n" or value.endswith("\n\n"))
    if isinstance(value, dict):
        return all(
            isinstance(key, str) and _PLAIN_KEY.fullmatch(key) and _both_write_alike(item)
            for key, item in value.items()
        )
    if isinstance(value, list):
        return all(_both_write_alike(item) for item in value)
    if isinstance(value, Decimal):
        return value.is_finite()
    return isinstance(value, _SCALARS)


def dump(data: dict[str, Any], header: list[str] | None = None) -> str:
    """Canonical YAML for a file facturo writes: key order as given, block style."""
    fast = _FastDumper is not None and _both_write_alike(data)
    body = yaml.dump(
        data,
        Dumper=_FastDumper if fast else _CanonicalDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1_000_000,  # never fold a long line: folding depends on the text
        indent=2,
    )
    return _comments(header) + body


def dump_continued(
    data: dict[str, Any], first: list[str], written: str, header: list[str] | None = None
) -> str:
    """`dump(data, header)` when `written` is `dump` of the `first` keys of `data` (same
    values): only the keys after them are emitted. A mapping's keys are written one after
    the other at the margin, so the two texts join, unless the first one ends a document
    (`...`, after a text kept with its trailing blank lines)."""
    keys = list(data)
    if not first or keys[: len(first)] != first or written.endswith("...\n"):
        return dump(data, header)
    rest = {key: data[key] for key in keys[len(first) :]}
    return _comments(header) + written + (dump(rest) if rest else "")


def _comments(header: list[str] | None) -> str:
    return "".join(f"# {line}\n" if line else "#\n" for line in header or [])


# Keys holding quantities, rates and amounts: YAML reads `quantity: 3` as an integer, but
# programs reading `--json` get every decimal as a string, whole or not.
DECIMAL_KEYS = frozenset(
    """quantity unit_price vat_rate rate rate_percent late_penalty_rate_percent amount base net
    discount discount_amount lines_net vat_total gross prepaid due paid balance credited total
    interest indemnity recovery_indemnity share_capital share_percent""".split()
)


def jsonable(value: Any, key: str = "") -> Any:
    """A copy for `--json` output: decimals as exact strings, dates in ISO form."""
    if isinstance(value, dict):
        return {str(k): jsonable(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v, key) for v in value]
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int) and not isinstance(value, bool) and key in DECIMAL_KEYS:
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value

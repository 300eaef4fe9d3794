"""Canonical text of the data facturo writes: YAML files that diff well, exact `--json` copies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import yaml

from facturo.files.yamlio import YList, YMap


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


_CanonicalDumper.add_representer(Decimal, _represent_decimal)
_CanonicalDumper.add_representer(str, _represent_str)
_CanonicalDumper.add_representer(YMap, _represent_map)
_CanonicalDumper.add_representer(dict, _represent_map)
_CanonicalDumper.add_representer(YList, yaml.SafeDumper.represent_list)


def dump(data: dict[str, Any], header: list[str] | None = None) -> str:
    """Canonical YAML for a file facturo writes: key order as given, block style."""
    body = yaml.dump(
        data,
        Dumper=_CanonicalDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1_000_000,  # never fold a long line: folding depends on the text
        indent=2,
    )
    comments = "".join(f"# {line}\n" if line else "#\n" for line in header or [])
    return comments + body


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

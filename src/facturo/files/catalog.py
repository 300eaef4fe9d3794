"""The catalog (catalog.yaml): items sold at a set price, and draft lines that name them.

A line `item: ID` takes the item's description, unit, unit price and VAT rate; what the
line gives itself (a quantity, another price) wins. Lines are filled in when a draft is
read, before its schema, so the issued document holds the values of that day: a later
price in the catalog changes no issued invoice.
"""

from __future__ import annotations

from pathlib import Path

from facturo.errors import Problem
from facturo.files import schema
from facturo.files.marked import YList, YMap
from facturo.files.reading import read_file, suggest

CATALOG_FILE = "catalog.yaml"
FILLED = ("description", "unit", "unit_price", "vat_rate")


def read_catalog(root: Path) -> tuple[dict[str, YMap], list[Problem]]:
    """The items of catalog.yaml by id (none when the folder has no catalog)."""
    path = root / CATALOG_FILE
    if not path.exists():
        return {}, []
    from facturo.files.yamlio import load_mapping  # a YAML parser: when there is a catalog

    data, problems = load_mapping(path, CATALOG_FILE)
    if data is None:
        return {}, problems
    catalog, report = read_file(data, schema.CATALOG, CATALOG_FILE)
    problems += report.problems
    items: dict[str, YMap] = {}
    listed = catalog.get("items") or YList()
    for index, item in enumerate(listed):
        if not isinstance(item, YMap) or not isinstance(item.get("id"), str):
            continue
        if item["id"] in items:
            line, col = listed.mark(index)
            problems.append(Problem(CATALOG_FILE, line, col, f"the item {item['id']!r} is twice"))
        items.setdefault(item["id"], item)
    return items, problems


def fill_items(
    data: YMap, items: dict[str, YMap], display: str, *, vat_rate: bool
) -> list[Problem]:
    """Fill the lines of a draft or subscription that name a catalog item, in place.

    `vat_rate`: False under a VAT treatment without rates (reverse charge, franchise...).
    """
    problems = []
    lines = data.get("lines")
    if not isinstance(lines, list):
        return []
    for line in lines:
        if not isinstance(line, YMap) or "item" not in line:
            continue
        name = line["item"]
        item = items.get(str(name))
        if item is None:
            row, col = line.mark("item")
            known = suggest(str(name), sorted(items)) if items else "catalog.yaml has no items"
            problems.append(Problem(display, row, col, f"unknown catalog item {name!r} ({known})"))
            continue
        for key in FILLED:
            if key in line or key not in item or (key == "vat_rate" and not vat_rate):
                continue
            line[key] = item[key]
            line.key_marks[key] = line.mark("item")
            if key in item.raw:
                line.raw[key] = item.raw[key]
    return problems

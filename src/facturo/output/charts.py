"""Bar charts in plain text: one line per label, bars of block characters, no dependency."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

FULL = "█"
EIGHTHS = ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")
NEGATIVE = "░"


def bar(value: Decimal, largest: Decimal, width: int) -> str:
    """A bar `width` characters long for `largest`, in eighths of a character."""
    if largest <= 0 or value == 0:
        return ""
    eighths = int((abs(value) * width * 8 / largest).to_integral_value())
    if value < 0:
        return NEGATIVE * max(1, eighths // 8)
    return FULL * (eighths // 8) + EIGHTHS[eighths % 8]


def bar_chart(
    labels: Sequence[str], values: Sequence[Decimal], *, unit: str = "", width: int = 40
) -> list[str]:
    """Lines `label  bar  value unit`, the largest value filling `width` characters."""
    if not labels:
        return []
    largest = max((abs(v) for v in values), default=Decimal(0))
    label_width = max(len(label) for label in labels)
    texts = [format(v, "f") for v in values]
    value_width = max(len(t) for t in texts)
    suffix = f" {unit}" if unit else ""
    return [
        f"{label.ljust(label_width)}  {text.rjust(value_width)}{suffix}  "
        + bar(value, largest, width)
        for label, value, text in zip(labels, values, texts, strict=True)
    ]

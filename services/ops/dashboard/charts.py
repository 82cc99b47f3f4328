"""Inline SVG charts rendered on the server: no JavaScript, no build step, prints cleanly."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from markupsafe import Markup

from services.ops.domain.aging import Bucket
from shared.money import format_dkk

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 24, 40
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
AGING_COLOURS = ("#94a3b8", "#f2b84b", "#f08c3a", "#e5603b", "#c53030")
INVOICED, PAID = "#2f5d9e", "#3aa17e"


@dataclass(frozen=True)
class Month:
    """Invoiced and paid in one calendar month."""

    label: str
    invoiced: Decimal
    paid: Decimal


def _rect(x: float, y: float, w: float, h: float, fill: str, tip: str | None = None) -> str:
    title = f"<title>{escape(tip)}</title>" if tip else ""
    size = f'width="{w:.1f}" height="{h:.1f}"'
    return f'<rect x="{x:.1f}" y="{y:.1f}" {size} rx="2" fill="{fill}">{title}</rect>'


def _text(x: float, y: float, text: str, css: str, anchor: str = "middle") -> str:
    place = f'x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"'
    return f'<text {place} class="{css}">{escape(text)}</text>'


def _thousands(value: Decimal) -> str:
    return f"{int(value):,}".replace(",", ".")


def _scale(top: Decimal) -> tuple[Decimal, list[Decimal]]:
    """A round axis maximum and its four gridlines."""
    if top <= 0:
        return Decimal(1000), [Decimal(250 * i) for i in range(1, 5)]
    magnitude = Decimal(10) ** (len(str(int(top))) - 1)
    ceiling = magnitude
    for step in ("1", "2", "2.5", "5", "10"):
        ceiling = magnitude * Decimal(step)
        if ceiling >= top:
            break
    return ceiling, [ceiling * i / 4 for i in range(1, 5)]


def _height(value: Decimal, ceiling: Decimal) -> float:
    return float(value / ceiling) * PLOT_H


def _frame(ceiling: Decimal, lines: list[Decimal], label: str) -> list[str]:
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for value in [Decimal(0), *lines]:
        y = TOP + PLOT_H - _height(value, ceiling)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
        )
        parts.append(_text(LEFT - 8, y + 4, _thousands(value), "axis", anchor="end"))
    return parts


def aging_chart(buckets: Sequence[Bucket]) -> Markup:
    """Open balances by days past due, one bar per bucket, with the amount above each."""
    ceiling, lines = _scale(max((b.amount for b in buckets), default=Decimal(0)))
    parts = _frame(ceiling, lines, "Accounts receivable by days past due")
    slot = PLOT_W / len(buckets)
    for i, (bucket, colour) in enumerate(zip(buckets, AGING_COLOURS, strict=False)):
        h = _height(bucket.amount, ceiling)
        y = TOP + PLOT_H - h
        tip = f"{bucket.label}: {format_dkk(bucket.amount)} on {bucket.invoices} invoice(s)"
        parts.append(_rect(LEFT + i * slot + slot * 0.18, y, slot * 0.64, h, colour, tip))
        centre = LEFT + i * slot + slot / 2
        parts.append(_text(centre, y - 6, format_dkk(bucket.amount), "value"))
        parts.append(_text(centre, HEIGHT - 14, bucket.label, "label"))
    parts.append("</svg>")
    return Markup("".join(parts))


def monthly_chart(months: Sequence[Month]) -> Markup:
    """Invoiced next to paid for each month, with a legend."""
    top = max([m.invoiced for m in months] + [m.paid for m in months] + [Decimal(0)])
    ceiling, lines = _scale(top)
    parts = _frame(ceiling, lines, "Invoiced and paid per month")
    slot = PLOT_W / max(len(months), 1)
    bar = slot * 0.34
    for i, month in enumerate(months):
        pairs = ((month.invoiced, INVOICED, "invoiced"), (month.paid, PAID, "paid"))
        for j, (value, colour, what) in enumerate(pairs):
            h = _height(value, ceiling)
            x = LEFT + i * slot + slot * 0.14 + j * bar
            tip = f"{month.label}: {format_dkk(value)} {what}"
            parts.append(_rect(x, TOP + PLOT_H - h, bar, h, colour, tip))
        parts.append(_text(LEFT + i * slot + slot / 2, HEIGHT - 14, month.label, "label"))
    legend_x = WIDTH - RIGHT - 170
    for k, (colour, what) in enumerate(((INVOICED, "Invoiced"), (PAID, "Paid"))):
        x = legend_x + k * 90
        parts.append(_rect(x, 4, 12, 12, colour))
        parts.append(_text(x + 18, 14, what, "label", anchor="start"))
    parts.append("</svg>")
    return Markup("".join(parts))

"""One chart per report, drawn on the server: SVG for the page, a reportlab drawing for the PDF.

Hand-made SVG keeps the page light and readable without JavaScript (pygal's output wants its own
scripts for tooltips); both renderers draw the same `Chart`, built from a report's result.
"""

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .columns import LABELS, NUMERIC, Display
from .result import ReportResult

PALETTE = ("#0b6e4f", "#e07a1f", "#3c6fb4", "#b3261e", "#7a5195", "#5b6776")
MAX_CATEGORIES = 12


@dataclass(frozen=True)
class ChartSpec:
    """What to draw: one bar group per `category` value; bars per `series` value, or one bar per
    column in `values`; `columns=True` draws vertical columns (long series such as months)."""

    category: str
    series: str | None = None
    values: tuple[str, ...] = ()
    columns: bool = False


@dataclass(frozen=True)
class Chart:
    categories: list[str]
    series: list[str]
    values: list[list[int]]  # values[category][series]
    columns: bool = False

    @cached_property
    def peak(self) -> int:
        """The largest value; worked out once (the renderers scale every bar by it)."""
        return max((v for row in self.values for v in row), default=0)


def build_chart(spec: ChartSpec, result: ReportResult, display: Display) -> Chart:
    """The chart of `result`: totals over the columns the chart does not show."""
    cols = result.columns
    cat_i = cols.index(spec.category)
    if spec.values:
        names = list(spec.values)
    else:
        names = [""]
    totals: dict = defaultdict(lambda: defaultdict(int))
    series_seen: list = []
    for row in result.rows:
        if spec.values:
            for name in names:
                totals[row[cat_i]][name] += row[cols.index(name)]
            continue
        key = row[cols.index(spec.series)] if spec.series else ""
        if key not in series_seen:
            series_seen.append(key)
        totals[row[cat_i]][key] += row[_count_index(cols)]
    keys = names if spec.values else sorted(series_seen)
    categories = _keep_largest(list(totals), totals, spec)
    values = []
    for cat in categories:
        if cat is _OTHER:
            rest = [c for c in totals if c not in categories]
            values.append([sum(totals[c][k] for c in rest) for k in keys])
        else:
            values.append([totals[cat][k] for k in keys])
    if spec.values:
        series = [str(LABELS[name]) for name in names]
    elif spec.series:
        series = [str(display.value(spec.series, key)) for key in keys]
    else:
        series = [str(LABELS[cols[_count_index(cols)]])]
    labels = [
        _("other") if c is _OTHER else str(display.value(spec.category, c)) for c in categories
    ]
    return Chart(labels, series, values, spec.columns)


_OTHER = object()


def _count_index(columns: tuple[str, ...]) -> int:
    return max(i for i, name in enumerate(columns) if name in NUMERIC)


def _keep_largest(categories: list, totals: dict, spec: ChartSpec) -> list:
    """Categories in result order; beyond MAX_CATEGORIES, the largest ones and one "other"."""
    if spec.columns or len(categories) <= MAX_CATEGORIES:
        return categories
    by_size = sorted(categories, key=lambda c: -sum(totals[c].values()))
    keep = set(by_size[: MAX_CATEGORIES - 1])
    return [c for c in categories if c in keep] + [_OTHER]


def render_svg(chart: Chart) -> SafeString:
    """The chart as inline SVG markup (safe to put in a template)."""
    if not chart.categories or chart.peak <= 0:
        return mark_safe("")
    if chart.columns:
        return mark_safe(_svg_columns(chart))
    return mark_safe(_svg_bars(chart))


def _n(value: int) -> str:
    return number_format(value, force_grouping=True)


def _short(label: str, size: int = 30) -> str:
    return label if len(label) <= size else label[: size - 1] + "…"


def _open_svg(width: int, height: int, font_size: int) -> str:
    # Drawn at its natural size (never scaled up), narrower screens scale it down.
    return (
        f'<svg class="report-chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-size="{font_size}" '
        f'font-family="DejaVu Sans, sans-serif">'
    )


def _legend(chart: Chart, y: int) -> list[str]:
    parts, x = [], 0
    if len(chart.series) < 2:
        return parts
    for i, name in enumerate(chart.series):
        colour = PALETTE[i % len(PALETTE)]
        parts.append(
            f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16}" y="{y + 11}">{escape(name)}</text>'
        )
        x += 30 + 8 * len(name)
    return parts


def _svg_bars(chart: Chart) -> str:
    label_w, bar_w, bar_h, gap = 230, 560, 13, 10
    top = 24 if len(chart.series) > 1 else 0
    group_h = bar_h * len(chart.series) + gap
    height = top + group_h * len(chart.categories)
    width = label_w + bar_w + 90
    peak = chart.peak
    parts = [_open_svg(width, height, 12), *_legend(chart, 0)]
    for c, (label, row) in enumerate(zip(chart.categories, chart.values, strict=True)):
        y0 = top + c * group_h
        parts.append(
            f'<text x="{label_w - 8}" y="{y0 + bar_h * len(row) / 2 + 4:.0f}" '
            f'text-anchor="end"><title>{escape(label)}</title>'
            f"{escape(_short(label))}</text>"
        )
        for s, value in enumerate(row):
            if value <= 0:
                continue
            w = bar_w * value / peak
            y = y0 + s * bar_h
            colour = PALETTE[s % len(PALETTE)]
            parts.append(
                f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" '
                f'fill="{colour}"><title>{escape(label)} · {escape(chart.series[s])}: '
                f"{_n(value)}</title></rect>"
                f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 3}" font-size="11" '
                f'fill="#5b6776">{_n(value)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _svg_columns(chart: Chart) -> str:
    width, plot_h, left, top = 880, 220, 50, 24
    n = len(chart.categories)
    slot = (width - left) / n
    bar = max(slot / (len(chart.series) + 1), 1)
    every = max(1, round(n / 12))  # at most about twelve labels under the axis
    height = top + plot_h + 30
    peak = chart.peak
    parts = [
        _open_svg(width, height, 11),
        *_legend(chart, 0),
        f'<text x="{left - 4}" y="{top + 10}" text-anchor="end">{_n(peak)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width}" y2="{top + plot_h}" '
        f'stroke="#d5dbe3"/>',
    ]
    for c, (label, row) in enumerate(zip(chart.categories, chart.values, strict=True)):
        x0 = left + c * slot
        for s, value in enumerate(row):
            h = plot_h * value / peak
            colour = PALETTE[s % len(PALETTE)]
            parts.append(
                f'<rect x="{x0 + s * bar:.1f}" y="{top + plot_h - h:.1f}" '
                f'width="{bar:.1f}" height="{h:.1f}" fill="{colour}"><title>'
                f"{escape(label)} · {escape(chart.series[s])}: {_n(value)}</title></rect>"
            )
        if c % every == 0:
            parts.append(f'<text x="{x0:.1f}" y="{top + plot_h + 16}">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)

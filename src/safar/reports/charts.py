"""One chart per report, drawn on the server: SVG for the page, a reportlab drawing for the PDF.

Hand-made SVG keeps the page light and readable without JavaScript (pygal's output wants its own
scripts for tooltips); both renderers draw the same `Chart`, built from a report's result.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .columns import LABELS, NUMERIC, Display
from .result import ReportResult
from .tables import display_sort_key

PALETTE = ("#0b6e4f", "#e07a1f", "#3c6fb4", "#b3261e", "#7a5195", "#5b6776")
MAX_CATEGORIES = 12

# One colour per meaning across every report and the pivot: entries are always green and exits
# always orange, whether they come as a direction (R01, R08) or as columns (R02); men and women
# keep theirs too.
MEANING_COLOURS = {
    "entry": "#0b6e4f",
    "entries": "#0b6e4f",
    "exit": "#e07a1f",
    "exits": "#e07a1f",
    "M": "#3c6fb4",
    "F": "#a23b72",
}
# Series without a fixed meaning (a single count, bands, purposes…) take these in turn; none of
# them is a meaning colour, so an orange bar always means exits and a green one entries.
OTHER_COLOURS = ("#2a9d8f", "#5b6776", "#b3261e", "#8c6d1f", "#6c4f9c", "#7f8c2d", "#c06c84")


def colours_for(keys: list[str]) -> list[str]:
    """The colour of each series: its meaning's colour, or the next colour without a meaning."""
    colours, turn = [], 0
    for key in keys:
        if key in MEANING_COLOURS:
            colours.append(MEANING_COLOURS[key])
        else:
            colours.append(OTHER_COLOURS[turn % len(OTHER_COLOURS)])
            turn += 1
    return colours


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
    # The codes behind `series` (direction, sex, column name…): they choose the colours.
    keys: list[str] = field(default_factory=list)

    @property
    def colours(self) -> list[str]:
        return colours_for(self.keys or self.series)

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
    # Categories in the order of the table: by name in the active language (months by date).
    ordered = sorted(totals, key=display_sort_key(spec.category, display))
    categories = _keep_largest(ordered, totals, spec)
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
    return Chart(labels, series, values, spec.columns, keys=[str(k) for k in keys])


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


def render_svg(chart: Chart, *, title: str = "", summary: str = "") -> SafeString:
    """The chart as inline SVG markup (safe to put in a template).

    `title` and `summary` are its text alternative (SVG <title> and <desc>, read by screen
    readers); every number is also in the table under the chart.
    """
    if not chart.categories or chart.peak <= 0:
        return mark_safe("")
    alternative = f"<title>{escape(title)}</title><desc>{escape(summary)}</desc>"
    if chart.columns:
        return mark_safe(_svg_columns(chart, alternative))
    return mark_safe(_svg_bars(chart, alternative))


def _n(value: int) -> str:
    return number_format(value, force_grouping=True)


# Widths of DejaVu Sans glyphs in ems, rounded up so that an estimate is never short: labels
# are fitted to their room on the server, where no font can be measured.
_WIDE = set("MWmwЖжШшЩщЮюМмФф@%")
_NARROW = set("iljtfrIі.,:;'!|()[] ")


def text_width(text: str, font_size: float) -> float:
    """A generous estimate of the width of `text` in DejaVu Sans at `font_size` pixels."""
    ems = 0.0
    for char in text:
        if char in _WIDE:
            ems += 0.95
        elif char in _NARROW:
            ems += 0.4
        elif char.isupper():
            ems += 0.78
        else:
            ems += 0.66
    return ems * font_size


def fit(label: str, room: float, font_size: float) -> str:
    """`label`, shortened with "…" so that it fits in `room` pixels (the full name goes in a
    <title> for hover and is in the table)."""
    if text_width(label, font_size) <= room:
        return label
    while label and text_width(label + "…", font_size) > room:
        label = label[:-1]
    return label.rstrip() + "…"


def _open_svg(width: int, height: int, font_size: int, alternative: str) -> str:
    # Drawn at its natural size (never scaled up), narrower screens scale it down.
    return (
        f'<svg class="report-chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-size="{font_size}" '
        f'font-family="DejaVu Sans, sans-serif">{alternative}'
    )


LEGEND_ROW = 20
PAD = 6


def _legend_rows(chart: Chart, width: int) -> list[list[tuple[int, str, str, float]]]:
    """The legend items (x, name, colour, width) in rows that fit in `width`."""
    if len(chart.series) < 2:
        return []
    rows: list[list] = [[]]
    x = 0.0
    for name, colour in zip(chart.series, chart.colours, strict=True):
        shown = fit(name, width - 20, 12)
        w = 16 + text_width(shown, 12) + 14
        if x and x + w > width:
            rows.append([])
            x = 0.0
        rows[-1].append((x, shown, colour, w))
        x += w
    return rows


def _legend(rows: list, y: int = 0) -> list[str]:
    parts = []
    for r, row in enumerate(rows):
        top = y + r * LEGEND_ROW
        for x, name, colour, _w in row:
            parts.append(
                f'<rect x="{x:.0f}" y="{top}" width="12" height="12" fill="{colour}"/>'
                f'<text x="{x + 16:.0f}" y="{top + 11}">{escape(name)}</text>'
            )
    return parts


def _svg_bars(chart: Chart, alternative: str = "") -> str:
    bar_w, bar_h, gap, value_w = 520, 13, 10, 90
    longest = max(text_width(label, 12) for label in chart.categories)
    label_w = int(min(max(longest + 12, 80), 260))
    width = label_w + bar_w + value_w
    legend = _legend_rows(chart, width)
    # Room above the first line of text (its ascent) so that nothing sticks out of the box.
    top = PAD + LEGEND_ROW * len(legend)
    group_h = bar_h * len(chart.series) + gap
    height = top + group_h * len(chart.categories) + PAD
    peak = chart.peak
    colours = chart.colours
    parts = [_open_svg(width, height, 12, alternative), *_legend(legend, PAD)]
    for c, (label, row) in enumerate(zip(chart.categories, chart.values, strict=True)):
        y0 = top + c * group_h
        parts.append(
            f'<text x="{label_w - 8}" y="{y0 + bar_h * len(row) / 2 + 4:.0f}" '
            f'text-anchor="end"><title>{escape(label)}</title>'
            f"{escape(fit(label, label_w - 10, 12))}</text>"
        )
        for s, value in enumerate(row):
            if value <= 0:
                continue
            w = bar_w * value / peak
            y = y0 + s * bar_h
            parts.append(
                f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" '
                f'fill="{colours[s]}"><title>{escape(label)} · {escape(chart.series[s])}: '
                f"{_n(value)}</title></rect>"
                f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 3}" font-size="11" '
                f'fill="#3d4652">{_n(value)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _svg_columns(chart: Chart, alternative: str = "") -> str:
    width, plot_h, right = 880, 220, 24
    peak = chart.peak
    ticks = [0, peak // 2, peak] if peak >= 2 else [0, peak]
    left = int(max(text_width(_n(peak), 11) + 10, 40))
    legend = _legend_rows(chart, width)
    top = PAD + LEGEND_ROW * len(legend) + 12
    n = len(chart.categories)
    slot = (width - left - right) / n
    bar = max(slot / (len(chart.series) + 1), 1)
    widest = max(text_width(label, 11) for label in chart.categories)
    every = max(1, -(-int(widest + 8) // max(int(slot), 1)))  # labels never overlap
    height = top + plot_h + 30
    colours = chart.colours
    parts = [_open_svg(width, height, 11, alternative), *_legend(legend, PAD)]
    for tick in ticks:
        y = top + plot_h - plot_h * tick / peak
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="#d5dbe3"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{_n(tick)}</text>'
        )
    for c, (label, row) in enumerate(zip(chart.categories, chart.values, strict=True)):
        x0 = left + c * slot
        for s, value in enumerate(row):
            h = plot_h * value / peak
            parts.append(
                f'<rect x="{x0 + s * bar + bar / 2:.1f}" y="{top + plot_h - h:.1f}" '
                f'width="{bar:.1f}" height="{h:.1f}" fill="{colours[s]}"><title>'
                f"{escape(label)} · {escape(chart.series[s])}: {_n(value)}</title></rect>"
            )
        if c % every == 0:
            centre = min(max(x0 + slot / 2, widest / 2), width - widest / 2)
            parts.append(
                f'<text x="{centre:.1f}" y="{top + plot_h + 16}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)

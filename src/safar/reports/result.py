"""What every report returns, and the checks every report's `run` shares."""

from dataclasses import dataclass, field

from .columns import sort_rows

# The filters a report may offer, and the cell dimension each one fixes.
FILTER_NAMES = ("border_point", "sex", "country")


@dataclass(frozen=True)
class ReportResult:
    columns: tuple[str, ...]
    rows: list[list] = field(default_factory=list)

    @classmethod
    def of(cls, columns: tuple[str, ...], rows: list[list]) -> "ReportResult":
        """A result with its rows in the report's order (by the leading columns)."""
        return cls(tuple(columns), sort_rows(tuple(columns), rows))


def counted_rows(counts: dict[tuple, int]) -> list[list]:
    """[dimension values…, count] for every combination with a positive count."""
    return [[*dims, total] for dims, total in counts.items() if total > 0]


def check_filters(allowed: tuple[str, ...], filters: dict) -> dict:
    """The filters with a value, after checking that the report offers each one given."""
    unknown = set(filters) - set(allowed)
    if unknown:
        raise TypeError(f"unexpected filters: {', '.join(sorted(unknown))}")
    return {name: value for name, value in filters.items() if value not in (None, "")}

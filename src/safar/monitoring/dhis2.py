"""The accepted monthly reports as DHIS2 aggregate data: a `dataValueSets` JSON payload or ADX
XML, and the client that sends them to a DHIS2 server.

Every figure of an accepted report's frozen version (a count of a table's row, or a typed
figure) must be mapped by an administrator to a data element and a category option combo
(`Dhis2Indicator`), and every MSC to an org unit (`Dhis2OrgUnit`), all by code (`idScheme=code`).
A figure without a mapping is an error that names it: nothing is dropped silently. Only accepted
reports are exported; a month in which an MSC has none leaves that MSC out (and says so).

The client posts each MSC's set to `/api/dataValueSets` as a dry run first, then for real, then
marks the data set complete (`/api/completeDataSetRegistrations`), and logs each step's import
summary (`Dhis2SendLog`). DHIS2 2.38 and later wrap the summary
(`{"httpStatus": "Conflict", "httpStatusCode": 409, "response": {…}}`) and answer 409 when
values conflict; older servers answer the summary itself with 200: both are read.
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import requests
from django.db import transaction
from django.utils import timezone

from .figures import Month
from .models import Dhis2DataSet, Dhis2Indicator, Dhis2OrgUnit, Dhis2SendLog, MonthlyReport
from .services import figures_of

ADX_NAMESPACE = "urn:ihe:qrph:adx:2015"
TIMEOUT_S = 60


class Dhis2Error(Exception):
    """The export cannot be made (an unmapped figure, no data set, …) or the server refused."""


@dataclass(frozen=True)
class DataValue:
    data_element: str
    category_option_combo: str
    value: int


@dataclass(frozen=True)
class DataValueSet:
    """One MSC's accepted figures for one month."""

    data_set: str
    month: Month
    org_unit: str
    msc: str
    complete_date: datetime.date
    values: tuple[DataValue, ...] = field(default_factory=tuple)

    @property
    def period(self) -> str:
        return f"{self.month.year:04d}{self.month.month:02d}"

    def as_json(self, *, with_org_unit_per_value: bool = False) -> dict[str, Any]:
        values = []
        for value in self.values:
            item: dict[str, Any] = {"dataElement": value.data_element}
            if value.category_option_combo:
                item["categoryOptionCombo"] = value.category_option_combo
            if with_org_unit_per_value:
                item |= {"orgUnit": self.org_unit, "period": self.period}
            item["value"] = str(value.value)
            values.append(item)
        return {
            "dataSet": self.data_set,
            "period": self.period,
            "orgUnit": self.org_unit,
            "completeDate": self.complete_date.isoformat(),
            "idScheme": "code",
            "dataValues": values,
        }


def data_set_for(code: str | None) -> Dhis2DataSet:
    """The data set named by `code`, or the only one there is."""
    if code:
        found = Dhis2DataSet.objects.filter(code=code).first()
        if found is None:
            raise Dhis2Error(f"no DHIS2 data set has the code {code!r}")
        return found
    sets = list(Dhis2DataSet.objects.all()[:2])
    if not sets:
        raise Dhis2Error("no DHIS2 data set is set up: add one in the admin (DHIS2 data sets)")
    if len(sets) > 1:
        raise Dhis2Error("several DHIS2 data sets are set up: name one with --data-set")
    return sets[0]


def accepted_reports(month: Month, msc_codes: Iterable[str] = ()) -> list[MonthlyReport]:
    reports = MonthlyReport.objects.filter(
        month=month.first_day, status=MonthlyReport.Status.ACCEPTED
    ).select_related("msc")
    codes = list(msc_codes)
    if codes:
        reports = reports.filter(msc__code__in=codes)
    return list(reports.order_by("msc__code"))


def build_sets(
    month: Month, *, msc_codes: Iterable[str] = (), data_set: str | None = None
) -> list[DataValueSet]:
    """One DataValueSet per accepted report of the month; Dhis2Error naming every unmapped
    figure and MSC (all of them at once, so an administrator maps them in one go)."""
    codes = list(msc_codes)
    chosen = data_set_for(data_set)
    reports = accepted_reports(month, codes)
    if not reports:
        which = ", ".join(codes) if codes else "any MSC"
        raise Dhis2Error(f"no accepted monthly report for {month} of {which}")
    mapping = {
        (m.table, m.row, m.column): m for m in Dhis2Indicator.objects.filter(data_set=chosen)
    }
    org_units = dict(Dhis2OrgUnit.objects.values_list("msc_id", "code"))
    problems: list[str] = []
    sets = []
    for report in reports:
        version = report.latest_version()
        if version is None:  # accepted without a submitted version: never by the workflow
            problems.append(f"{report}: no submitted version")
            continue
        org_unit = org_units.get(report.msc_id)
        if not org_unit:
            problems.append(f"{report.msc.code}: no DHIS2 org unit mapped")
        values = []
        for (table, row, column), value in sorted(
            figures_of(version.tables, version.typed).items()
        ):
            found = mapping.get((table, row, column))
            if found is None:
                problems.append(
                    f"{report.msc.code}: {table} row {row or '(the only one)'!r} "
                    f"column {column!r} is not mapped to a DHIS2 data element"
                )
                continue
            values.append(DataValue(found.data_element, found.category_option_combo, value))
        accepted_at = (
            report.events.filter(action="accept").order_by("-at").values_list("at", flat=True)
        ).first() or timezone.now()
        sets.append(
            DataValueSet(
                data_set=chosen.code,
                month=month,
                org_unit=org_unit or "",
                msc=report.msc.code,
                complete_date=timezone.localtime(accepted_at).date(),
                values=tuple(values),
            )
        )
    if problems:
        raise Dhis2Error("; ".join(problems))
    return sets


def as_json_payload(sets: list[DataValueSet]) -> dict[str, Any]:
    """One MSC: its data value set as DHIS2 reads it. Several: one set whose every value names
    its org unit and period (DHIS2 takes these per value), the top-level orgUnit left out."""
    if len(sets) == 1:
        return sets[0].as_json()
    first = sets[0].as_json()
    del first["orgUnit"]
    first["dataValues"] = [
        value for one in sets for value in one.as_json(with_org_unit_per_value=True)["dataValues"]
    ]
    return first


def as_adx(sets: list[DataValueSet], *, exported: datetime.datetime | None = None) -> bytes:
    """ADX (IHE QRPH, urn:ihe:qrph:adx:2015): a group per MSC with its period as an ISO 8601
    start and duration (2026-11-01/P1M); each value's category option combo by its code in
    the `categoryOptionCombo` attribute, as DHIS2's ADX import reads it."""
    ET.register_namespace("", ADX_NAMESPACE)
    when = (exported or timezone.now()).astimezone(datetime.UTC).replace(microsecond=0)
    root = ET.Element(f"{{{ADX_NAMESPACE}}}adx", {"exported": when.isoformat()})
    for one in sets:
        group = ET.SubElement(
            root,
            f"{{{ADX_NAMESPACE}}}group",
            {
                "orgUnit": one.org_unit,
                "period": f"{one.month.first_day.isoformat()}/P1M",
                "dataSet": one.data_set,
                "completeDate": one.complete_date.isoformat(),
            },
        )
        for value in one.values:
            attributes = {"dataElement": value.data_element}
            if value.category_option_combo:
                attributes["categoryOptionCombo"] = value.category_option_combo
            attributes["value"] = str(value.value)
            ET.SubElement(group, f"{{{ADX_NAMESPACE}}}dataValue", attributes)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


# --- the client -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportSummary:
    http_status: int
    status: str
    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0
    conflicts: tuple[dict, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status in ("SUCCESS", "OK", "WARNING") and not self.conflicts


def read_summary(http_status: int, body: Any) -> ImportSummary:
    """DHIS2's import summary, wrapped (2.38+: {"httpStatus", "response": {…}}) or not."""
    if not isinstance(body, dict):
        raise Dhis2Error(f"DHIS2 answered {http_status} without an import summary")
    wrapped = body.get("response")
    summary: dict = wrapped if isinstance(wrapped, dict) else body
    counts = summary.get("importCount") or {}
    conflicts = summary.get("conflicts") or []
    status = str(summary.get("status") or body.get("status") or "")
    return ImportSummary(
        http_status=http_status,
        status=status,
        imported=int(counts.get("imported", 0)),
        updated=int(counts.get("updated", 0)),
        ignored=int(counts.get("ignored", 0)),
        deleted=int(counts.get("deleted", 0)),
        conflicts=tuple(c for c in conflicts if isinstance(c, dict)),
    )


class Dhis2Client:
    """A DHIS2 server's Web API by `requests`: basic auth or a personal access token."""

    def __init__(
        self,
        url: str,
        *,
        username: str = "",
        password: str = "",
        token: str = "",
        session: requests.Session | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.session = session or requests.Session()
        if token:
            self.session.headers["Authorization"] = f"ApiToken {token}"
        elif username:
            self.session.auth = (username, password)

    def _post(self, path: str, params: dict, body: dict) -> tuple[int, Any]:
        try:
            response = self.session.post(
                f"{self.url}{path}", params=params, json=body, timeout=TIMEOUT_S
            )
        except requests.RequestException as exc:
            raise Dhis2Error(f"cannot reach {self.url}: {exc}") from None
        if response.status_code in (401, 403):
            raise Dhis2Error(f"DHIS2 refused the credentials ({response.status_code})")
        try:
            return response.status_code, response.json()
        except ValueError:
            raise Dhis2Error(
                f"DHIS2 answered {response.status_code} with no JSON from {path}"
            ) from None

    def post_data_values(self, payload: dict, *, dry_run: bool) -> ImportSummary:
        params = {
            "dryRun": str(dry_run).lower(),
            "idScheme": "code",
            "importStrategy": "CREATE_AND_UPDATE",
        }
        status, body = self._post("/api/dataValueSets", params, payload)
        # 200 (older servers, and 2.38+ without conflicts) or 409 (2.38+ with conflicts):
        # both carry the summary; anything else is a failure of the request itself.
        if status not in (200, 201, 409):
            raise Dhis2Error(f"DHIS2 answered {status} to the data values")
        return read_summary(status, body)

    def complete(self, one: DataValueSet) -> ImportSummary:
        body = {
            "completeDataSetRegistrations": [
                {
                    "dataSet": one.data_set,
                    "period": one.period,
                    "organisationUnit": one.org_unit,
                    "completed": True,
                }
            ]
        }
        status, answer = self._post("/api/completeDataSetRegistrations", {"idScheme": "code"}, body)
        if status not in (200, 201, 409):
            raise Dhis2Error(f"DHIS2 answered {status} to the completion")
        return read_summary(status, answer)


def _log(
    one: DataValueSet, url: str, user, *, dry_run: bool, summary=None, error="", completed=False
):
    return Dhis2SendLog.objects.create(
        user=user,
        url=url,
        month=one.month.first_day,
        data_set=one.data_set,
        org_units=[one.org_unit],
        dry_run=dry_run,
        http_status=summary.http_status if summary else None,
        status=summary.status if summary else "ERROR",
        imported=summary.imported if summary else 0,
        updated=summary.updated if summary else 0,
        ignored=summary.ignored if summary else 0,
        deleted=summary.deleted if summary else 0,
        conflicts=list(summary.conflicts) if summary else [],
        completed=completed,
        error=error,
    )


def push(
    sets: list[DataValueSet], client: Dhis2Client, *, dry_run: bool, user=None
) -> list[Dhis2SendLog]:
    """Each MSC's set: a dry run; unless `dry_run` and if the dry run is clean, the import and
    the completion. Every step is logged (in its own transaction: a log survives a failure
    further on). Stops at the first set the server refuses."""
    logs = []
    for one in sets:
        payload = one.as_json()
        try:
            trial = client.post_data_values(payload, dry_run=True)
        except Dhis2Error as exc:
            with transaction.atomic():
                logs.append(_log(one, client.url, user, dry_run=True, error=str(exc)))
            raise
        with transaction.atomic():
            logs.append(_log(one, client.url, user, dry_run=True, summary=trial))
        if not trial.ok:
            raise Dhis2Error(
                f"{one.msc}: the dry run found {len(trial.conflicts)} conflicts "
                f"({trial.status}); nothing was sent: {describe_conflicts(trial)}"
            )
        if dry_run:
            continue
        summary = client.post_data_values(payload, dry_run=False)
        completed = False
        error = ""
        if summary.ok:
            completion = client.complete(one)
            completed = completion.ok
            if not completed:
                error = f"completion refused: {completion.status} {describe_conflicts(completion)}"
        with transaction.atomic():
            logs.append(
                _log(
                    one,
                    client.url,
                    user,
                    dry_run=False,
                    summary=summary,
                    error=error,
                    completed=completed,
                )
            )
        if not summary.ok:
            raise Dhis2Error(
                f"{one.msc}: DHIS2 did not take the values ({summary.status}): "
                f"{describe_conflicts(summary)}"
            )
        if error:
            raise Dhis2Error(f"{one.msc}: {error}")
    return logs


def describe_conflicts(summary: ImportSummary) -> str:
    return "; ".join(f"{c.get('object', '')}: {c.get('value', '')}" for c in summary.conflicts[:10])

"""Demo monthly reports: last month's for the four MSCs — Dushanbe's accepted (and mapped to a
demo DHIS2 data set, so `safar dhis2 export` has something to write), Khujand's and Kulob's
submitted, Bokhtar's still a draft with its radio figure typed. Safe to run again."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone

from safar.core.demo import register_loader
from safar.core.models import Office, User

from .figures import Month
from .models import Dhis2DataSet, Dhis2Indicator, Dhis2OrgUnit, MonthlyReport
from .services import advance, figures_of, report_for, save_typed

DATA_SET = "MSC_MONTHLY"


def _code(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").upper() or "DEFAULT"


@transaction.atomic
def load_demo_monthly_reports(stdout) -> None:
    month = Month.of(timezone.localdate()).previous
    if MonthlyReport.objects.filter(month=month.first_day).exists():
        return
    mscs = {office.code: office for office in Office.objects.filter(kind=Office.Kind.MSC)}
    admin = User.objects.get(username="admin")
    head = User.objects.get(username="supervisor-du")
    coordinator = User.objects.get(username="coordinator")
    figures = {"MSC-DU": "18000", "MSC-KH": "9500", "MSC-KU": "4000", "MSC-BO": "2500"}
    reports = {}
    for code, radio in figures.items():
        report = report_for(mscs[code], month)
        save_typed(report, {"radio_listeners": radio}, head if code == "MSC-DU" else admin)
        reports[code] = report
    for code in ("MSC-DU", "MSC-KH", "MSC-KU"):
        advance(reports[code], "submit", head if code == "MSC-DU" else admin)
    advance(reports["MSC-DU"], "accept", coordinator)
    data_set, _created = Dhis2DataSet.objects.get_or_create(
        code=DATA_SET, defaults={"name": "MSC monthly report"}
    )
    for code, office in mscs.items():
        Dhis2OrgUnit.objects.get_or_create(msc=office, defaults={"code": f"OU_{_code(code)}"})
    version = reports["MSC-DU"].latest_version()
    assert version is not None
    for table, row, column in figures_of(version.tables, version.typed):
        Dhis2Indicator.objects.get_or_create(
            data_set=data_set,
            table=table,
            row=row,
            column=column,
            defaults={
                "data_element": _code(f"MSC {table} {column}"),
                "category_option_combo": _code(row),
            },
        )
    stdout.write(
        f"Demo monthly reports for {month}: MSC-DU accepted, MSC-KH and MSC-KU submitted, "
        "MSC-BO a draft."
    )


register_loader(load_demo_monthly_reports, order=70)

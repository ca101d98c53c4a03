"""Every role against every page and API endpoint: the status each may get, in one table.

The table lists every named URL of the project (the admin and the sign-in pages aside). A view
added without a row here makes `test_every_url_is_in_the_access_table` fail, so nobody can add
a page without deciding who may open it; each row is then requested by every role and the status
compared with the table.

The world: a crossing and a scan of the Dushanbe centre, a published guide article, and one user
per role: operators of Dushanbe (the record's centre) and of Sughd (another centre), an analyst,
an administrator, a guide editor, a consultant of the Dushanbe Migrant Support Centre (the
helpdesk: 403 on every border-statistics page, as border roles get 403 on the helpdesk), and a
signed-in user without any role.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from safar.capture.models import Scan
from safar.core.models import Office, Role
from safar.crossings import services
from safar.guidance.models import Article
from safar.helpdesk.cases import add_document
from safar.helpdesk.models import Case, CasePerson
from safar.helpdesk.workflow import send_referral
from safar.outreach.models import Session, Training
from safar.stations.services import register_station
from tests.capture.world import make_scan
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "outsider",
    "operator_du",
    "operator_su",
    "analyst",
    "admin",
    "editor",
    "consultant_du",
)
LOGIN = 302  # an anonymous visitor is sent to the login page

# url name → (args needed, {role: status}); a role not listed gets DEFAULT of its row.
PUBLIC = dict.fromkeys(ROLES, 200)


def row(
    *,
    anonymous=LOGIN,
    outsider=403,
    operator_du=403,
    operator_su=403,
    analyst=403,
    admin=200,
    editor=403,
    consultant_du=403,
):
    return {
        "anonymous": anonymous,
        "outsider": outsider,
        "operator_du": operator_du,
        "operator_su": operator_su,
        "analyst": analyst,
        "admin": admin,
        "editor": editor,
        "consultant_du": consultant_du,
    }


SIGNED_IN = row(
    outsider=200, operator_du=200, operator_su=200, analyst=200, editor=200, consultant_du=200
)
OPERATORS = row(operator_du=200, operator_su=200)
OWN_CENTRE = row(operator_du=200, operator_su=404)
REGISTRY_RECORD = row(operator_du=200, operator_su=404, analyst=200)
REGISTRY = row(operator_du=200, operator_su=200, analyst=200)
ANALYSTS = row(analyst=200)
EDITORS = row(editor=200)
ADMINISTRATORS = row()
API_ANALYSTS = row(anonymous=401, analyst=200)
API_POST_ONLY = dict.fromkeys(ROLES, 405)
POST_ONLY_PAGE = {**dict.fromkeys(ROLES, 405), "anonymous": LOGIN}  # a form's target

TABLE = {
    "home": ((), SIGNED_IN),
    "crossings:search": ((), REGISTRY),
    "crossings:enter": ((), OPERATORS),
    "crossings:detail": (("crossing",), REGISTRY_RECORD),
    "crossings:edit": (("crossing",), OWN_CENTRE),
    "crossings:delete": (("crossing",), row()),
    "capture:overview": ((), OPERATORS),
    "capture:status": ((), OPERATORS),
    "capture:upload": ((), row(operator_du=405, operator_su=405, admin=405)),  # POST only
    "capture:next": ((), row(operator_du=302, operator_su=302, admin=302)),
    "capture:review": (("scan",), OWN_CENTRE),
    "capture:page": (("scan",), OWN_CENTRE),
    "capture:crop": (("scan", "surname"), OWN_CENTRE),
    "reports:index": ((), ANALYSTS),
    "reports:report": (("R01",), ANALYSTS),
    "reports:download": (("R01", "csv"), ANALYSTS),
    "api:reports": ((), API_ANALYSTS),
    "api:report_list_slash": ((), API_ANALYSTS),  # /api/reports/ (with the slash)
    "api:report": (("R01",), {**API_ANALYSTS, "analyst": 400, "admin": 400}),
    "api:report_data_slash": (("R01",), {**API_ANALYSTS, "analyst": 400, "admin": 400}),
    "reports:pivot": ((), ANALYSTS),
    "reports:pivot_download": (("csv",), ANALYSTS),
    "stations:dashboard": ((), ANALYSTS),
    "stations:manage": ((), ADMINISTRATORS),
    "stations:add": ((), ADMINISTRATORS),
    "stations:revoke": (("station",), ADMINISTRATORS),
    "api:hello": ((), API_POST_ONLY),
    "api:upload": ((), API_POST_ONLY),
    "api:held": (("0" * 64,), dict.fromkeys(ROLES, 401)),  # station tokens only
    "guidance:index": ((), PUBLIC),
    "guidance:calculator": ((), PUBLIC),
    "guidance:article": (("article",), PUBLIC),
    "guidance:article_pdf": (("article",), PUBLIC),
    "api:bancheck": ((), API_POST_ONLY),
    "api:openapi-json": ((), PUBLIC),  # the API's description: no secrets, read before a login
    "api:openapi-view": ((), SIGNED_IN),  # the API docs page: every signed-in user
    "api:api-root": ((), dict.fromkeys(ROLES, 404)),
    "guidance:editor_list": ((), EDITORS),
    "guidance:editor_new": ((), EDITORS),
    "guidance:editor_facts": ((), EDITORS),
    "guidance:editor_edit": (("article",), EDITORS),
    "guidance:editor_history": (("article",), EDITORS),
    "guidance:editor_diff": (("article", 1), EDITORS),
    "helpdesk:contacts": ((), row(consultant_du=200)),
    "helpdesk:new": ((), row(consultant_du=200)),
    "helpdesk:lookup": ((), {**dict.fromkeys(ROLES, 405), "anonymous": LOGIN}),  # POST only
    "helpdesk:ban-check": ((), {**dict.fromkeys(ROLES, 405), "anonymous": LOGIN}),  # POST only
    # POST only (consent, then the client's crossings); the case id need not exist for a GET.
    "helpdesk:case-crossings": ((1,), {**dict.fromkeys(ROLES, 405), "anonymous": LOGIN}),
    "api:helpdesk_contacts": ((), row(anonymous=401, consultant_du=200)),
    # Services and referrals (the world's case is the Dushanbe MSC's, referred to IOM Moscow).
    "helpdesk:case-work": (("case",), row(consultant_du=200)),
    "helpdesk:case-service-add": (("case",), API_POST_ONLY),
    "helpdesk:case-referral-send": (("case",), API_POST_ONLY),
    "helpdesk:case-barred": (("case",), API_POST_ONLY),
    "helpdesk:referral-revoke": (("referral",), API_POST_ONLY),
    "helpdesk:referrals": ((), row(consultant_du=200)),
    "helpdesk:referral": (("referral",), row(consultant_du=200)),
    # The referral shares no documents (and the case has none).
    "helpdesk:referral-document": (("referral", 1), row(consultant_du=404, admin=404)),
    "helpdesk:case-statistics": ((), ADMINISTRATORS),  # the coordinator's and supervisors'
    "helpdesk:case-open-with-reason": ((), ADMINISTRATORS),  # the coordinator's
    "api:helpdesk_case_services": (("case",), API_POST_ONLY),
    "api:helpdesk_case_referrals": (("case",), API_POST_ONLY),
    "api:helpdesk_referrals": ((), row(anonymous=401, consultant_du=200)),
    "api:helpdesk_referral_answer": (("referral",), API_POST_ONLY),
    "outreach:sessions": ((), row(consultant_du=200)),
    "outreach:new_session": ((), row(consultant_du=200)),
    "outreach:session": (("session",), row(consultant_du=200)),  # a session of MSC-DU
    "outreach:trainings": ((), row(consultant_du=200)),
    "outreach:gains_csv": ((), row(consultant_du=200)),
    "outreach:new_training": ((), row(consultant_du=200)),
    "outreach:add_trainee": (("training",), {**dict.fromkeys(ROLES, 405), "anonymous": LOGIN}),
    "outreach:training": (("training",), row(consultant_du=200)),  # a training of MSC-DU
    "outreach:training_gains_csv": (("training",), row(consultant_du=200)),
    "api:outreach_sessions": ((), row(anonymous=401, consultant_du=200)),
    "api:outreach_trainings": ((), row(anonymous=401, consultant_du=200)),
    "helpdesk:cases": ((), row(consultant_du=200)),
    "helpdesk:cases_overdue": ((), row(consultant_du=200)),
    "helpdesk:case_new": ((), row(consultant_du=200)),
    "helpdesk:case": (("case",), row(consultant_du=200)),
    "helpdesk:case_person": (("case", "person"), row(consultant_du=200)),
    "helpdesk:case_document": (("case", "document"), row(consultant_du=200)),
    "helpdesk:case_update": (("case",), POST_ONLY_PAGE),
    "helpdesk:case_action": (("case",), POST_ONLY_PAGE),
    "helpdesk:case_assign": (("case",), POST_ONLY_PAGE),
    "helpdesk:case_person_add": (("case",), POST_ONLY_PAGE),
    "helpdesk:case_note_add": (("case",), POST_ONLY_PAGE),
    "helpdesk:case_document_add": (("case",), POST_ONLY_PAGE),
    "api:helpdesk_cases": ((), row(anonymous=401, consultant_du=200)),
    "api:helpdesk_case": (("case",), row(anonymous=401, consultant_du=200)),
    "api:helpdesk_case_transitions": (("case",), API_POST_ONLY),
    "api:helpdesk_case_people": (("case",), API_POST_ONLY),
    "monitoring:index": ((), row(consultant_du=200)),
    "monitoring:dashboard": ((), row(consultant_du=200)),
    # Without ?figure= there is no figure to download.
    "monitoring:dashboard_csv": ((), row(consultant_du=404, admin=404)),
    "monitoring:report": (("MSC-DU", "2026-11"), row(consultant_du=200)),
    "monitoring:pdf": (("MSC-DU", "2026-11"), row(consultant_du=200)),
    # POST only
    "monitoring:figures": (
        ("MSC-DU", "2026-11"),
        {**dict.fromkeys(ROLES, 405), "anonymous": LOGIN},
    ),
    "monitoring:action": (("MSC-DU", "2026-11"), {**dict.fromkeys(ROLES, 405), "anonymous": LOGIN}),
    # Without ?month= the readers get a 400 naming it.
    "api:msc_report": (("M01",), row(anonymous=401, consultant_du=400, admin=400)),
}

# Pages every signed-in user reaches by design, and Django's own machinery.
UNCHECKED_NAMESPACES = {"admin"}
UNCHECKED_NAMES = {
    "login",
    "logout",
    "set_language",
    "two_factor_enrol",
    "two_factor_verify",
    "two_factor_recovery",
}


def url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace in UNCHECKED_NAMESPACES:
                continue
            yield from url_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def test_every_url_is_in_the_access_table():
    names = set(url_names()) - UNCHECKED_NAMES
    assert names - set(TABLE) == set(), "a view without a row in the access table"
    assert set(TABLE) - names == set(), "a row for a view that no longer exists"


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    users = {
        "outsider": make_user("outsider", None),
        "operator_du": make_user("operator-du", "ICC-DU", Role.OPERATOR),
        "operator_su": make_user("operator-su", "ICC-SU", Role.OPERATOR),
        "analyst": make_user("analyst", "DIR", Role.ANALYST),
        "admin": make_user("admin", "DIR", Role.ADMINISTRATOR),
        "editor": make_user("editor", "DIR", Role.EDITOR),
        "consultant_du": make_user("consultant-du", "MSC-DU", "consultant"),
    }
    crossing = services.create_crossing(
        user=users["operator_du"],
        data={
            "card_number": "AA0000777",
            "direction": "exit",
            "crossed_on": datetime.date(2026, 11, 2),
            "border_point": "DYU",
            "citizenship": "TJK",
            "passport_number": "400100200",
            "birth_date": datetime.date(1991, 4, 5),
            "sex": "M",
            "surname": "KARIMOV",
            "given_names": "ALI",
            "purpose": "work",
            "country": "RUS",
            "region": "TJ-DU",
        },
    )
    scan = make_scan(Office.objects.get(code="ICC-DU"))
    assert scan.status == Scan.Status.NEEDS_REVIEW
    article = Article.objects.filter(published=True).first()
    station, _token = register_station(name="DU-1", centre_code="ICC-DU")
    case = Case.objects.create(
        msc=Office.objects.get(code="MSC-DU"),
        case_type=Case.Type.MIGRANT,
        summary="№ 17/2026",
        opened_by=users["consultant_du"],
    )
    referral = send_referral(
        case,
        partner=Office.objects.get(code="IOM-MOW"),
        reason="№ 17/2026",  # data, in no interface language
        shared=["summary"],
        consent=True,
        user=users["consultant_du"],
    )
    training = Training.objects.create(
        org=Office.objects.get(code="MSC-DU"),
        title="Семинар 2026",  # data: no interface word of either language
        starts_on=datetime.date(2026, 11, 2),
        ends_on=datetime.date(2026, 11, 2),
    )
    session = Session.objects.create(
        org=Office.objects.get(code="MSC-DU"), held_on=datetime.date(2026, 11, 2), kind="school"
    )
    person = CasePerson.objects.create(case=case, relation="migrant", name="Али Каримов")
    document = add_document(
        case, users["consultant_du"], SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n")
    )
    objects = {
        "case": case.pk,
        "referral": referral.pk,
        "person": person.pk,
        "document": document.pk,
        "crossing": crossing.pk,
        "scan": scan.pk,
        "article": article.slug,
        "station": station.pk,
        "training": training.pk,
        "session": session.pk,
    }
    return users, objects


def test_each_role_gets_the_status_the_table_gives_on_every_page(world, client, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 22, 12, tzinfo=datetime.UTC))
    users, objects = world
    wrong = []
    for name, (args, expected) in TABLE.items():
        url = reverse(name, args=[objects.get(arg, arg) for arg in args])
        for role in ROLES:
            client.logout()
            if role != "anonymous":
                client.force_login(users[role])
            status = client.get(url).status_code
            if status != expected[role]:
                wrong.append(f"{role:12} {name:28} {url}: {status}, table says {expected[role]}")
    assert not wrong, "\n".join(wrong)


def test_migrate_gives_each_role_the_permissions_its_apps_declare(db):
    from django.contrib.auth.models import Group

    def perms(role):
        group = Group.objects.get(name=role)
        return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}

    assert {"crossings.add_crossing", "capture.change_scan"} <= perms("operator")
    assert "crossings.delete_crossing" not in perms("operator")
    assert {"crossings.view_crossing", "reports.read_reports"} <= perms("analyst")
    assert "crossings.add_crossing" not in perms("analyst")
    assert perms("editor") == {
        "guidance.view_article",
        "guidance.add_article",
        "guidance.change_article",
    }
    assert {
        "crossings.delete_crossing",
        "reports.read_reports",
        "guidance.change_article",
    } <= perms("administrator")

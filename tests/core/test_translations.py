"""The interface wholly in the user's language: every catalogue complete, and no English
interface word on a page rendered in Tajik or Russian.

The English interface words are the words of the project's own msgids (and of the Django and
third-party strings it translates in src/safar/locale_packages/): such a word on a Tajik or
Russian page is text left untranslated. Codes (DYU, TJK, R01), numbers, proper names and the
language switch are not words of the interface (see ALLOWED).
"""

import datetime
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import translation

from safar.guidance.models import ArticleVersion
from tests.core.test_access_matrix import ROLES, TABLE, world  # noqa: F401 (the fixture)

SRC = Path(__file__).resolve().parents[2] / "src" / "safar"
CATALOGUES = sorted(SRC.glob("**/locale*/*/LC_MESSAGES/*.po"))

# Words that stay as they are in every language: names, brands, formats, units.
ALLOWED = {
    "safar",  # the system's name
    "english",  # the language switch names the language in its own words
    "control",  # keyboard keys
    "command",
    "mac",
    "csv",  # file formats and standards
    "pdf",
    "json",
    "xlsx",
    "api",
    "openapi",
    "url",
    "http",
    "https",
    "get",
    "post",
    "totp",
    "otp",
    "sha",
    "mrz",
    "icao",
    "utc",
    "freeotp",  # authenticator apps named in the sign-in help
    "aegis",
    "google",
    "authenticator",
    "oathtool",
    "markdown",
    "single",  # "Single Sign-On or LDAP" (technologies' names) in Django's user form
    "ldap",
    "iso",  # the standard's name in "ISO 3166-1 alpha-3"
    "dhis",  # DHIS2, the platform the monthly figures are sent to (its name)
    "alpha",
    "tab",  # keys named as the keyboard shows them
    "enter",
    "esc",
    "jpeg",  # image formats the upload accepts
    "png",
    "tiff",
    # Data, not interface: the test users' names and the groups named by the roles' codes.
    "operator",
    "analyst",
    "admin",
    "editor",
    "outsider",
    "administrator",
}
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
CODE = re.compile(r"[A-Z]{3}")
TAJIK_WORD = re.compile(r"\w*[ғӣқӯҳҷҒӢҚӮҲҶ]\w*")  # letters Russian does not have
MSGID = re.compile(r'^msgid(?:_plural)? "(.*)"$|^"(.*)"$')


def english_interface_words() -> set[str]:
    """Every word of three or more Latin letters in the project's English msgids."""
    words: set[str] = set()
    for po in CATALOGUES:
        in_msgid = False
        for line in po.read_text(encoding="utf-8").splitlines():
            if line.startswith(("msgid ", "msgid_plural ")):
                in_msgid = True
            elif line.startswith(("msgstr", "msgctxt", "#")):
                in_msgid = False
            if in_msgid and (match := MSGID.match(line)):
                text = re.sub(
                    r"%\(\w+\)[sdr]|\{\w*\}|<[^>]*>|&\w+;", " ", (match[1] or "") + (match[2] or "")
                )
                words |= {w.casefold() for w in LATIN_WORD.findall(text)}
    return words - ALLOWED


class VisibleText(HTMLParser):
    """The interface text a reader sees or hears: text and the attributes read aloud or shown
    (title, alt, placeholder, aria-label, a button's value); not scripts and styles, not what
    is not interface: codes and keys (code, kbd, samp, pre), what a user typed (textarea), text
    marked as another language (lang="…"), and the admin's data cells (td/th class="field-…")."""

    HIDDEN = {"script", "style", "template", "code", "kbd", "samp", "pre", "textarea"}
    SHOWN_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open: list[tuple[str, bool]] = []  # (tag, hides its content)

    @property
    def hidden(self) -> bool:
        return any(hides for _, hides in self.open)

    def handles_as_data(self, tag: str, attributes: dict) -> bool:
        classes = (attributes.get("class") or "").split()
        admin_cell = tag in {"td", "th"} and any(c.startswith("field-") for c in classes)
        other_language = "lang" in attributes and tag != "html"  # the page's own language
        return tag in self.HIDDEN or other_language or admin_cell

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag not in self.VOID:
            self.open.append((tag, self.handles_as_data(tag, attributes)))
        if self.hidden:
            return
        for name in self.SHOWN_ATTRIBUTES:
            if attributes.get(name):
                self.parts.append(attributes[name])
        if tag == "input" and attributes.get("type") in {"submit", "button"}:
            self.parts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        # Close up to the matching tag (HTML lets some end tags be left out).
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                break

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def english_words_on(html: str, english: set[str]) -> set[str]:
    """The English interface words of a page; three capitals are a code (AND, CAN: countries)."""
    words = LATIN_WORD.findall(visible_text(html))
    return {w for w in words if w.casefold() in english and not CODE.fullmatch(w)}


def test_the_page_checker_finds_an_english_word_and_ignores_codes_names_and_scripts():
    html = (
        '<p title="Search">Корт DYU R01 TJK Safar</p><script>var save = "Save";</script>'
        '<input type="submit" value="Send"><p lang="en">Before departure</p><kbd>Enter</kbd>'
    )
    english = {"search", "send", "save", "dyu", "before", "enter"}
    assert english_words_on(html, english) == {"Search", "Send"}
    assert "card" in english_interface_words() and "safar" not in english_interface_words()


@pytest.mark.skipif(not shutil.which("msgattrib"), reason="gettext tools: make setup installs them")
@pytest.mark.parametrize("po", CATALOGUES, ids=lambda po: str(po.relative_to(SRC)))
def test_every_catalogue_is_wholly_translated_with_nothing_fuzzy(po):
    for option in ("--untranslated", "--only-fuzzy"):
        listed = subprocess.run(
            ["msgattrib", option, "--no-obsolete", str(po)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        msgids = re.findall(r'^msgid "(.*)"', listed, flags=re.M)
        # msgattrib prints the header (msgid "") whenever it lists anything.
        assert [m for m in msgids if m] == [], f"{po}: {option[2:]} entries"


def site_pages(objects) -> list[tuple[str, str]]:
    """(role, url) of every page of the access table that a role opens: the home page for every
    role (it differs by role), any other page for the first role allowed to open it."""
    pages = []
    for name, (args, expected) in TABLE.items():
        if name.startswith("api:"):
            continue  # JSON; its messages are checked by the API's own tests
        url = reverse(name, args=[objects.get(arg, arg) for arg in args])
        allowed = [role for role in ROLES if expected[role] == 200]
        pages += [(role, url) for role in (allowed if name == "home" else allowed[:1])]
    return pages


def admin_pages() -> list[str]:
    """The admin's index and each registered model's list and add form."""
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        pages.append(reverse("admin:{}_{}_changelist".format(*info)))
        pages.append(reverse("admin:{}_{}_add".format(*info)))
    return pages


@pytest.mark.parametrize("language", ["tg", "ru"])
def test_no_page_shows_an_english_interface_word_in_tajik_or_russian_nor_tajik_in_russian(
    world,  # noqa: F811 (the access matrix's fixture)
    client,
    time_machine,
    language,
):
    time_machine.move_to(datetime.datetime(2026, 11, 22, 12, tzinfo=datetime.UTC))
    users, objects = world
    users["admin"].is_staff = True
    users["admin"].save()
    # The starter articles' first versions carry the note "Starter text": an editor's note is
    # data typed in whatever language, not interface.
    ArticleVersion.objects.update(note="")
    english = english_interface_words()
    pages = site_pages(objects) + [("admin", url) for url in admin_pages()]
    found = []
    for role, url in pages:
        client.logout()
        if role != "anonymous":
            client.force_login(users[role])
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        # Login names ("consultant-du") are data an administrator typed, not interface words.
        for username in sorted((u.username for u in users.values()), key=len, reverse=True):
            html = html.replace(username, "")
        words = english_words_on(html, english)
        if language == "ru":  # and no Tajik left on a Russian page
            words |= set(TAJIK_WORD.findall(visible_text(html)))
        if words:
            found.append(f"{role:12} {url}: {' '.join(sorted(words))}")
    assert not found, "Other languages' words on {} pages:\n{}".format(language, "\n".join(found))


@pytest.mark.parametrize(
    ("language", "selected"), [("tg", "3 аз 8 интихоб шуд"), ("ru", "Выбрано 3 из 8")]
)
def test_the_admins_javascript_speaks_tajik_and_russian(client, admin_user, language, selected):
    client.force_login(admin_user)
    script = client.get(reverse("admin:jsi18n"), HTTP_ACCEPT_LANGUAGE=language)
    # The catalogue is JSON in a script: non-ASCII letters come as \uXXXX.
    catalogue = re.sub(r"\\u([0-9a-f]{4})", lambda m: chr(int(m[1], 16)), script.content.decode())
    template = selected.replace("3", "%(sel)s", 1).replace("8", "%(cnt)s", 1)
    assert template in catalogue


def test_the_admin_names_the_third_party_apps_and_models_in_the_pages_language(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="tg").content.decode()
    text = visible_text(page)
    assert "Барномаҳои тасдиқкунанда" in text and "Вазифаҳои пасзаминавӣ" in text
    for raw in ("Otp_Totp", "Otp_Static", "TOTP devices", "Static devices", "Tasks Database"):
        assert raw not in text


ISSUE_STRINGS = [  # Django's and the packages' words found in English on Tajik and Russian pages
    "- Select an option -",
    "Hold down “Control”, or “Command” on a Mac, to select more than one.",
    "This field is required.",
    "Please enter the correct %(username)s and password for a staff account. "
    "Note that both fields may be case-sensitive.",
    "Please enter a correct %(username)s and password. Note that both fields may be "
    "case-sensitive.",
    "access attempts",
    "Task Results",
    "Filter",
    "Logged out",
]
KEY_NAMES = {"Control", "Command", "Mac"}


@pytest.mark.parametrize("language", ["tg", "ru"])
@pytest.mark.parametrize("msgid", ISSUE_STRINGS)
def test_djangos_and_the_packages_words_are_translated(language, msgid):
    with translation.override(language):
        text = translation.gettext(msgid)
    leftover = set(LATIN_WORD.findall(re.sub(r"%\(\w+\)s", "", text))) - KEY_NAMES
    assert text != msgid and not leftover, text

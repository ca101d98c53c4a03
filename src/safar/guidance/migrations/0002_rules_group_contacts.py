"""Load the stay limits and ban rules, the `editor` group, and the places to turn to.

The rows are written out here (not imported from the engine) so this migration means the same
thing forever; a test checks they equal bancheck.rules.DEFAULT_RULES.
"""

from datetime import date

from django.db import migrations

OLD = date(2014, 1, 1)
CHANGE = date(2025, 1, 1)
OLD_NOTE = (
    "Applied from 2014 in this tool; the tool does not model older law, and the earliest "
    "rows also cover earlier days."
)
CHANGE_NOTE = (
    "Federal Law 260-FZ of 08.08.2024 amending 115-FZ art. 5. Sources disagree on "
    "the date the new counting applies from: 1 January or 5 February 2025. To be "
    "confirmed; change the date of both rows together."
)

STAY_LIMITS = [
    (OLD, "rolling", 90, 180, "115-FZ art. 5(1)", OLD_NOTE),
    (CHANGE, "calendar_year", 90, None, "115-FZ art. 5(1) (as amended by 260-FZ)", CHANGE_NOTE),
    (CHANGE, "consecutive", 90, None, "115-FZ art. 5(1) (as amended by 260-FZ)", CHANGE_NOTE),
]

# ground, threshold, window_years, offence kinds, years, mandatory, basis, note
BAN_RULES = [
    (
        "overstay",
        30,
        None,
        "",
        3,
        True,
        "114-FZ art. 27(1)(12)",
        "Did not leave within 30 days after the lawful period ended: 3 years from departure.",
    ),
    (
        "overstay",
        180,
        None,
        "",
        5,
        True,
        "114-FZ art. 27(1)(13)",
        "More than 180 days: 5 years from departure.",
    ),
    (
        "overstay",
        270,
        None,
        "",
        10,
        True,
        "114-FZ art. 27(1)(14)",
        "More than 270 days: 10 years from departure.",
    ),
    (
        "removal",
        0,
        None,
        "",
        5,
        True,
        "114-FZ art. 27(1)(2), (3)",
        "Administrative expulsion or deportation (item 2), transfer under a readmission agreement "
        "(item 3): 5 years from the removal.",
    ),
    (
        "repeat_removal",
        0,
        None,
        "",
        10,
        True,
        "114-FZ art. 27(1)(2.1)",
        "Expelled or deported more than once: 10 years. Whether a repeated readmission is treated "
        "the same way is to be confirmed.",
    ),
    (
        "offences_3y",
        2,
        3,
        "",
        3,
        False,
        "114-FZ art. 26(4)",
        "Held administratively liable two or more times within three years: entry may be refused "
        "for 3 years from the last decision (in law, from the day it took effect).",
    ),
    (
        "offences_1y",
        2,
        1,
        "migration,public_order",
        5,
        True,
        "114-FZ art. 27(1)(11)",
        "Two or more offences against public order or the rules of stay within one year: 5 years "
        "from the last decision (in law, from the day it took effect).",
    ),
    (
        "conviction",
        0,
        None,
        "",
        None,
        True,
        "114-FZ art. 27(1)(5)",
        "An unexpunged or unremoved conviction for an intentional crime: until it is expunged.",
    ),
]

CONTACTS = [
    (
        "msc-hotline",
        1,
        "Хати боварии Маркази дастгирии муҳоҷирон",
        "Горячая линия Центра поддержки мигрантов",
        "Migrant Support Centre hotline",
    ),
    (
        "embassy-moscow",
        2,
        "Сафорати Ҷумҳурии Тоҷикистон дар Федератсияи Россия",
        "Посольство Республики Таджикистан в Российской Федерации",
        "Embassy of the Republic of Tajikistan in the Russian Federation",
    ),
]


def load(apps, schema_editor):
    StayLimitRule = apps.get_model("guidance", "StayLimitRule")
    for effective, kind, max_days, window, basis, note in STAY_LIMITS:
        StayLimitRule.objects.update_or_create(
            effective_from=effective,
            kind=kind,
            defaults={"max_days": max_days, "window_days": window, "basis": basis, "note": note},
        )
    BanRule = apps.get_model("guidance", "BanRule")
    for ground, threshold, window, kinds, years, mandatory, basis, note in BAN_RULES:
        BanRule.objects.update_or_create(
            ground=ground,
            effective_from=OLD,
            threshold=threshold,
            defaults={
                "window_years": window,
                "offence_kinds": kinds,
                "years": years,
                "mandatory": mandatory,
                "basis": basis,
                "note": note,
            },
        )
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name="editor")
    HelpContact = apps.get_model("guidance", "HelpContact")
    for key, position, tg, ru, en in CONTACTS:
        HelpContact.objects.get_or_create(
            key=key, defaults={"position": position, "name_tg": tg, "name_ru": ru, "name_en": en}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("guidance", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

"""The explanation of a result in plain Tajik, Russian and English.

The answer always carries all three languages (a consultant may read Russian to a family who
reads Tajik), so the texts live here as data rather than in the interface's gettext catalogue.
Sentences are short, say what happened, which ban, until when, and what to do next.
"""

import re
from datetime import date, timedelta

from .engine import Ban, CurrentStay, Result, StayResult
from .rules import (
    CALENDAR_YEAR,
    CONSECUTIVE,
    CONVICTION,
    OFFENCES_1Y,
    OFFENCES_3Y,
    OVERSTAY,
    REMOVAL,
    REPEAT_REMOVAL,
    ROLLING,
    StayLimit,
)

LANGUAGES = ("tg", "ru", "en")

TEXT = {
    "tg": {
        "disclaimer": "Ин маълумот аст, на маслиҳати ҳуқуқӣ. Ҳисоб танҳо аз рӯи маълумоте, ки шумо ворид кардед, анҷом дода шуд.",
        "stay": "Будубоши шумо дар Русия аз {entry} то {exit}: {days} рӯз.",
        "stay_open": "Будубоши шумо дар Русия аз {entry} (то ҳол дар Русия, {days} рӯз).",
        "overstay": "Аз онҳо {over} рӯз аз мӯҳлати қонунии будубош зиёд аст (рӯзи охири қонунӣ: {last}).",
        "overstay_open": "Диққат: шумо аллакай {over} рӯз аз мӯҳлати қонунӣ зиёд мондаед (рӯзи охири қонунӣ: {last}). Ҳар рӯзи иловагӣ мӯҳлати манъи воридшавиро дароз мекунад. Ҳарчи зудтар ба маслиҳатчӣ муроҷиат кунед.",
        "last_lawful": "Агар иҷозатномаи нав нагиред, рӯзи охири будубоши қонунии шумо {last} аст.",
        "ban_mandatory": "Манъи воридшавӣ ба Русия ({ground}) аз {start}{years}; мӯҳлаташ {end} ба охир мерасад. Ин манъ ҳатмист ({basis}).",
        "ban_optional": "Мақомоти Русия метавонанд воридшавиро манъ кунанд ({ground}) аз {start}{years}; мӯҳлаташ {end} ба охир мерасад. Ин манъ ҳатмӣ нест ({basis}).",
        "ban_ended": "Ин манъ {end} ба охир расидааст.",
        "years": " ба мӯҳлати {n} сол",
        "until_expunged": "баъд аз бартараф шудани доғи судӣ",
        "no_bans": "Аз рӯи маълумоти воридшуда ягон асоси манъи воридшавӣ ёфт нашуд.",
        "entry_from": "Аз рӯи маълумоти воридшуда шумо метавонед аз {date} ба Русия ворид шавед.",
        "entry_now": "Аз рӯи маълумоти воридшуда ҳоло ягон манъи ҳатмии воридшавӣ амал намекунад.",
        "entry_never": "То бартараф шудани доғи судӣ воридшавӣ манъ аст; санаи охири манъро аз рӯи маълумоти воридшуда муайян кардан мумкин нест.",
        "next": "Чӣ бояд кард: 1) манъро дар хизматрасонии онлайни Вазорати корҳои дохилии Русия санҷед — он ягона манбаи расмист; 2) агар бо қарор розӣ набошед, онро дар мақомоте, ки қарор қабул кардааст, ё дар суд шикоят кунед (одатан дар давоми се моҳ аз рӯзи огоҳ шудан); 3) ба хати боварии Маркази дастгирии муҳоҷирон ё сафорати Ҷумҳурии Тоҷикистон муроҷиат кунед.",
        "limit_rule": "Маҳдудияти амалкунанда: {limit} ({basis}).",
        "limit_rolling": "на зиёда аз {max} рӯз дар ҳар {window} рӯз",
        "limit_calendar_year": "на зиёда аз {max} рӯз дар як соли тақвимӣ",
        "limit_consecutive": "на зиёда аз {max} рӯз паиҳам; баромадан аз Русия будубоши бефосиларо ба охир мерасонад",
        "days_left": "Пас аз имрӯз боз {n} рӯзи қонунӣ боқӣ мондааст.",
        "days_left_none": "Имрӯз рӯзи охири будубоши қонунии шумост.",
        "leave_now_ban": "Агар имрӯз бароед, манъи воридшавӣ ба мӯҳлати {years} то {end} муқаррар мешавад ({basis}). Манъ аз рӯзи баромадан ҳисоб карда мешавад: ҳар рӯзи иловагӣ дар Русия охири онро як рӯз дертар мекунад.",
        "next_tier": "Агар {date} ё дертар бароед, мӯҳлати манъ {years} мешавад ({basis}).",
        "no_ban_yet": "Агар то {last} бароед, барои зиёд мондан манъи ҳатмии воридшавӣ намешавад; агар аз {date} бароед, манъ ба мӯҳлати {years} мешавад ({basis}).",
        "grounds": {
            OVERSTAY: "аз мӯҳлати будубош зиёд мондан",
            REMOVAL: "ихроҷ, депортатсия ё реадмиссия",
            REPEAT_REMOVAL: "ихроҷи такрорӣ",
            OFFENCES_3Y: "ду ва зиёда ҳуқуқвайронкунии маъмурӣ дар давоми се сол",
            OFFENCES_1Y: "ду ва зиёда ҳуқуқвайронкунӣ дар соҳаи муҳоҷират ё тартиботи ҷамъиятӣ дар давоми як сол",
            CONVICTION: "доғи судии бартарафнашуда",
        },
    },
    "ru": {
        "disclaimer": "Это информация, а не юридическая консультация. Расчёт сделан только по данным, которые вы ввели.",
        "stay": "Ваше пребывание в России с {entry} по {exit}: {days} дн.",
        "stay_open": "Ваше пребывание в России с {entry} (вы всё ещё в России, {days} дн.).",
        "overstay": "Из них {over} дн. сверх законного срока пребывания (последний законный день: {last}).",
        "overstay_open": "Внимание: вы уже находитесь в России {over} дн. сверх законного срока (последний законный день: {last}). Каждый лишний день может увеличить срок запрета въезда. Как можно скорее обратитесь к консультанту.",
        "last_lawful": "Если вы не получите новый документ (патент и т. п.), последний день законного пребывания — {last}.",
        "ban_mandatory": "Запрет въезда в Россию ({ground}) с {start}{years}; срок истекает {end}. Этот запрет обязательный ({basis}).",
        "ban_optional": "Власти России могут не разрешить въезд ({ground}) с {start}{years}; срок истекает {end}. Этот запрет не обязательный ({basis}).",
        "ban_ended": "Этот запрет закончился {end}.",
        "years": " — {n} лет",
        "until_expunged": "после погашения судимости",
        "no_bans": "По введённым данным оснований для запрета въезда не найдено.",
        "entry_from": "По введённым данным въезд в Россию возможен с {date}.",
        "entry_now": "По введённым данным сейчас не действует ни один обязательный запрет въезда.",
        "entry_never": "Въезд закрыт до погашения или снятия судимости; дату окончания запрета по введённым данным определить нельзя.",
        "next": "Что делать: 1) проверьте запрет на онлайн-сервисе МВД России — это единственный официальный источник; 2) если вы не согласны с решением, его можно обжаловать в органе, который его принял, или в суде (как правило, в течение трёх месяцев со дня, когда вы о нём узнали); 3) обратитесь на горячую линию Центра поддержки мигрантов или в посольство Республики Таджикистан.",
        "limit_rule": "Действующее ограничение: {limit} ({basis}).",
        "limit_rolling": "не более {max} дней в любые {window} дней",
        "limit_calendar_year": "не более {max} дней в календарном году",
        "limit_consecutive": "не более {max} дней подряд; выезд из России прерывает непрерывное пребывание",
        "days_left": "После сегодняшнего дня осталось законных дней: {n}.",
        "days_left_none": "Сегодня — последний день законного пребывания.",
        "leave_now_ban": "Если вы выедете сегодня, въезд будет запрещён на {years}, до {end} ({basis}). Запрет считается со дня выезда: каждый лишний день в России сдвигает его окончание на день позже.",
        "next_tier": "При выезде {date} или позже запрет — на {years} ({basis}).",
        "no_ban_yet": "Если вы выедете не позднее {last}, обязательного запрета въезда за превышение срока не будет; при выезде с {date} — запрет на {years} ({basis}).",
        "grounds": {
            OVERSTAY: "превышение срока пребывания",
            REMOVAL: "выдворение, депортация или реадмиссия",
            REPEAT_REMOVAL: "повторное выдворение",
            OFFENCES_3Y: "два и более административных правонарушения за три года",
            OFFENCES_1Y: "два и более правонарушения в сфере миграции или общественного порядка за год",
            CONVICTION: "непогашенная судимость",
        },
    },
    "en": {
        "disclaimer": "This is information, not legal advice. It is worked out only from what you entered.",
        "stay": "Your stay in Russia from {entry} to {exit}: {days} days.",
        "stay_open": "Your stay in Russia since {entry} (still in Russia, {days} days so far).",
        "overstay": "{over} of these days were beyond the lawful limit (last lawful day: {last}).",
        "overstay_open": "Warning: you have already stayed {over} days beyond the lawful limit (last lawful day: {last}). Every extra day can lengthen an entry ban. Talk to a consultant as soon as possible.",
        "last_lawful": "Unless you get a new permit (a patent or similar), your last lawful day is {last}.",
        "ban_mandatory": "Entry ban to Russia ({ground}) from {start}{years}; it runs out {end}. This ban is mandatory ({basis}).",
        "ban_optional": "The Russian authorities may refuse entry ({ground}) from {start}{years}; this runs out {end}. This ban is not mandatory ({basis}).",
        "ban_ended": "This ban ended on {end}.",
        "years": " for {n} years",
        "until_expunged": "when the conviction is expunged",
        "on_date": "on {d}",
        "no_bans": "On what you entered, no ground for an entry ban was found.",
        "entry_from": "On what you entered, you may enter Russia from {date}.",
        "entry_now": "On what you entered, no mandatory entry ban is in force now.",
        "entry_never": "Entry is closed until the conviction is expunged; the end of the ban cannot be worked out from what you entered.",
        "next": "What to do next: 1) check for a ban on the Russian Interior Ministry's online service — it is the only official source; 2) if you disagree with a decision, appeal to the authority that made it or to a court (usually within three months of learning of it); 3) call the Migrant Support Centre hotline or contact the Embassy of the Republic of Tajikistan.",
        "limit_rule": "The limit that applies: {limit} ({basis}).",
        "limit_rolling": "at most {max} days in any {window} days",
        "limit_calendar_year": "at most {max} days in one calendar year",
        "limit_consecutive": "at most {max} days in a row; leaving Russia ends a continuous stay",
        "days_left": "After today you have {n} lawful days left.",
        "days_left_none": "Today is your last lawful day.",
        "leave_now_ban": "If you leave today, entry is banned for {years}, until {end} ({basis}). The ban is counted from the day you leave: each further day in Russia moves its end one day later.",
        "next_tier": "If you leave on {date} or later, the ban is {years} ({basis}).",
        "no_ban_yet": "If you leave by {last}, the overstay brings no mandatory entry ban; leaving from {date} brings a ban of {years} ({basis}).",
        "grounds": {
            OVERSTAY: "staying beyond the lawful period",
            REMOVAL: "expulsion, deportation or readmission",
            REPEAT_REMOVAL: "a repeated removal",
            OFFENCES_3Y: "two or more administrative offences within three years",
            OFFENCES_1Y: "two or more migration or public-order offences within one year",
            CONVICTION: "an unexpunged conviction",
        },
    },
}


# "114-FZ art. 27(1)(12)", "114-FZ art. 27(1)(2), (3)", "115-FZ art. 5(1) (as amended by 260-FZ)"
_BASIS = re.compile(
    r"^(?P<law>\d+)-FZ art\. (?P<article>[\d.]+)(?P<parts>(?:\([\d.]+\))+)"
    r"(?P<more>(?:, \([\d.]+\))*)(?: \(as amended by (?P<amended>\d+)-FZ\))?$"
)
_NUMBER = re.compile(r"\(([\d.]+)\)")


def cite(basis: str, language: str) -> str:
    """A rule's legal basis as readers of the language cite the law: "114-FZ art. 27(1)(12)" is
    «п. 12 ч. 1 ст. 27 Федерального закона № 114-ФЗ» in Russian. One bracketed number after the
    article is its item, two are its part and item. A basis in another form is shown as written.
    """
    found = _BASIS.match(basis)
    if language == "en" or found is None:
        return basis
    numbers = _NUMBER.findall(found["parts"])
    part = numbers[0] if len(numbers) == 2 else None
    items = [numbers[-1], *_NUMBER.findall(found["more"])]
    law, article, amended = found["law"], found["article"], found["amended"]
    if language == "ru":
        text = f"{'пп.' if len(items) > 1 else 'п.'} {', '.join(items)}"
        text += f" ч. {part}" if part else ""
        text += f" ст. {article} Федерального закона № {law}-ФЗ"
        return text + (f" (в ред. Федерального закона № {amended}-ФЗ)" if amended else "")
    text = f"{'бандҳои' if len(items) > 1 else 'банди'} {', '.join(items)}"
    text += f" қисми {part}" if part else ""
    text += f" моддаи {article} Қонуни федералии № {law}-ФЗ"
    return text + (f" (бо таҳрири Қонуни федералии № {amended}-ФЗ)" if amended else "")


def fmt(day: date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


def _years(t: dict, language: str, n: int | None) -> str:
    if not n:
        return ""
    if language == "ru":
        word = (
            "год"
            if n % 10 == 1 and n % 100 != 11
            else ("года" if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else "лет")
        )
        return f" на {n} {word}"
    return t["years"].format(n=n)


def _n_years(language: str, n: int | None) -> str:
    """ "3 years" in the language (a ban of unknown length never reaches here)."""
    if language == "ru":
        return _years({}, "ru", n).removeprefix(" на ")
    if language == "tg":
        return f"{n} сол"
    return f"{n} year" if n == 1 else f"{n} years"


_LIMIT_KEYS = {
    ROLLING: "limit_rolling",
    CALENDAR_YEAR: "limit_calendar_year",
    CONSECUTIVE: "limit_consecutive",
}


def _limit_sentence(t: dict, language: str, limit: StayLimit) -> str:
    words = t[_LIMIT_KEYS[limit.kind]].format(max=limit.max_days, window=limit.window_days)
    return t["limit_rule"].format(limit=words, basis=cite(limit.basis, language))


def _current_sentences(t: dict, language: str, current: CurrentStay) -> list[str]:
    """Days left; or the ban leaving today brings, and from when leaving brings a longer one."""
    if not current.overstay_days:
        if current.days_left is None:
            return []
        if current.days_left == 0:
            return [t["days_left_none"]]
        return [t["days_left"].format(n=current.days_left)]
    sentences = []
    now, later = current.ban_if_leaving_now, current.next_ban
    if now is not None:
        sentences.append(
            t["leave_now_ban"].format(
                years=_n_years(language, now.years),
                end=fmt(now.ends_on),
                basis=cite(now.basis, language),
            )
        )
        if later is not None:
            sentences.append(
                t["next_tier"].format(
                    date=fmt(later.starts_on),
                    years=_n_years(language, later.years),
                    basis=cite(later.basis, language),
                )
            )
    elif later is not None:
        sentences.append(
            t["no_ban_yet"].format(
                last=fmt(later.starts_on - timedelta(days=1)),
                date=fmt(later.starts_on),
                years=_n_years(language, later.years),
                basis=cite(later.basis, language),
            )
        )
    return sentences


def _stay_line(t: dict, language: str, stay: StayResult, result: Result) -> str:
    if stay.exit is None:
        line = t["stay_open"].format(entry=fmt(stay.entry), days=stay.days)
        if stay.overstay_days:
            line += " " + t["overstay_open"].format(
                over=stay.overstay_days, last=fmt(stay.last_lawful_day)
            )
        elif stay.last_lawful_day:
            line += " " + t["last_lawful"].format(last=fmt(stay.last_lawful_day))
    else:
        line = t["stay"].format(entry=fmt(stay.entry), exit=fmt(stay.exit), days=stay.days)
        line += " " + t["overstay"].format(over=stay.overstay_days, last=fmt(stay.last_lawful_day))
    if stay.binding_limit is not None:
        line += " " + _limit_sentence(t, language, stay.binding_limit)
    if stay.exit is None and result.current is not None:
        line = " ".join([line, *_current_sentences(t, language, result.current)])
    return line


def _ban_sentence(t: dict, language: str, ban: Ban, as_of: date) -> str:
    template = t["ban_mandatory"] if ban.mandatory else t["ban_optional"]
    text = template.format(
        ground=t["grounds"][ban.ground],
        start=fmt(ban.starts_on),
        end=(
            t.get("on_date", "{d}").format(d=fmt(ban.ends_on))
            if ban.ends_on
            else t["until_expunged"]
        ),
        years=_years(t, language, ban.years),
        basis=cite(ban.basis, language),
    )
    if ban.ends_on is not None and ban.ends_on <= as_of:
        text += " " + t["ban_ended"].format(end=fmt(ban.ends_on))
    return text


def explain(result: Result, language: str) -> str:
    """The explanation in one language, as short paragraphs separated by blank lines."""
    t = TEXT[language]
    parts = [t["disclaimer"]]
    for stay in result.stays:
        if stay.overstay_days == 0 and stay.exit is not None:
            continue
        parts.append(_stay_line(t, language, stay, result))
    parts.extend(_ban_sentence(t, language, ban, result.as_of) for ban in result.bans)
    overstaying = result.current is not None and result.current.overstay_days > 0
    if not result.bans and not overstaying:
        parts.append(t["no_bans"])
    if result.entry_possible_from is None:
        parts.append(t["entry_never"])
    elif result.entry_possible_from > result.as_of:
        parts.append(t["entry_from"].format(date=fmt(result.entry_possible_from)))
    elif result.bans and not overstaying:
        parts.append(t["entry_now"])
    parts.append(t["next"])
    return "\n\n".join(parts)


def explanations(result: Result) -> dict[str, str]:
    return {language: explain(result, language) for language in LANGUAGES}

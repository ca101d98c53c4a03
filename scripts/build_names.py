"""Writes src/safar/reading/data/names.txt: the name words the card reader knows.

One word a line, upper case, Cyrillic and Latin. Tajik surnames are mostly a given name (a
father's or grandfather's) with a suffix: -ов/-ова (after a consonant), -ев/-ева (after a
vowel), -зода, -ӣ, -ён; so the list is made from given names and roots with those suffixes, plus
common Russian, Uzbek and other foreign names seen at the border. Latin spellings: the one Tajik
passports use today (safar.reading.translit.to_latin: Ғ→GH, Қ→Q, Ҳ→H, Ҷ→J) and the older
Russian-style one (Ғ→G, Қ→K, Ҳ→KH, Ҷ→DZH), plus the Uzbek-style X for Х. Run again after
editing the lists; the capture app may later add names operators confirmed (one file, same form).
"""

from pathlib import Path

from safar.reading.translit import to_latin

OUT = Path(__file__).resolve().parent.parent / "src/safar/reading/data/names.txt"

# Given names (Tajik, Cyrillic), many also roots of surnames.
GIVEN = """
АБДУЛЛО АБДУРАҲМОН АБДУ РАҲМОН РАҲМАТ АЛӢ АЛИ АЛИШЕР АЗИЗ АЗИЗА АКБАР АМИР АНВАР АСЛАМ АХМАД АҲМАД
АЪЗАМ БАХТИЁР БАҲРОМ БЕҲРӮЗ БОБО БОБУР БОРОН ВАЛӢ ВАЛИ ВАҲДАТ ГУЛ ГУЛНОРА ГУЛРУХ ГУЛБАХОР ГУЛЧЕҲРА
ДАВЛАТ ДАЛЕР ДИЛШОД ДИЛНОЗА ДИЛОРОМ ЁҚУБ ЁР ЖАННА ЗАРИНА ЗАФАР ЗОИР ЗУҲРО ИБРОҲИМ ИЗЗАТ ИЛҲОМ ИСМОИЛ
ИСЛОМ ИСО КАРИМ КОМРОН ЛАТИФ ЛАТОФАТ ЛАТИПОВ МАДИНА МАҲМАД МАҲМАДАЛӢ МАҲМАДАЛИ МИРЗО МУБОРАК МУҲАММАД
МУСО МУНИРА НАЗАР НАЗИРА НИГИНА НОДИР НУРИДДИН НАСИМ ОДИНА ОЙША ПАРВИЗ ПАРВИНА ПИРМАТ РАҲИМ РАҶАБ
РАҲМОН РУСТАМ САФАР СОДИҚ СОРБОН СУҲРОБ САИД САЪДӢ СИЁВУШ ТАҲМИНА ТОҲИР УМАР УМЕД ФАЙЗУЛЛО ФАРРУХ
ФАРХОД ФИРДАВС ФИРУЗА ХОЛ ХУРШЕД ҲАКИМ ҲАСАН ҲУСЕЙН ҲУСАЙН ҶАМШЕД ҶӮРА ҶАЛОЛ ҶОНИ ҶАСУР ШАРИФ ШАРИП
ШАХЛО ШОДӢ ШОДИ ШАМСИДДИН ШЕРАЛӢ ШЕРАЛИ ШАҲЗОД ШАБНАМ ЮСУФ ЮСУП ЮНУС ЯСМИН ЯҚУБ ЭРАДЖ ЭРГАШ ЭМОМАЛӢ
ЧАМАН ЧОРӢ ЧОРИ ҚОДИР ҚОСИМ ҚУРБОН ҒАФУР ҒАЙРАТ ҒУЛОМ ХУДОЙДОД МАНУЧЕҲР НАВРӮЗ ОЛИМ ОЗОД ПАЙВАНД
РАВШАН САНОВБАР СИТОРА ТИМУР ТОҶИДДИН УЛУҒБЕК ФАРЗОНА ҲАБИБ ҲАМИД ҲОФИЗ ҲИКМАТ ҲУРШЕДА ИКРОМ
ИНОЯТ КАМОЛ МАРЬЯМ МАВЗУНА МАЛИКА МАСЪУД МЕҲРОБ МИРАЛӢ МУРОД НАСРУЛЛО НЕЪМАТ НУРАЛӢ НОСИР ОРЗУ
САЙФУЛЛО САНГИН СОБИР СУЛТОН ТАВАККАЛ УБАЙДУЛЛО УМЕДА ФАРИДУН ФАЗЛИДДИН ХУРСАНД ҲАЙДАР ҶУМЪА ШАВКАТ
ШУҲРАТ ЭҲСОН ЮЛДУЗ БОЗОР ГУЛОМ ДОВУД ЗИЁ ЗАЙНАБ ИРОДА КАРОМАТ ЛАЙЛО МАҲИНА НАРГИС ОФТОБ ПАРИЗОД
РОБИЯ САБО СОҲИБ ТОЛИБ УСМОН ФОТИМА ХАДИЧА ҲАФИЗ ҶАМИЛА ШАРОФАТ АБДУЛЛОҲ НУРУЛЛО ХОЛМАТ ХОЛИҚ
ДОДО ДОДОХОН ШОҲ ШОҲИН ЗОҲИР МАСРУР МАҚСУД АБРОР АЗАМАТ ОЛИМҶОН БАХРОМ ИСКАНДАР ТЕМУР ЦЕЗАР
""".split()
GIVEN += ["АБДУ РАҲМОН"]  # written as two words in the boxes; each word is looked up alone
# Roots used only in surnames.
ROOTS = """
ДАВЛАТ МИРЗО АБДУЛЛО ЭРГАШ ЯҚУБ ЮСУП ЮСУФ ЮНУС ШАМСИДДИН ЛАТИФ ЁР ХОЛ ГУЛ БОБО ЧОРӢ ВАЛӢ ОДИНА ҶӮРА
ЖУРА ЗОИР ШАРИФ ШАРИП ТОҲИР ПИРМАТ ҚУРБОН РАҶАБ НАЗАР САФАР УМАР ИСМОИЛ КАРИМ РАҲИМ ҚОДИР ҒАФУР СОДИҚ
ҲАКИМ НУРИДДИН ФАЙЗУЛЛО АҲМАД РАҲМОН МАҲМАДАЛӢ УСМОН ОЛИМ ЗОҲИР САИД ҲАСАН ҲУСЕЙН ИБРОҲИМ МУСО ИСО
НАЗИР НОДИР НАСИМ ҲАМИД ҲАБИБ ҲАЙДАР ШОДӢ ТОЛИБ СОБИР СУЛТОН ШЕРАЛӢ НУРАЛӢ МИРАЛӢ ДОДО ХУДОЙДОД
АМИР АКБАР АНВАР АЗИЗ БОЗОР ГУЛОМ ДОВУД ЗИЁ ИКРОМ КАМОЛ МУРОД НЕЪМАТ ҶУМЪА ШАВКАТ ИСЛОМ САНГИН
ХОЛИҚ ХОЛМАТ ТАВАККАЛ ФАЗЛИДДИН МАҚСУД ТИМУР ТЕМУР ШУКУР ШОҲ АСАД РАШИД РАСУЛ ҲОШИМ ҚУРБОНАЛӢ
ЗАРИФ ЗАКИР ЗОКИР НАБИ НАЗРУЛЛО НУРУЛЛО ОЛИМҶОН ПОЧО САМАД СОЛИҲ СУЛАЙМОН ТУРСУН УРОҚ ФАРМОН ХОЛИД
ҲАМРО ҲОҶӢ ҶАББОР ҶАЛИЛ ҶОБИР ШАРОФ ЭМОМ ЭШОН ЮЛДОШ
""".split()
SURNAME_EXTRA = """
ЭМОМАЛӢ ЦОЙ ЩЕРБАКОВ ИВАНОВ ИВАНОВА ПЕТРОВ ПЕТРОВА СИДОРОВ СМИРНОВ КУЗНЕЦОВ ПОПОВ ВАСИЛЬЕВ
СОКОЛОВ МИХАЙЛОВ НОВИКОВ ФЁДОРОВ МОРОЗОВ ВОЛКОВ АЛЕКСЕЕВ ЛЕБЕДЕВ СЕМЁНОВ ЕГОРОВ ПАВЛОВ КОЗЛОВ
СТЕПАНОВ НИКОЛАЕВ ОРЛОВ АНДРЕЕВ МАКАРОВ НИКИТИН ЗАХАРОВ ЮНУСОВ ЮСУПОВА ЖУРАЕВ ХОЛОВ ЛАТИФОВА
""".split()
RUSSIAN_GIVEN = """
АЛЕКСАНДР АЛЕКСЕЙ АНДРЕЙ АННА ВИКТОР ВЛАДИМИР ДМИТРИЙ ЕЛЕНА ИВАН ИРИНА МАРИЯ НАТАЛЬЯ НИКОЛАЙ ОЛЬГА
ОЛЕГ ПАВЕЛ СЕРГЕЙ ТАТЬЯНА ЮРИЙ ЕКАТЕРИНА СВЕТЛАНА МИХАИЛ ИГОРЬ ГАЛИНА ЛЮДМИЛА
""".split()
LATIN = """
SMITH JOHNSON MUELLER MULLER WANG LI ZHANG LIU CHEN KIM LEE PARK CHOI JOHN MARIA WEI OLGA IVAN IVANOV
PETROV XOLOV XURSHID JASUR MICHAEL DAVID ANNA PETER JAMES MARY WILLIAMS BROWN JONES GARCIA KHAN AHMADI
MOHAMMADI HUSSAINI RAHIMI KARIMI NAZARI ALI OMAR YUSUF JAMSHED LATIPOVA GAFUROV JURAEV QURBONOV
USMONOV TOSHMATOV ERGASHEV ABDULLAEV YULDASHEV RAHIMOVA ALIMOV AKHMEDOV MAMADALIEV SULTANOV
""".split()


def _suffixes(root: str) -> list[str]:
    if root.endswith("Ӣ"):
        root = root[:-1] + "И"
    if root[-1] in "АОУЭИЕЁЮЯӮШЧЩЖЦ":  # Russian spelling: -ев after a vowel or a hushing sound
        return [root + "ЕВ", root + "ЕВА", root + "ЗОДА"]
    return [root + "ОВ", root + "ОВА", root + "ЗОДА", root + "Ӣ"]


def _old_latin(word: str) -> str:
    """The older Russian-style Latin spelling (Gafurov, Kurbonov, Khakimov, Dzhuraev)."""
    return to_latin(word.replace("Ғ", "Г").replace("Қ", "К").replace("Ҳ", "Х").replace("Ҷ", "ДЖ"))


def _common_latin(word: str) -> str:
    """The everyday spelling in Latin script (Yusupova, Fayzulloev, Shahlo, Gayrat, Yaqub)."""
    for cyr, lat in (("Ю", "YU"), ("Я", "YA"), ("Ё", "YO"), ("Й", "Y"), ("Ғ", "G"), ("Х", "H")):
        word = word.replace(cyr, lat)
    return to_latin(word)


def main() -> None:
    cyr = set(GIVEN) | set(SURNAME_EXTRA) | set(RUSSIAN_GIVEN)
    for root in set(ROOTS) | set(GIVEN):
        if " " not in root:
            cyr.update(_suffixes(root))
    words = set()
    for name in cyr:
        for word in name.split():
            words.update(
                {
                    word,
                    to_latin(word),
                    _old_latin(word),
                    _old_latin(word).replace("KH", "X"),
                    _common_latin(word),
                }
            )
    words.update(LATIN)
    words = sorted(w for w in words if w.isalpha())
    OUT.write_text("\n".join(words) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(words)} words")


if __name__ == "__main__":
    main()

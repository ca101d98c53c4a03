"""The starting question bank of the trainings' knowledge check (data/questions.json), loaded by
a migration: a few questions per topic in Tajik, Russian and English.

Run again after the file changes: a question is found by its topic and English text, so it is
updated, never duplicated; questions an administrator added stay."""

import json
from pathlib import Path

DATA = Path(__file__).with_name("data") / "questions.json"


def load_questions(apps, schema_editor=None) -> None:
    Question = apps.get_model("outreach", "Question")
    Choice = apps.get_model("outreach", "Choice")
    for topic in json.loads(DATA.read_text(encoding="utf-8")):
        for position, item in enumerate(topic["questions"], start=1):
            question, _created = Question.objects.update_or_create(
                topic_id=topic["topic"],
                text_en=item["en"],
                defaults={"position": position, "text_tg": item["tg"], "text_ru": item["ru"]},
            )
            question.choices.all().delete()
            Choice.objects.bulk_create(
                Choice(
                    question=question,
                    position=n,
                    correct=choice.get("correct", False),
                    name_tg=choice["tg"],
                    name_ru=choice["ru"],
                    name_en=choice["en"],
                )
                for n, choice in enumerate(item["choices"], start=1)
            )

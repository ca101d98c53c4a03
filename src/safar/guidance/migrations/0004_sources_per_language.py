from django.db import migrations, models

from safar.guidance.seed import translate_sources


class Migration(migrations.Migration):
    """The legal sources of an article in each language: the old list becomes the English one,
    and the starter articles get their Tajik and Russian lists."""

    dependencies = [("guidance", "0003_starter_articles")]

    operations = [
        migrations.RenameField("article", "sources", "sources_en"),
        migrations.AlterField(
            model_name="article",
            name="sources_en",
            field=models.TextField(
                blank=True,
                help_text="One source a line: the law, article and date.",
                verbose_name="legal sources (English)",
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="sources_tg",
            field=models.TextField(
                blank=True,
                help_text="One source a line: the law, article and date.",
                verbose_name="legal sources (Tajik)",
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="sources_ru",
            field=models.TextField(
                blank=True,
                help_text="One source a line: the law, article and date.",
                verbose_name="legal sources (Russian)",
            ),
        ),
        migrations.RunPython(translate_sources, migrations.RunPython.noop),
    ]

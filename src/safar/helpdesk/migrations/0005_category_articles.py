from django.db import migrations, models

from safar.helpdesk.categories import link_articles


class Migration(migrations.Migration):
    """Each category links to the guide articles that answer it (data/category_articles.json)."""

    dependencies = [
        ("guidance", "0004_sources_per_language"),
        ("helpdesk", "0004_cases"),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="articles",
            field=models.ManyToManyField(
                blank=True,
                related_name="helpdesk_categories",
                to="guidance.article",
                verbose_name="guide articles that answer it",
            ),
        ),
        migrations.RunPython(link_articles, migrations.RunPython.noop),
    ]

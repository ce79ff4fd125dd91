from django.db import migrations

LANGUAGES = [("en", "English", 1), ("fr", "Français", 2)]


def add_languages(apps, schema_editor):
    Language = apps.get_model("core", "Language")
    for code, name, order in LANGUAGES:
        Language.objects.update_or_create(code=code, defaults={"name": name, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(add_languages, migrations.RunPython.noop)]

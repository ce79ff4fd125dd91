"""Load the ICD-10-CM catalogue shipped in core/registers/data (public domain; see its README.md)."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "registers" / "data" / "icd10_diagnoses.csv"


def load_diagnoses(apps, schema_editor):
    Diagnosis = apps.get_model("core", "Diagnosis")
    existing = set(Diagnosis.objects.values_list("code", flat=True))
    with DATA.open(encoding="utf-8", newline="") as handle:
        rows = [
            Diagnosis(code=row["code"], name=row["name"])
            for row in csv.DictReader(handle)
            if row["code"] not in existing
        ]
    Diagnosis.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_languages")]
    operations = [migrations.RunPython(load_diagnoses, migrations.RunPython.noop)]

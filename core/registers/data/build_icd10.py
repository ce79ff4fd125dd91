"""Build icd10_diagnoses.csv: ICD-10-CM diagnosis codes (US CDC/NCHS, public domain).

Not part of the application: run it by hand to regenerate the CSV beside it.

    python3.11 -m venv /tmp/icdvenv
    /tmp/icdvenv/bin/pip install simple-icd-10-cm==1.5.0
    /tmp/icdvenv/bin/python core/registers/data/build_icd10.py

The rows are every 3-character ICD-10-CM category of the form ``A00`` (so not ``QA0``), plus
the billable 4-character subcodes (codes like ``E11.9`` that have no children) of the
common-condition categories listed in COMMON_CATEGORIES. Names are the descriptions of the
CDC's tabular list, as shipped by the ``simple-icd-10-cm`` package.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from importlib.metadata import version
from pathlib import Path

import simple_icd_10_cm as cm

PACKAGE = "simple-icd-10-cm"
OUTPUT = Path(__file__).resolve().parent / "icd10_diagnoses.csv"
CODE_RE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z])?$")

# Categories of conditions common in primary care and claims whose billable 4-character
# subcodes are included. Categories with no billable 4-character subcode add nothing.
COMMON_CATEGORIES = (
    # Infections
    "A08", "A41", "A49", "B01", "B02", "B34", "B35", "B37",
    # Blood
    "D50", "D64", "D69",
    # Endocrine, nutritional, metabolic
    "E03", "E04", "E06", "E10", "E11", "E13", "E55", "E66", "E78", "E86", "E87",
    # Mental and behavioural
    "F32", "F33", "F41", "F43", "F90",
    # Nervous system
    "G30", "G35", "G44", "G45", "G47", "G89",
    # Eye and ear
    "H10", "H25", "H26", "H40", "H52", "H81", "H91",
    # Circulatory
    "I11", "I12", "I20", "I21", "I25", "I48", "I49", "I50", "I63", "I73", "I80", "I95",
    # Respiratory
    "J02", "J06", "J12", "J15", "J18", "J20", "J30", "J32", "J44",
    # Digestive
    "K21", "K25", "K52", "K58", "K59", "K64", "K76",
    # Skin
    "L20", "L21", "L30", "L40", "L50", "L70",
    # Musculoskeletal
    "M10", "M16", "M17", "M25", "M54", "M79", "M81",
    # Genitourinary
    "N17", "N18", "N20", "N39", "N40", "N76", "N92", "N95",
    # Pregnancy
    "O02", "O03", "O20", "O21",
    # Symptoms and signs
    "R00", "R05", "R06", "R07", "R10", "R11", "R19", "R42", "R50", "R51", "R53", "R63", "R73",
    # Health status and contact with health services
    "Z00", "Z12", "Z13", "Z30", "Z79", "Z86", "Z87", "Z95", "Z96",
)  # fmt: skip


def clean(text: str) -> str:
    """One line, no surrounding or doubled whitespace."""
    return " ".join(text.split())


def collect() -> list[tuple[str, str]]:
    """Return the sorted (code, name) rows."""
    all_codes = cm.get_all_codes(with_dots=True)
    categories = [c for c in all_codes if cm.is_category(c)]
    unknown = [c for c in COMMON_CATEGORIES if not cm.is_category(c)]
    if unknown:
        sys.exit(f"not ICD-10-CM categories: {', '.join(unknown)}")
    subcodes = [
        code
        for category in COMMON_CATEGORIES
        for code in cm.get_descendants(category)
        if len(code) == 5 and cm.is_leaf(code)
    ]
    codes = [*categories, *subcodes]
    skipped = sorted({c for c in codes if not CODE_RE.match(c)})
    if skipped:
        # e.g. QA0 (added April 2026): a letter in the second position.
        print(f"skipped, not of the form A00 / A00.0: {', '.join(skipped)}", file=sys.stderr)
    rows = {c: clean(cm.get_description(c)) for c in codes if CODE_RE.match(c)}
    for code, name in rows.items():
        if not name or len(name) > 255:
            sys.exit(f"unexpected name for {code}: {name!r}")
        if not (cm.is_category(code) or cm.is_leaf(code)):
            sys.exit(f"neither a category nor billable: {code}")
    return sorted(rows.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"default: {OUTPUT}")
    args = parser.parse_args()

    rows = collect()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["code", "name"])
        writer.writerows(rows)
    print(f"{len(rows)} rows from {PACKAGE} {version(PACKAGE)} -> {args.output}")


if __name__ == "__main__":
    main()

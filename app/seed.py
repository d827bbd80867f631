"""Load the reference data shipped in app/reference_data (copied from the city's sources).

Idempotent: rows are matched on their natural keys and updated in place, so a
second run changes nothing and an edited CSV updates the names. The English texts
(a pillar's name and description, a program's name) only fill what is empty: an
existing database gets them, and the wording an admin gave them is kept.
"""

import csv
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from app.documents.numbering import DEFAULT_PATTERNS
from app.domain import DOCUMENT_KINDS
from app.extensions import db
from app.models import (
    DocumentSetting,
    Indicator,
    IndicatorValue,
    Kecamatan,
    Kelurahan,
    Letterhead,
    Pillar,
    Program,
)

DATA_DIR = Path(__file__).resolve().parent / "reference_data"


def read_csv(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def seed_reference_data() -> dict[str, int]:
    """Upsert pillars, regions, programs, indicators and a default letterhead; return counts."""
    counts = {
        "pillars": seed_pillars(),
        "kelurahan": seed_regions(),
        "programs": seed_programs(),
        "indicator_values": seed_indicators(),
    }
    seed_letterhead()
    seed_document_settings()
    db.session.commit()
    return counts


def seed_pillars() -> int:
    existing = {p.code: p for p in db.session.scalars(select(Pillar))}
    rows = read_csv("pillars.csv")
    for position, row in enumerate(rows, start=1):
        pillar = existing.get(row["code"]) or Pillar(code=row["code"])
        pillar.name = row["name_id"]
        pillar.name_en = pillar.name_en or row["name_en"]
        pillar.description = row["description_id"]
        pillar.description_en = pillar.description_en or row["description_en"]
        pillar.position = position
        db.session.add(pillar)
    db.session.flush()
    return len(rows)


def seed_regions() -> int:
    kecamatan = {k.code: k for k in db.session.scalars(select(Kecamatan))}
    kelurahan = {(k.kecamatan_id, k.name): k for k in db.session.scalars(select(Kelurahan))}
    rows = read_csv("regions.csv")
    for row in rows:
        kec = kecamatan.get(row["kecamatan_code"])
        if kec is None:
            kec = Kecamatan(code=row["kecamatan_code"], name=row["kecamatan"])
            db.session.add(kec)
            db.session.flush()
            kecamatan[kec.code] = kec
        kec.name = row["kecamatan"]
        if (kec.id, row["kelurahan"]) not in kelurahan:
            kel = Kelurahan(kecamatan_id=kec.id, name=row["kelurahan"])
            db.session.add(kel)
            kelurahan[(kec.id, kel.name)] = kel
    db.session.flush()
    return len(kelurahan)


def seed_programs() -> int:
    pillars = {p.code: p for p in db.session.scalars(select(Pillar))}
    programs = {p.name: p for p in db.session.scalars(select(Program))}
    for row in read_csv("programs.csv"):
        program = programs.get(row["program"]) or Program(name=row["program"])
        program.pillar_id = pillars[row["pillar_code"]].id
        program.name_en = program.name_en or row["program_en"]
        db.session.add(program)
        programs[program.name] = program
    db.session.flush()
    return len(programs)


def seed_indicators() -> int:
    indicators = {i.name: i for i in db.session.scalars(select(Indicator))}
    values = {(v.indicator_id, v.year): v for v in db.session.scalars(select(IndicatorValue))}
    for row in read_csv("indicators.csv"):
        indicator = indicators.get(row["indicator"])
        if indicator is None:
            indicator = Indicator(name=row["indicator"], unit=row["unit"], position=len(indicators))
            db.session.add(indicator)
            db.session.flush()
            indicators[indicator.name] = indicator
        key = (indicator.id, int(row["year"]))
        value = values.get(key) or IndicatorValue(indicator_id=indicator.id, year=key[1])
        value.target = Decimal(row["target"]) if row["target"] else None
        # A figure already entered by staff is kept: the CSV only fills gaps.
        if value.actual is None and row["actual"]:
            value.actual = Decimal(row["actual"])
        value.source = value.source or row["source"]
        db.session.add(value)
        values[key] = value
    db.session.flush()
    return len(values)


def seed_document_settings() -> None:
    """A setting per kind of document, once: the admin's later changes are kept."""
    existing = set(db.session.scalars(select(DocumentSetting.kind)))
    for kind in DOCUMENT_KINDS:
        if kind not in existing:
            db.session.add(
                DocumentSetting(kind=kind, number_pattern=DEFAULT_PATTERNS.get(kind, ""))
            )


def seed_letterhead() -> None:
    if db.session.scalar(select(Letterhead.id).where(Letterhead.kind == "agency")) is None:
        db.session.add(
            Letterhead(
                government="Pemerintah Kota Pekalongan",
                agency="Badan Perencanaan Pembangunan Daerah",
                address="Kota Pekalongan, Jawa Tengah",
                city="Pekalongan",
                page_size="A4",
            )
        )
    if db.session.scalar(select(Letterhead.id).where(Letterhead.kind == "mayor")) is None:
        db.session.add(
            Letterhead(
                kind="mayor",
                government="Wali Kota Pekalongan",
                agency="",
                address="Kota Pekalongan, Jawa Tengah",
                city="Pekalongan",
                page_size="A4",
            )
        )

"""Reference data: pillars, regions, agencies, programs and the letterhead."""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain import LETTERHEAD_KINDS, PAGE_SIZES
from app.models.base import Base, UTCDateTime, check_in


class Pillar(Base):
    """A strategy pillar (strategi). Retired pillars keep the tags of old input."""

    __tablename__ = "pillar"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_active(self) -> bool:
        return self.retired_at is None


class Kecamatan(Base):
    __tablename__ = "kecamatan"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)

    kelurahan: Mapped[list["Kelurahan"]] = relationship(
        back_populates="kecamatan", order_by="Kelurahan.name"
    )


class Kelurahan(Base):
    __tablename__ = "kelurahan"
    __table_args__ = (UniqueConstraint("kecamatan_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kecamatan_id: Mapped[int] = mapped_column(ForeignKey("kecamatan.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))

    kecamatan: Mapped[Kecamatan] = relationship(back_populates="kelurahan")


class Agency(Base):
    """A city agency (OPD)."""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    abbreviation: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def label(self) -> str:
        return agency_label(self.abbreviation, self.name)


def agency_label(abbreviation: str, name: str) -> str:
    """How an agency is named in lists: "abbreviation (name)", or the name alone."""
    return f"{abbreviation} ({name})" if name != abbreviation else name


class Program(Base):
    """A running poverty-reduction program that participants can evaluate."""

    __tablename__ = "program"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pillar_id: Mapped[int | None] = mapped_column(ForeignKey("pillar.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300), default="", server_default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    pillar: Mapped[Pillar | None] = relationship()
    agency: Mapped[Agency | None] = relationship()


class Letterhead(Base):
    """A kop surat: the agency's own, and the Wali Kota's (one row of each kind at most).

    The Wali Kota's kop carries the lambang and the office in `government` ("WALI KOTA
    PEKALONGAN") and no agency line. Which document prints which kop is a
    DocumentSetting.
    """

    __tablename__ = "letterhead"
    __table_args__ = (
        CheckConstraint(check_in("page_size", PAGE_SIZES), name="page_size"),
        CheckConstraint(check_in("kind", LETTERHEAD_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), default="agency", unique=True)
    government: Mapped[str] = mapped_column(String(200))
    agency: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    contact: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_mimetype: Mapped[str | None] = mapped_column(String(40))
    page_size: Mapped[str] = mapped_column(String(4), default="A4")

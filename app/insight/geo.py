"""The kelurahan boundaries and the map of voice against need drawn from them.

The boundaries are a file beside the code (app/reference_data/kelurahan-3375.geojson,
MIT licence in kelurahan-3375.LICENSE.txt), read once. Our regions carry no
Kemendagri code for a kelurahan, so a boundary is matched to a `Kelurahan` by its
kecamatan's code and its name with spaces and case ignored ("Kali Baros" is
"Kalibaros").

The map is inline SVG built by plain Python, like the charts of
app/documents/charts.py: the same markup on the page and in the PDF, every text
escaped, colours as presentation attributes (the pages' CSP forbids `style=""`),
nothing fetched. It must read printed in black and white: the five classes differ
by grey level and by pattern, every shape carries its number in the table, and the
key beside the map turns each number into a name.
"""

import functools
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import select

from app.extensions import db
from app.models import Kecamatan, Kelurahan

if TYPE_CHECKING:
    from app.insight.voice import VoiceAndNeed, WardVoice

BOUNDARY_FILE = Path(__file__).resolve().parent.parent / "reference_data" / "kelurahan-3375.geojson"

# (lowest gap in percentage points, class) from the most under-heard down; the last
# class takes everything below. A ward's share of need is a few percent, so 1 and 3
# points already tell a ward heard about as much as it needs from one left out.
GAP_CLASSES = ((3.0, 1), (1.0, 2), (-1.0, 3), (-3.0, 4), (-math.inf, 5))
NO_DATA = "none"

# The charts' font and ink (app/documents/charts.py). Not imported from there: the
# evaluation in app.documents reads this package, and app.documents' own __init__
# loads the evaluation, so importing back would make the two packages a cycle.
FONT = "Liberation Sans, DejaVu Sans, sans-serif"
INK = "#1a1a1a"

# Layout of the drawing, in SVG units (the viewBox; the page or the paper scales it).
WIDTH, HEIGHT = 700, 420
MAP_BOX = (6.0, 6.0, 400.0, 408.0)  # x, y, width, height
SIDE_X = 420
KEY_ROWS = 14


@dataclass(frozen=True)
class Boundary:
    code: str  # Kemendagri code, e.g. 33.75.01.1002
    name: str  # as the boundary file spells it
    kecamatan_code: str
    rings: tuple[tuple[tuple[float, float], ...], ...]  # (lng, lat) points
    centroid: tuple[float, float]  # (lng, lat)


@dataclass(frozen=True)
class WardRef:
    """A kelurahan of our regions as the map knows it."""

    code: str
    kelurahan_id: int
    name: str  # as our regions spell it
    kecamatan: str


def normalised(name: str) -> str:
    """'Kali Baros' and 'kalibaros' alike: letters and digits only, case ignored."""
    return re.sub(r"[^0-9a-z]", "", name.casefold())


@functools.cache
def boundaries() -> tuple[Boundary, ...]:
    collection = json.loads(BOUNDARY_FILE.read_text(encoding="utf-8"))
    shapes = []
    for feature in collection["features"]:
        properties, geometry = feature["properties"], feature["geometry"]
        polygons = (
            [geometry["coordinates"]]
            if geometry["type"] == "Polygon"
            else geometry["coordinates"]  # MultiPolygon
        )
        rings = tuple(
            tuple((float(lng), float(lat)) for lng, lat, *_rest in ring)
            for polygon in polygons
            for ring in polygon
        )
        lng, lat = properties["centroid"]
        shapes.append(
            Boundary(
                code=properties["kode"],
                name=properties["nama"],
                kecamatan_code=properties["kecamatan_kode"],
                rings=rings,
                centroid=(float(lng), float(lat)),
            )
        )
    return tuple(sorted(shapes, key=lambda shape: shape.code))


def ward_refs() -> dict[str, WardRef]:
    """Kemendagri code -> our kelurahan, for every boundary that matches one."""
    rows = db.session.execute(
        select(Kelurahan.id, Kelurahan.name, Kecamatan.code, Kecamatan.name).join(
            Kecamatan, Kecamatan.id == Kelurahan.kecamatan_id
        )
    )
    ours = {
        (kecamatan_code, normalised(name)): (kelurahan_id, name, kecamatan)
        for kelurahan_id, name, kecamatan_code, kecamatan in rows
    }
    refs = {}
    for shape in boundaries():
        found = ours.get((shape.kecamatan_code, normalised(shape.name)))
        if found is not None:
            refs[shape.code] = WardRef(shape.code, *found)
    return refs


def ward_names() -> dict[str, str]:
    """Kemendagri code -> the kelurahan's name as our regions spell it."""
    return {code: ref.name for code, ref in ward_refs().items()}


def gap_class(ward: "WardVoice") -> str:
    """'1' (most under-heard) to '5' (heard far beyond its need), or 'none' without need data."""
    if ward.need is None:
        return NO_DATA
    for lowest, number in GAP_CLASSES:
        if ward.gap >= lowest:
            return str(number)
    return "5"


def class_legend() -> tuple[tuple[str, str], ...]:
    return (
        ("1", _("Jauh kurang terdengar: +3 poin atau lebih")),
        ("2", _("Kurang terdengar: +1 sampai +3 poin")),
        ("3", _("Seimbang: antara −1 dan +1 poin")),
        ("4", _("Lebih terdengar: −1 sampai −3 poin")),
        ("5", _("Jauh lebih terdengar: −3 poin atau kurang")),
        (NO_DATA, _("Tanpa data kebutuhan")),
    )


# Fill of each class: grey levels and patterns that stay apart on a black-and-white page.
FILLS = {
    "1": "#3c3c3c",
    "2": "url(#wm-hatch)",
    "3": "#d2d2d2",
    "4": "url(#wm-lines)",
    "5": "url(#wm-dots)",
    NO_DATA: "#ffffff",
}
PATTERNS = (
    # Dense diagonal hatch on mid grey.
    '<pattern id="wm-hatch" width="5" height="5" patternUnits="userSpaceOnUse">'
    '<rect width="5" height="5" fill="#9c9c9c"/>'
    '<line x1="0" y1="5" x2="5" y2="0" stroke="#2a2a2a" stroke-width="1.3"/>'
    '<line x1="-1" y1="1" x2="1" y2="-1" stroke="#2a2a2a" stroke-width="1.3"/>'
    '<line x1="4" y1="6" x2="6" y2="4" stroke="#2a2a2a" stroke-width="1.3"/></pattern>'
    # Sparse thin lines the other way on white.
    '<pattern id="wm-lines" width="7" height="7" patternUnits="userSpaceOnUse">'
    '<rect width="7" height="7" fill="#ffffff"/>'
    '<line x1="0" y1="0" x2="7" y2="7" stroke="#555555" stroke-width="0.8"/></pattern>'
    # Dots on white.
    '<pattern id="wm-dots" width="6" height="6" patternUnits="userSpaceOnUse">'
    '<rect width="6" height="6" fill="#ffffff"/>'
    '<circle cx="3" cy="3" r="1.1" fill="#3c3c3c"/></pattern>'
)


@dataclass(frozen=True)
class Projection:
    """Equirectangular, longitudes shrunk by cos(latitude), fitted into MAP_BOX."""

    lng0: float
    lat0: float
    squeeze: float  # cos of the middle latitude: a degree of longitude is that much shorter
    scale: float
    x0: float
    y0: float

    @classmethod
    def fitted(cls, shapes: Sequence[Boundary]) -> "Projection":
        points = [point for shape in shapes for ring in shape.rings for point in ring]
        west, east = min(p[0] for p in points), max(p[0] for p in points)
        south, north = min(p[1] for p in points), max(p[1] for p in points)
        squeeze = math.cos(math.radians((south + north) / 2))
        width, height = (east - west) * squeeze, north - south
        box_x, box_y, box_w, box_h = MAP_BOX
        scale = min(box_w / width, box_h / height)
        # Centred in the box.
        x0 = box_x + (box_w - width * scale) / 2
        y0 = box_y + (box_h - height * scale) / 2
        return cls(west, north, squeeze, scale, x0, y0)

    def point(self, lng: float, lat: float) -> tuple[float, float]:
        return (
            self.x0 + (lng - self.lng0) * self.squeeze * self.scale,
            self.y0 + (self.lat0 - lat) * self.scale,
        )


def path_data(shape: Boundary, projection: Projection) -> str:
    parts = []
    for ring in shape.rings:
        points = [projection.point(lng, lat) for lng, lat in ring]
        parts.append("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points) + " Z")
    return " ".join(parts)


def ward_map_svg(voice: "VoiceAndNeed", *, title: str) -> Markup:
    """The kelurahan shaded by gap, each numbered by its row in the table, with legend and key."""
    shapes = boundaries()
    projection = Projection.fitted(shapes)
    rank = {ward.code: number for number, ward in enumerate(voice.wards, 1)}
    by_code = {ward.code: ward for ward in voice.wards}
    body = [f"<defs>{PATTERNS}</defs>"]
    labels = []
    for shape in shapes:
        ward = by_code.get(shape.code)
        name = ward.name if ward else shape.name
        bucket = gap_class(ward) if ward else NO_DATA
        dash = ' stroke-dasharray="3 2"' if bucket == NO_DATA else ""
        body.append(
            f'<path d="{path_data(shape, projection)}" class="ward gap-{bucket}" '
            f'data-code="{escape(shape.code)}" fill="{FILLS[bucket]}" fill-rule="evenodd" '
            f'stroke="{INK}" stroke-width="0.8"{dash}><title>{escape(name)}</title></path>'
        )
        if shape.code in rank:
            x, y = projection.point(*shape.centroid)
            labels.append(number_badge(x, y, rank[shape.code]))
    # Badges after every shape, so no neighbour's outline crosses a number.
    body.extend(labels)
    body.extend(legend(voice))
    return Markup(  # noqa: S704 - every text above goes through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ward-map" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        f'font-family="{FONT}"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


def text(
    x: float, y: float, content: str, *, size: float, anchor: str = "start", weight: str = "normal"
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-weight="{weight}" fill="{INK}">{escape(content)}</text>'
    )


def shorten(content: str, limit: int) -> str:
    return content if len(content) <= limit else content[: limit - 1].rstrip() + "\u2026"


def number_badge(x: float, y: float, number: int) -> str:
    return (
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7.5" fill="#ffffff" stroke="{INK}" '
        f'stroke-width="0.8"/>'
        + text(x, y + 3.3, str(number), size=9, anchor="middle", weight="bold")
    )


def legend(voice: "VoiceAndNeed") -> list[str]:
    """The classes (what each shading means), then the key: number -> kelurahan."""
    parts = [
        text(SIDE_X, 16, _("Selisih kebutuhan dan suara (poin persen)"), size=10.5, weight="bold")
    ]
    y = 26.0
    for bucket, label in class_legend():
        dash = ' stroke-dasharray="3 2"' if bucket == NO_DATA else ""
        parts.append(
            f'<rect x="{SIDE_X}" y="{y:.1f}" width="18" height="12" fill="{FILLS[bucket]}" '
            f'stroke="{INK}" stroke-width="0.8"{dash} class="legend gap-{bucket}"/>'
        )
        parts.append(text(SIDE_X + 24, y + 10, label, size=9.5))
        y += 18
    y += 14
    parts.append(text(SIDE_X, y, _("Nomor pada peta (urutan tabel)"), size=10.5, weight="bold"))
    y += 6
    column_w = (WIDTH - SIDE_X) / 2
    for index, ward in enumerate(voice.wards):
        column, row = divmod(index, KEY_ROWS)
        x = SIDE_X + column * column_w
        line_y = y + 14 * (row + 1)
        marker = "" if ward.need is not None else " *"
        parts.append(text(x + 16, line_y, str(index + 1), size=9.5, anchor="end", weight="bold"))
        parts.append(text(x + 20, line_y, shorten(ward.name, 19) + marker, size=9.5))
    if any(ward.need is None for ward in voice.wards):
        note_y = y + 14 * (KEY_ROWS + 1) + 4
        parts.append(text(SIDE_X, note_y, _("* tanpa data kebutuhan"), size=9.5))
    return parts

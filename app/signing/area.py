"""Where the signatures' visible stamps go on a final document.

A final document ends with an empty block (templates/documents/_pdf.html, id
"tanda-tangan-elektronik") that does not break, so it stands below the last text on
the last page. Rendering records where it landed (app/documents/pdf.py) as an `Area`,
kept as text in `MeetingDocument.signature_area`: "page x1 y1 x2 y2", the page
counted from 0, the box in PDF points from the page's lower-left corner.

Each signature's stamp takes one cell of the area: two columns across the text's
width, filled row by row from the top, the signing order left to right. A lone last
cell stands in the middle, as the documents print a lone signature. The block is
drawn blank, so a stamp covers nothing that was printed.
"""

import math
from dataclasses import dataclass
from typing import Any

POINTS_PER_MM = 72 / 25.4
COLUMNS = 2
# A stamp: a QR code a phone reads at arm's length (about 20 mm) beside four short lines.
CELL_WIDTH_MM = 85.0  # at most; two cells and their gap share the text's width
CELL_HEIGHT_MM = 24.0
COLUMN_GAP_MM = 5.0
ROW_GAP_MM = 3.0
# The area never outgrows a page (it must stand whole on the last one): past eight rows
# (sixteen signers) it keeps this height and the cells shrink to share it.
MAX_ROWS = 8


@dataclass(frozen=True)
class Area:
    page: int
    x1: float
    y1: float
    x2: float
    y2: float


def parse_area(text: str) -> Area | None:
    """The area a document's `signature_area` names; None when empty or not an area."""
    parts = (text or "").split()
    if len(parts) != 5:
        return None
    try:
        page = int(parts[0])
        x1, y1, x2, y2 = (float(part) for part in parts[1:])
    except ValueError:
        return None
    if page < 0 or not all(math.isfinite(v) for v in (x1, y1, x2, y2)):
        return None
    if x2 <= x1 or y2 <= y1:
        return None
    return Area(page, x1, y1, x2, y2)


def area_text(area: Area) -> str:
    # Rounded inwards to a hundredth of a point: the stored box never reaches past the block.
    return " ".join(
        [
            str(area.page),
            f"{math.ceil(area.x1 * 100) / 100:.2f}",
            f"{math.ceil(area.y1 * 100) / 100:.2f}",
            f"{math.floor(area.x2 * 100) / 100:.2f}",
            f"{math.floor(area.y2 * 100) / 100:.2f}",
        ]
    )


def rows_for(count: int) -> int:
    return math.ceil(count / COLUMNS) if count > 0 else 0


def area_height_mm(count: int) -> float:
    """The height a final document reserves for `count` signers' stamps; 0 for none."""
    rows = min(rows_for(count), MAX_ROWS)
    return rows * CELL_HEIGHT_MM + max(rows - 1, 0) * ROW_GAP_MM


def cell(area: Area, index: int, count: int) -> tuple[int, float, float, float, float]:
    """The box (page, x1, y1, x2, y2) of signature `index` (from 0) of `count`.

    Cells keep their size and never leave the area: in an area smaller than `count`
    needs (reserved for fewer signers) they shrink to fit.
    """
    if not 0 <= index < count:
        raise ValueError(f"signature {index} of {count}")
    rows = rows_for(count)
    row, column = divmod(index, COLUMNS)
    column_gap = COLUMN_GAP_MM * POINTS_PER_MM
    row_gap = ROW_GAP_MM * POINTS_PER_MM
    width = min(CELL_WIDTH_MM * POINTS_PER_MM, (area.x2 - area.x1 - column_gap) / COLUMNS)
    height = min(CELL_HEIGHT_MM * POINTS_PER_MM, (area.y2 - area.y1 - (rows - 1) * row_gap) / rows)
    centre = (area.x1 + area.x2) / 2
    if index == count - 1 and column == 0:  # the last one, alone on its row
        left = centre - width / 2
    else:
        left = centre - (COLUMNS * width + (COLUMNS - 1) * column_gap) / 2
        left += column * (width + column_gap)
    top = area.y2 - row * (height + row_gap)
    return (area.page, left, top - height, left + width, top)


def signer_count(kind: str, context: Any) -> int:
    """How many signers sign the final document of this kind: the names it prints.

    `context` is the document's context (app.documents.render.build_context): the
    notulen's note-taker and chair; the berita acara's parties, then those who sign
    "Mengetahui" (templates/documents/berita_acara.html); the laporan's one signer.
    A blank name (a dotted line on paper) has no one to sign it.
    """
    if kind == "minutes":
        names = [context.meeting.notetaker_name, context.meeting.chair_name]
    elif kind == "berita_acara":
        names = [party.name for party in (*context.parties, *context.acknowledging)]
    elif kind == "laporan":
        names = [context.signer.name]
    else:
        names = []
    return sum(1 for name in names if (name or "").strip())

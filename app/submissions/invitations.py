"""An invitee's personal link: the form opens with their details filled in."""

import re

from app.models import Attendee
from app.submissions.forms import SubmissionForm
from app.submissions.services import FormChoices


def fold_for_match(text: str) -> str:
    """Case, punctuation and spacing do not count: "Kel. Kraton  Lor" is "kel kraton lor"."""
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def prefill(form: SubmissionForm, line: Attendee, choices: FormChoices) -> None:
    """Name, position and phone as invited; the role and unit read from the unit's name.

    A unit that names a kelurahan, a kecamatan or an agency picks that role and that
    unit; any other unit is a stakeholder's organisation. Nothing is fixed: the
    participant may change every field before sending.
    """
    form.invitation.data = line.invitation_token
    form.submitter_name.data = line.name
    form.position.data = line.position
    form.phone.data = line.phone
    unit = fold_for_match(line.unit)
    if not unit:
        return
    for kecamatan in choices.kecamatan:
        for kelurahan in kecamatan.kelurahan:
            if unit in (
                fold_for_match(kelurahan.name),
                fold_for_match(f"kelurahan {kelurahan.name}"),
            ):
                form.role.data, form.unit_kelurahan.data = "lurah", str(kelurahan.id)
                return
    for kecamatan in choices.kecamatan:
        if unit in (fold_for_match(kecamatan.name), fold_for_match(f"kecamatan {kecamatan.name}")):
            form.role.data, form.unit_kecamatan.data = "camat", str(kecamatan.id)
            return
    for agency in choices.agencies:
        if unit in (fold_for_match(agency.abbreviation), fold_for_match(agency.name)):
            form.role.data, form.unit_agency.data = "opd", str(agency.id)
            return
    form.role.data, form.unit_organisation.data = "stakeholder", line.unit

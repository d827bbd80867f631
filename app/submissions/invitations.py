"""An invitee's personal link: the form opens with their details filled in.

The invitation list is typed by people, not picked from the reference data, so a unit
comes written many ways: "Krapyak", "Kel. Krapyak", "Kelurahan Krapyak Kota Pekalongan",
"Kec. Pekalongan Barat", "Dinas Sosial P2KB", "Dinsos P2KB", "BAPPEDA". `guess_unit`
reads such a text as the form's role and unit; the same reading tells the invitation
page which input an invitee sent when they did not use their link.
"""

import re
from dataclasses import dataclass

from app.models import Attendee
from app.submissions.forms import SubmissionForm
from app.submissions.services import FormChoices

# Words that open a kelurahan's or a kecamatan's name in a list ("Kel. Krapyak"); a
# regency's lists say desa.
KELURAHAN_WORDS = ("kelurahan", "kel", "kalurahan", "desa", "ds")
KECAMATAN_WORDS = ("kecamatan", "kec")
# "Kantor Kelurahan Krapyak", "Pemerintah Kecamatan ..." name the same unit.
OFFICE_WORDS = ("kantor", "pemerintah")
# "... Kota Pekalongan", "... Kab. Batang": the city is every unit's, so it says nothing.
PLACE_TAIL = re.compile(r" (?:kota|kabupaten|kab) [^ ].*$")
# An agency's usual short name: "Dinas Sosial" is "Dinsos", "Dinas Kesehatan" "Dinkes".
AGENCY_SHORT = {"dinas": "din"}


def fold_for_match(text: str) -> str:
    """Case, punctuation and spacing do not count: "Kel. Kraton  Lor" is "kel kraton lor"."""
    return " ".join(re.sub(r"[^\w]+", " ", (text or "").casefold()).split())


def compact(folded: str) -> str:
    """ "Sapuro Kebulen" and "Sapurokebulen" are one kelurahan: the spaces go too."""
    return folded.replace(" ", "")


@dataclass(frozen=True)
class UnitGuess:
    """The role and unit the form takes for a unit typed as text."""

    role: str
    kelurahan_id: int | None = None
    kecamatan_id: int | None = None
    agency_id: int | None = None
    organisation: str = ""


def readings(unit: str) -> list[str]:
    """The unit as folded text, without an office word in front or the city at the end."""
    text = fold_for_match(unit)
    found = [text]
    for word in OFFICE_WORDS:
        if text.startswith(word + " "):
            text = text[len(word) + 1 :]
            found.append(text)
    tail = PLACE_TAIL.sub("", text)
    if tail and tail != text:
        found.append(tail)
    return found


def after_word(text: str, words: tuple[str, ...]) -> str | None:
    for word in words:
        if text.startswith(word + " "):
            return text[len(word) + 1 :]
    return None


def kelurahan_named(name: str, choices: FormChoices, kecamatan: str = "") -> int | None:
    """The kelurahan of that name; with two of one name, the kecamatan decides."""
    found = [
        (kel.id, kec.name)
        for kec in choices.kecamatan
        for kel in kec.kelurahan
        if compact(fold_for_match(kel.name)) == compact(name)
    ]
    if kecamatan:
        found = [item for item in found if compact(fold_for_match(item[1])) == compact(kecamatan)]
    return found[0][0] if len(found) == 1 else None


def kecamatan_named(name: str, choices: FormChoices) -> int | None:
    found = [k.id for k in choices.kecamatan if compact(fold_for_match(k.name)) == compact(name)]
    return found[0] if len(found) == 1 else None


def as_region(text: str, choices: FormChoices, camat_first: bool) -> UnitGuess | None:
    """A kelurahan or a kecamatan, named with or without its word."""
    kelurahan = after_word(text, KELURAHAN_WORDS)
    if kelurahan is not None:
        # "Kelurahan Kauman Kecamatan Pekalongan Timur": two Kauman, one in that kecamatan.
        parts = re.split(r" (?:kecamatan|kec) ", kelurahan, maxsplit=1)
        name, kecamatan = parts[0], parts[1] if len(parts) > 1 else ""
        found = kelurahan_named(name, choices, kecamatan)
        return UnitGuess("lurah", kelurahan_id=found) if found else None
    kecamatan = after_word(text, KECAMATAN_WORDS)
    if kecamatan is not None:
        found = kecamatan_named(kecamatan, choices)
        return UnitGuess("camat", kecamatan_id=found) if found else None
    kelurahan_id, kecamatan_id = kelurahan_named(text, choices), kecamatan_named(text, choices)
    if kecamatan_id and (camat_first or not kelurahan_id):
        return UnitGuess("camat", kecamatan_id=kecamatan_id)
    if kelurahan_id:
        return UnitGuess("lurah", kelurahan_id=kelurahan_id)
    return None


def short_form(text: str) -> str:
    """ "dinas sosial p2kb" -> "dinsos p2kb": how agencies shorten their own names."""
    words = text.split()
    if len(words) >= 2 and words[0] in AGENCY_SHORT:
        return " ".join([AGENCY_SHORT[words[0]] + words[1][:3], *words[2:]])
    return text


def as_agency(text: str, choices: FormChoices) -> UnitGuess | None:
    """An agency by its short name or its full name, whole or by a beginning that only it
    has ("Dinsos", "Dinas Sosial"); nothing when two agencies could be meant."""
    names = [
        (agency.id, fold_for_match(agency.abbreviation), fold_for_match(agency.name))
        for agency in choices.agencies
    ]
    for typed in dict.fromkeys([text, short_form(text)]):
        exact = {
            agency_id
            for agency_id, short, full in names
            if compact(typed) in (compact(short), compact(full))
        }
        if len(exact) == 1:
            return UnitGuess("opd", agency_id=exact.pop())
    words, shortened = text.split(), short_form(text).split()
    beginning = {
        agency_id
        for agency_id, short, full in names
        if short.split()[: len(words)] == words
        or short.split()[: len(shortened)] == shortened
        or (len(words) >= 2 and full.split()[: len(words)] == words)
    }
    return UnitGuess("opd", agency_id=beginning.pop()) if len(beginning) == 1 else None


def guess_unit(unit: str, position: str, choices: FormChoices) -> UnitGuess | None:
    """The form's role and unit for an invitee's unit text; None when there is no unit.

    A unit that names a kelurahan, a kecamatan or an agency picks that role and unit;
    any other unit is a stakeholder's organisation. An empty unit is read from a
    position such as "Lurah Krapyak" or "Camat Pekalongan Barat".
    """
    role_word = fold_for_match(position).split()[:1]
    camat_first = role_word == ["camat"]
    if not fold_for_match(unit):
        held = fold_for_match(position)
        for word, role in (("lurah", "lurah"), ("camat", "camat")):
            if held.startswith(word + " "):
                for text in readings(held[len(word) + 1 :]):
                    guess = as_region(text, choices, camat_first=role == "camat")
                    if guess and guess.role == role:
                        return guess
        return None
    for text in readings(unit):
        guess = as_region(text, choices, camat_first) or as_agency(text, choices)
        if guess:
            return guess
    return UnitGuess("stakeholder", organisation=" ".join(unit.split()))


def prefill(form: SubmissionForm, line: Attendee, choices: FormChoices) -> None:
    """Name and position as invited; the role and unit read from the unit's name.

    Nothing is fixed: the participant may change every field before sending. The phone
    number stays out: whoever holds the link (a card left on a table, a forwarded
    message) would read it in the page, and it is personal data the public pages never
    show. The secretariat has it on the invitation line already.
    """
    form.invitation.data = line.invitation_token
    form.submitter_name.data = line.name
    form.position.data = line.position
    guess = guess_unit(line.unit, line.position, choices)
    if guess is None:
        return
    form.role.data = guess.role
    if guess.kelurahan_id:
        form.unit_kelurahan.data = str(guess.kelurahan_id)
    elif guess.kecamatan_id:
        form.unit_kecamatan.data = str(guess.kecamatan_id)
    elif guess.agency_id:
        form.unit_agency.data = str(guess.agency_id)
    else:
        form.unit_organisation.data = guess.organisation

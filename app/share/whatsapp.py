"""wa.me links the secretariat sends on WhatsApp: the text is filled in, the person picks
the chat. The text is in Indonesian whatever the language of the staff page: it goes to
the meeting's participants."""

from urllib.parse import quote

from flask_babel import gettext as _

from app.documents.formatting import document_locale
from app.i18n import long_date
from app.models import Meeting
from app.qr import public_meeting_url

WHATSAPP_SHARE = "https://wa.me/?text="


def share_href(message: str) -> str:
    return WHATSAPP_SHARE + quote(message, safe="")


def meeting_link_href(meeting: Meeting) -> str:
    """The invitation to give input: the meeting's title, its date and the form's address.

    The access code stays out: it is meant for the people in the room, and a message is
    forwarded further than a poster is seen.
    """
    with document_locale():
        message = _(
            "Sampaikan masukan untuk %(meeting)s, %(date)s, lewat formulir ini: %(address)s",
            meeting=meeting.title,
            date=long_date(meeting.date),
            address=public_meeting_url(meeting),
        )
    return share_href(message)

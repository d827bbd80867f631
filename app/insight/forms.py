"""The secretariat's theme forms. Every one posts with a CSRF token (BaseForm).

The rules (a theme of this meeting, a name's length, at least one theme to merge) are
the service's (app/insight/services.py); these forms only read what was sent.
"""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, InputRequired

from app.forms import BaseForm
from app.models.insight import THEME_LABEL_MAX
from app.review.forms import IdField, IdsField

NO_THEME = "none"


class RenameThemeForm(BaseForm):
    name = StringField(
        _l("Nama tema"),
        description=_l("Kosongkan untuk kembali ke nama hasil hitungan."),
        render_kw={"maxlength": THEME_LABEL_MAX},
    )


class MoveInputForm(BaseForm):
    """Move one input (a card on the theme page) to another theme, or out of every theme."""

    submission_id = IdField(validators=[InputRequired()])
    target = SelectField(
        _l("Pindahkan ke tema"),
        validate_choice=True,
        validators=[DataRequired(message=_l("Pilih tema tujuan."))],
    )

    def target_theme_id(self) -> int | None:
        return None if self.target.data == NO_THEME else int(self.target.data)


class MergeThemesForm(BaseForm):
    """The checked themes are folded into the theme whose page this is."""

    themes = IdsField(_l("Tema yang digabung ke tema ini"))

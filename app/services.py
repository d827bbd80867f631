"""What every area's services share: the one domain error and the transaction rule.

A service takes plain values and the acting user, checks its rules, and either
commits its whole change or raises `Refused` having changed nothing. The view
turns a refusal into words beside the field it names (`app.forms.show_refusal`)
or into a 4xx page; the message travels with the refusal, so a rule and its
words live in one place.
"""

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from app.extensions import db

P = ParamSpec("P")
R = TypeVar("R")


class Refused(Exception):
    """A rule refused a change. `code` names the rule, `field` the form field to blame.

    `message` is what the user reads (a lazy translation, so it is worded in the
    language of the page that shows it); `details` carries values a caller may
    need, such as the stored texts of an edit conflict.
    """

    def __init__(self, code: str, message=None, *, field: str | None = None, **details):
        super().__init__(code)
        self.code = code
        self.message = message if message is not None else code
        self.field = field
        self.details = details

    def __str__(self) -> str:
        return str(self.message)


def transaction(change: Callable[P, R]) -> Callable[P, R]:
    """Commit what `change` did when it returns; roll all of it back when it raises.

    Row locks taken inside are released either way, and a refused change leaves
    the session clean for the page that reports it.
    """

    @functools.wraps(change)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            result = change(*args, **kwargs)
            db.session.commit()
            return result
        except BaseException:
            db.session.rollback()
            raise

    return wrapped

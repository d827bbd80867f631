from flask import Blueprint

bp = Blueprint("system", __name__)

from app.system import views  # noqa: E402,F401

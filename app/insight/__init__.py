"""Insight into many inputs: themes, pillar suggestions, and voice against need per kelurahan.

- themes.py: the text pipeline (Indonesian stemming, TF-IDF, clustering), pure functions.
- suggestions.py: a pillar classifier learnt from the secretariat's own tags.
- services.py: computing and storing both for a meeting; the secretariat's rename,
  move and merge, which survive the next computation.
- need.py, voice.py, geo.py: need figures per kelurahan, their import, and the map.
"""

from flask import Blueprint

bp = Blueprint("insight", __name__)

from app.insight import need_views, views  # noqa: E402,F401

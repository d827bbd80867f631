"""The agency's pages behind its update link, and the secretariat's list of links."""

from flask import abort

from app.agency_links import bp


@bp.get("/tl/<token>")
def open_link(token: str):
    abort(404)

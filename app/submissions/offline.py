"""The input form's service worker, served from the site's root so that its scope covers
the form (/m/<code>) and the receipt (/receipt/<code>).

A service worker's scope cannot reach above the folder it is served from unless the
server allows it, so the file in static/js/ is served here rather than under /static/.
The worker keeps the form page and its assets for a reload without network, and a send
that finds no network in a queue on the phone (static/js/sw.js, static/js/form.js).
"""

from flask import current_app, send_from_directory

from app.submissions import bp


@bp.get("/sw.js")
def service_worker():
    response = send_from_directory(
        current_app.static_folder, "js/sw.js", mimetype="text/javascript", max_age=0
    )
    # The browser checks the worker for an update on each visit; never an old copy.
    response.headers["Cache-Control"] = "no-cache"
    return response

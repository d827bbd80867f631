"""The document worker: `rq worker -w app.reports.worker.DocumentWorker rakor-documents`.

RQ forks a fresh process (a "work horse") for every job. A plain worker's horse
starts cold: it makes the app, compiles the documents' templates and loads the
fonts before the first page, about a tenth of a second that a short minutes
render pays every time (docs/PERFORMANCE.md, "first" against "later" renders).
This worker does that once, in its own process, before it takes any job; every
horse forked from it starts warm. The warm-up touches no database (a forked
connection would be shared by two processes) and renders nothing a user sees.
"""

from rq import Worker

from app.pdf import render_pdf
from app.reports.jobs import worker_app
from app.reports.render import FRAGMENT_LAYOUT, PDF_LAYOUT, TEMPLATES

# Enough of a document for WeasyPrint to load its stylesheets and the report's fonts.
WARM_UP_HTML = (
    '<html lang="id"><head><link rel="stylesheet" href="css/report.css"></head>'
    '<body class="report"><h1>Rakor</h1><p>Pemanasan: <b>1.500</b> <i>6,94</i></p></body></html>'
)


class DocumentWorker(Worker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        warm_up()


def warm_up() -> None:
    app = worker_app()
    with app.app_context():
        for name in (*TEMPLATES.values(), PDF_LAYOUT, FRAGMENT_LAYOUT):
            app.jinja_env.get_template(name)
        render_pdf(WARM_UP_HTML)

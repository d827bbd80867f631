"""Entry point for gunicorn (`wsgi:app`) and the Flask CLI (`flask --app wsgi`)."""

import gc

from dotenv import load_dotenv

load_dotenv()

from app import create_app  # noqa: E402  (the environment must be loaded first)

app = create_app()

# Everything made so far (modules, the app, its routes and templates) lives as long
# as the process: keep it out of the garbage collector's full passes, which
# otherwise walk it again and again and stall a request for tens of milliseconds.
gc.freeze()

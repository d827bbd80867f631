"""Entry point for gunicorn (`wsgi:app`) and the Flask CLI (`flask --app wsgi`)."""

from dotenv import load_dotenv

load_dotenv()

from app import create_app  # noqa: E402  (the environment must be loaded first)

app = create_app()

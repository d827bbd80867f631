from app import create_app


def test_healthz_answers_200_with_the_database_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    # A SQLite file in a folder that does not exist cannot be opened: a dead database.
    unreachable = tmp_path / "missing-folder" / "rakor.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{unreachable}"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "unreachable"}


def test_a_page_needing_the_database_says_so_in_indonesian_when_it_is_down(tmp_path):
    unreachable = tmp_path / "missing-folder" / "rakor.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{unreachable}"})
    response = app.test_client().get("/")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "Layanan sedang tidak tersedia" in page
    assert "Traceback" not in page

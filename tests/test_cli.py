"""The command-line contract the README promises: seed, demo and users create."""

from decimal import Decimal

from app.extensions import db
from app.models import (
    Indicator,
    IndicatorValue,
    Kecamatan,
    Kelurahan,
    Pillar,
    Program,
    User,
)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_seed_loads_pekalongan_and_is_idempotent(app, runner):
    for _ in range(2):
        result = runner.invoke(args=["seed"])
        assert result.exit_code == 0, result.output
    assert "27 kelurahan" in result.output
    assert count(app, Kecamatan) == 4
    assert count(app, Kelurahan) == 27
    assert count(app, Pillar) == 4
    assert count(app, Program) == 12
    with app.app_context():
        utara = db.session.scalar(db.select(Kecamatan).filter_by(name="Pekalongan Utara"))
        assert [k.name for k in utara.kelurahan][:2] == ["Bandengan", "Degayu"]
        p0 = db.session.scalar(db.select(Indicator))
        values = {v.year: (v.target, v.actual) for v in p0.values}
        assert values[2021] == (Decimal("6.94"), Decimal("7.59"))
        assert values[2026] == (Decimal("5.89"), None)


def test_seed_keeps_an_actual_figure_entered_later(app, runner):
    with app.app_context():
        value = db.session.scalar(db.select(IndicatorValue).filter_by(year=2024))
        value.actual = Decimal("6.52")
        db.session.commit()
    assert runner.invoke(args=["seed"]).exit_code == 0
    with app.app_context():
        value = db.session.scalar(db.select(IndicatorValue).filter_by(year=2024))
        assert value.actual == Decimal("6.52")


def test_users_create_reads_the_password_from_stdin(app, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Notulis@Bappeda.test",
            "--name",
            "Dian Permatasari",
            "--role",
            "secretariat",
            "--password-stdin",
        ],
        input="jlamprang-rakor-99\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(email="notulis@bappeda.test"))
        assert user.name == "Dian Permatasari"
        assert user.password_hash.startswith("scrypt:")
        assert user.check_password("jlamprang-rakor-99")


def test_users_create_refuses_weak_passwords_and_duplicates(app, runner):
    def create(email, password):
        return runner.invoke(
            args=["users", "create", email, "--name", "X", "--role", "viewer", "--password-stdin"],
            input=password + "\n",
        )

    assert "at least 8 characters" in create("a@b.test", "pendek").output
    assert "too common" in create("a@b.test", "password123").output
    assert create("a@b.test", "cukup-panjang-1").exit_code == 0
    duplicate = create("A@B.test", "cukup-panjang-2")
    assert duplicate.exit_code != 0
    assert "already exists" in duplicate.output
    assert count(app, User) == 1


def test_no_account_exists_without_the_demo(app):
    assert count(app, User) == 0


def test_the_demo_refuses_a_production_database_unless_its_password_is_given(app, runner):
    app.config["RAKOR_ENV"] = "production"
    refused = runner.invoke(args=["demo"])
    assert refused.exit_code != 0
    assert "refusing to create the demo accounts" in refused.output
    assert count(app, User) == 0

    app.config["RAKOR_DEMO_PASSWORD"] = "sandi-uji-yang-panjang"
    accepted = runner.invoke(args=["demo"])
    assert accepted.exit_code == 0
    assert "sekretariat@rakor.test / sandi-uji-yang-panjang" in accepted.output

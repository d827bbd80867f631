"""The admin's account screens: list, create, change name and role, reset, (de)activate."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from app.auth.access import ADMIN, current_actor, role_required
from app.extensions import db
from app.forms import error_summary, show_refusal
from app.models import User
from app.services import Refused
from app.users import bp, services
from app.users.forms import (
    NewUserForm,
    PasswordResetForm,
    UserForm,
    chosen_agency,
    set_agency_choices,
)


@bp.get("/users/")
@role_required(*ADMIN)
def index():
    return render_template("users/index.html", rows=services.users_overview())


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(*ADMIN)
def create():
    form = NewUserForm()
    set_agency_choices(form, services.agency_choices())
    if form.validate_on_submit():
        try:
            user = services.create_account(
                current_actor(),
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                password=form.password.data,
                agency_id=chosen_agency(form),
            )
        except Refused as refused:
            show_refusal(form, refused)
        else:
            flash(_("Akun %(email)s dibuat.", email=user.email), "info")
            return redirect(url_for("users.index"), code=303)
    return render_template(
        "users/new.html", form=form, errors=error_summary(form)
    ), 422 if form.errors else 200


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required(*ADMIN)
def edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user, agency=str(user.agency_id or ""))
    set_agency_choices(form, services.agency_choices(user.agency_id))
    if form.validate_on_submit():
        try:
            services.update_account(
                current_actor(),
                user,
                name=form.name.data,
                role=form.role.data,
                agency_id=chosen_agency(form),
            )
        except Refused as refused:
            show_refusal(form, refused)
        else:
            flash(_("Data akun %(email)s disimpan.", email=user.email), "info")
            return redirect(url_for("users.index"), code=303)
    return user_page(user, form, status=422 if form.errors else 200)


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@role_required(*ADMIN)
def reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        own_account = user.id == current_user.id
        try:
            services.reset_password(current_actor(), user, form.password.data)
        except Refused as refused:
            show_refusal(form, refused)
        else:
            if own_account:
                # The reset ended every session of the account, this one too: start afresh.
                login_user(user)
            flash(
                _(
                    "Kata sandi %(email)s diganti. Semua sesi akun itu sudah diakhiri.",
                    email=user.email,
                ),
                "info",
            )
            return redirect(url_for("users.edit", user_id=user.id), code=303)
    return render_template(
        "users/password.html", user=user, form=form, errors=error_summary(form)
    ), 422 if form.errors else 200


@bp.post("/users/<int:user_id>/deactivate")
@role_required(*ADMIN)
def deactivate(user_id: int):
    user = db.get_or_404(User, user_id)
    try:
        services.deactivate(current_actor(), user)
    except Refused as refused:
        form = UserForm(obj=user, agency=str(user.agency_id or ""))
        set_agency_choices(form, services.agency_choices(user.agency_id))
        return user_page(user, form, status=409, refusal=str(refused))
    flash(_("Akun %(email)s dinonaktifkan dan semua sesinya diakhiri.", email=user.email), "info")
    return redirect(url_for("users.index"), code=303)


@bp.post("/users/<int:user_id>/reactivate")
@role_required(*ADMIN)
def reactivate(user_id: int):
    user = db.get_or_404(User, user_id)
    services.reactivate(current_actor(), user)
    flash(_("Akun %(email)s aktif kembali.", email=user.email), "info")
    return redirect(url_for("users.index"), code=303)


# --- helpers ----------------------------------------------------------------------------


def user_page(user: User, form: UserForm, *, status: int, refusal: str | None = None):
    return render_template(
        "users/edit.html",
        user=user,
        form=form,
        locked=services.is_locked(user),
        errors=error_summary(form),
        refusal=refusal,
    ), status

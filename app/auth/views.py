"""Sign-in, sign-out and changing one's own password.

Failed attempts, at sign-in or as a wrong current password, are slowed per account
and per client.
"""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import bp, services
from app.auth.access import current_actor, home_url
from app.auth.forms import ChangePasswordForm, LoginForm, LogoutForm
from app.extensions import limiter
from app.forms import error_summary, show_refusal
from app.services import Refused
from app.urls import safe_next


def login_rate_limit() -> str:
    return current_app.config["RAKOR_LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), home_url()))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except Refused as refused:
            show_refusal(form, refused)
        else:
            # A fresh session on every sign-in, with the new token authenticate made:
            # nothing from before survives it.
            session.clear()
            login_user(user)
            return redirect(safe_next(request.args.get("next"), home_url()))
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        services.sign_out(current_actor())
        logout_user()
        session.clear()
        flash(_("Anda sudah keluar."), "info")
    response = redirect(url_for("auth.login"))
    # Whatever staff pages the browser kept are dropped with the session.
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(login_rate_limit, methods=["POST"])
def change_password():
    """Every role changes its own password here, after typing the current one."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_actor()
        try:
            services.change_password(user, form.current_password.data, form.password.data)
        except Refused as refused:
            if refused.code == "locked":
                logout_user()
                session.clear()
                flash(str(refused), "warning")
                return redirect(url_for("auth.login"), code=303)
            show_refusal(form, refused)
        else:
            # The account's other sessions ended; this one goes on.
            flash(_("Kata sandi Anda sudah diganti. Sesi di perangkat lain diakhiri."), "info")
            return redirect(home_url(), code=303)
    status = 422 if form.errors else 200
    return render_template("auth/password.html", form=form, errors=error_summary(form)), status

"""Site settings for admins."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from webapp import audit, settings
from webapp.dashboard.blueprint import bp
from webapp.dashboard.forms import SettingsForm, format_patterns, parse_patterns
from webapp.edit_forms import edit_form
from webapp.security import roles_required
from webapp.transaction import commit_or_show


@bp.route("/settings", methods=["GET", "POST"])
@roles_required("admin")
def site_settings() -> ResponseReturnValue:
    effective = settings.current()
    form = edit_form(
        SettingsForm,
        {
            "community_name": effective.community_name,
            "default_timezone": effective.default_timezone,
            "mail_sender": effective.mail_sender,
            "feed_past_months": effective.feed_past_months,
            "reference_patterns": format_patterns(effective.reference_patterns),
        },
    )
    if form.validate_on_submit():
        values = {
            "community_name": (form.community_name.data or "").strip(),
            "default_timezone": (form.default_timezone.data or "").strip(),
            "mail_sender": (form.mail_sender.data or "").strip(),
            "feed_past_months": form.feed_past_months.data,
            "reference_patterns": parse_patterns(form.reference_patterns.data or ""),
        }
        before = {
            "community_name": effective.community_name,
            "default_timezone": effective.default_timezone,
            "mail_sender": effective.mail_sender,
            "feed_past_months": effective.feed_past_months,
            "reference_patterns": effective.reference_patterns,
        }

        def save() -> None:
            settings.save(values)
            audit.record(
                audit.Actor.current(),
                "settings.update",
                "settings",
                1,
                "site settings",
                audit.diff(before, values),
            )

        if commit_or_show(save, form=form).ok:
            flash("Settings saved.", "success")
            return redirect(url_for("dashboard.site_settings"))
    return render_template("dashboard/settings.html", form=form)

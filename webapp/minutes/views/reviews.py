"""The review queue of a series: the list, adding, editing and reordering reviews."""

from __future__ import annotations

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from wtforms.fields.choices import SelectChoice

from webapp import audit, clock
from webapp.edit_forms import edit_form
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.meetings.schedule import ScheduleError
from webapp.minutes import services as svc
from webapp.minutes.forms import ReviewForm
from webapp.minutes.views.helpers import EDITORS, back, bp, people_names, series_or_404
from webapp.models import Person, Review, Series
from webapp.security import public, roles_required
from webapp.transaction import commit_or_show


@bp.route("/series/<slug>/reviews")
@public
def reviews(slug: str) -> ResponseReturnValue:
    series = series_or_404(slug)
    return render_template("minutes/reviews.html", series=series, tree=svc.review_tree(series))


def _review_form(series: Series, review: Review | None) -> ReviewForm:
    form = (
        ReviewForm()
        if review is None
        else edit_form(
            ReviewForm,
            {
                "url": review.url,
                "title": review.title,
                "author": review.author.name if review.author else "",
                "parent": review.parent_id or 0,
                "state": review.state,
                "day": None,
            },
        )
    )
    others = [r for r in svc.reviews_of(series) if review is None or r.id != review.id]
    form.parent.choices = [SelectChoice(0, "— none (top of a stack or a single review) —")] + [
        SelectChoice(r.id, f"{r.title} ({r.url})") for r in others
    ]
    return form


def _author(name: str, actor: audit.Actor) -> Person | None:
    return svc.person_for(name, actor)[0] if name.strip() else None


@bp.route("/series/<slug>/reviews/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def review_new(slug: str) -> ResponseReturnValue:
    series = series_or_404(slug)
    form = _review_form(series, None)
    upcoming = meetings.next_occurrence(series, clock.now())
    if request.method == "GET" and upcoming is not None:
        form.day.data = upcoming.original_date
    if form.validate_on_submit():
        actor = audit.Actor.current()
        parent = db.session.get(Review, form.parent.data) if form.parent.data else None
        day = form.day.data or (upcoming.original_date if upcoming else None)

        def add() -> Review:
            if day is None:
                raise svc.MinutesError("say for which meeting the review is listed")
            return svc.add_review(
                series,
                day,
                form.url.data or "",
                form.title.data or "",
                actor,
                author=_author(form.author.data or "", actor),
                parent=parent,
                state=form.state.data or "open",
            )

        refused = (svc.MinutesError, ScheduleError)
        if commit_or_show(add, form=form, field="url", refused=refused).ok:
            flash("Review added to the queue.", "success")
            return redirect(url_for("minutes.reviews", slug=slug))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "minutes/review_form.html",
        form=form,
        series=series,
        review=None,
        people_names=people_names(),
    ), status


@bp.route("/reviews/<int:review_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def review_edit(review_id: int) -> ResponseReturnValue:
    review = db.get_or_404(Review, review_id)
    series = db.get_or_404(Series, review.series_id)
    form = _review_form(series, review)
    del form.url, form.day
    if form.validate_on_submit():
        actor = audit.Actor.current()
        parent = db.session.get(Review, form.parent.data) if form.parent.data else None

        def change() -> None:
            svc.update_review(
                review,
                series,
                actor,
                title=form.title.data or "",
                state=form.state.data or "open",
                author=_author(form.author.data or "", actor),
                parent=parent,
            )

        if commit_or_show(change, form=form, field="parent", refused=(svc.MinutesError,)).ok:
            flash("Review saved.", "success")
            return redirect(url_for("minutes.reviews", slug=series.slug))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "minutes/review_form.html",
        form=form,
        series=series,
        review=review,
        people_names=people_names(),
    ), status


@bp.route("/reviews/<int:review_id>/move", methods=["POST"])
@roles_required(*EDITORS)
def review_move(review_id: int) -> ResponseReturnValue:
    review = db.get_or_404(Review, review_id)
    series = db.get_or_404(Series, review.series_id)
    direction = request.form.get("direction", "")
    commit_or_show(lambda: svc.move_review(review, direction, audit.Actor.current()))
    return back(url_for("minutes.reviews", slug=series.slug))

"""Themes and pillar suggestions on a fixed set of inputs.

The inputs are the kind a Pekalongan rakor gets: the same request in other words, with
typos and spelling variants (one theme), and proposals on other subjects (other themes).
"""

import json

import pytest
from sqlalchemy import select

from app.extensions import db
from app.insight import services
from app.insight.suggestions import suggest_pillars
from app.insight.themes import Text, find_themes
from app.models import AuditEvent, Pillar, Submission, SubmissionInsight, Theme
from app.services import Refused
from config import BASE_DIR
from tests.helpers import ENTOK, INPUTS, PBI, add_submission


def texts() -> list[Text]:
    return [Text(number, *INPUTS[key]) for number, key in enumerate(INPUTS)]


def groups_by_key() -> list[set[str]]:
    keys = list(INPUTS)
    return [{keys[i] for i in ids} for ids, _ in find_themes(texts())]


def test_near_identical_inputs_share_a_theme_and_different_ones_do_not():
    groups = groups_by_key()
    assert ENTOK in groups
    assert PBI in groups
    for key in ("kapal", "jahit", "rob"):
        assert not any(key in group for group in groups), key


def test_a_theme_is_labelled_by_its_own_words_and_represented_by_one_of_its_inputs():
    keys = list(INPUTS)
    for ids, description in find_themes(texts()):
        members = {keys[i] for i in ids}
        assert description.representative_id in ids
        words = set(description.label.replace(",", "").split())
        if members == ENTOK:
            assert words & {"bibit", "entok"}, description.label
        if members == PBI:
            assert words & {"pbi", "jkn", "nonaktif"}, description.label


def test_the_themes_do_not_depend_on_input_order():
    forward = groups_by_key()
    keys = list(INPUTS)
    backward = find_themes(list(reversed(texts())))
    assert sorted(map(sorted, forward)) == sorted(
        sorted(keys[i] for i in ids) for ids, _ in backward
    )


@pytest.fixture
def themed(app, meeting):
    ids = {
        key: add_submission(app, meeting.id, minute=n, title=title, description=text)
        for n, (key, (title, text)) in enumerate(INPUTS.items())
    }
    with app.app_context():
        services.recompute(meeting.id)
    return ids


def theme_of(app, submission_id: int) -> Theme | None:
    with app.app_context():
        insight = db.session.get(SubmissionInsight, submission_id)
        return insight.theme if insight else None


def test_recompute_stores_the_themes_with_their_inputs(app, meeting, themed):
    with app.app_context():
        views = services.meeting_themes(meeting.id)
        sizes = sorted(view.size for view in views)
        assert sizes == [3, 3]
        entok = next(view for view in views if themed["entok1"] in view.member_ids)
        assert set(entok.member_ids) == {themed[k] for k in ENTOK}
        assert entok.pillars[0].label == "P1" and entok.pillars[0].count == 3
        assert entok.representative_title in {INPUTS[k][0] for k in ENTOK}
    assert theme_of(app, themed["kapal"]) is None


def test_a_rename_and_a_move_survive_recomputing_with_new_input(app, meeting, themed, staff):
    with app.app_context():
        secretariat = db.session.get(type(staff_user(app, staff)), staff["secretariat"])
        entok = theme_of(app, themed["entok1"])
        pbi = theme_of(app, themed["pbi1"])
        services.rename_theme(meeting.id, entok.id, "Ternak entok gagal", secretariat)
        # The secretariat decides the boats belong with the PBI theme (pinned there).
        services.move_input(meeting.id, themed["kapal"], pbi.id, secretariat)

    late = add_submission(
        app,
        meeting.id,
        minute=30,
        title="Pakan bibit entok bantuan kurang",
        description="Bibit entok bantuan mati karena pakan kurang; perlu pendampingan peternak.",
    )
    with app.app_context():
        services.recompute(meeting.id)
        entok_after = theme_of(app, themed["entok1"])
        assert entok_after.id == entok.id
        assert entok_after.name == "Ternak entok gagal"
        assert theme_of(app, late).id == entok.id
        assert theme_of(app, themed["kapal"]).id == pbi.id
        assert db.session.get(SubmissionInsight, themed["kapal"]).theme_pinned
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert {"rename_theme", "move_to_theme", "recompute_themes"} <= set(actions)


def test_a_merge_survives_recomputing(app, meeting, themed, staff):
    with app.app_context():
        secretariat = staff_user(app, staff)
        entok = theme_of(app, themed["entok1"])
        pbi = theme_of(app, themed["pbi1"])
        services.merge_themes(meeting.id, entok.id, [pbi.id], secretariat)
        services.recompute(meeting.id)
        views = services.meeting_themes(meeting.id)
        assert len(views) == 1
        assert set(views[0].member_ids) == {themed[k] for k in ENTOK | PBI}
        assert db.session.get(Theme, pbi.id) is None


def test_edits_name_only_this_meetings_themes(app, meeting, make_meeting, themed, staff):
    other = make_meeting(code="lain2025", title="Rapat lain")
    with app.app_context():
        secretariat = staff_user(app, staff)
        entok = theme_of(app, themed["entok1"])
        with pytest.raises(Refused):
            services.rename_theme(other.id, entok.id, "Bukan tema rapat ini", secretariat)
        with pytest.raises(Refused):
            services.move_input(other.id, themed["pbi1"], entok.id, secretariat)
        assert db.session.get(Theme, entok.id).custom_label == ""


def test_a_suggestion_never_changes_a_tag(app, meeting, staff):
    """Twelve reviewed examples over two pillars teach the model; the tags stay as set."""
    with app.app_context():
        p1, p2 = (db.session.scalar(select(Pillar.id).filter_by(code=c)) for c in ("P1", "P2"))
    health = [INPUTS[k] for k in sorted(PBI)] * 3
    work = [INPUTS["jahit"], INPUTS["kapal"]] * 3 + [INPUTS["entok1"]] * 3
    ids = []
    for n, (title, text) in enumerate(health):
        ids.append(
            add_submission(
                app, meeting.id, n, title=title, description=text, pillar_id=p1, status="accepted"
            )
        )
    for n, (title, text) in enumerate(work):
        ids.append(
            add_submission(
                app,
                meeting.id,
                20 + n,
                title=title,
                description=text,
                pillar_id=p2,
                status="accepted",
            )
        )
    # A health input the participant tagged as P2 and nobody has reviewed.
    mistagged = add_submission(
        app, meeting.id, 40, title=INPUTS["pbi2"][0], description=INPUTS["pbi2"][1], pillar_id=p2
    )
    with app.app_context():
        before = dict(db.session.execute(select(Submission.id, Submission.pillar_id)).all())
        services.recompute(meeting.id)
        after = dict(db.session.execute(select(Submission.id, Submission.pillar_id)).all())
        assert before == after
        insight = db.session.get(SubmissionInsight, mistagged)
        assert insight.suggested_pillar_id == p1
        assert 0.5 < insight.suggestion_confidence <= 1
        queue = services.disagreements(meeting.id)
        assert mistagged in [item.submission.id for item in queue]
        assert db.session.get(Submission, mistagged).pillar_id == p2


def test_no_suggestion_from_too_few_reviewed_inputs(app, meeting, themed):
    with app.app_context():
        rows = db.session.scalars(select(SubmissionInsight)).all()
        assert rows and all(row.suggested_pillar_id is None for row in rows)


def test_documents_get_themes_before_anyone_computed_them(app, meeting):
    for n, (title, text) in enumerate(INPUTS.values()):
        add_submission(app, meeting.id, n, title=title, description=text)
    with app.app_context():
        views = services.document_themes(meeting.id)
        assert sorted(view.size for view in views) == [3, 3]
        assert all(view.id is None for view in views)
        assert db.session.scalar(select(Theme.id)) is None  # nothing stored


def staff_user(app, staff):
    from app.models import User

    return db.session.get(User, staff["secretariat"])


def test_the_themes_command_names_what_it_found(app, meeting, runner):
    for n, (title, text) in enumerate(INPUTS.values()):
        add_submission(app, meeting.id, n, title=title, description=text)
    result = runner.invoke(args=["themes", meeting.code])
    assert result.exit_code == 0, result.output
    assert "2 themes holding 6 inputs" in result.output
    missing = runner.invoke(args=["themes", "tidak-ada"])
    assert missing.exit_code != 0 and "no meeting with the code 'tidak-ada'" in missing.output


def test_a_finalised_meetings_themes_are_not_recomputed(app, make_meeting, runner):
    final = make_meeting(code="final2024", status="finalised")
    for n, (title, text) in enumerate(INPUTS.values()):
        add_submission(app, final.id, n, title=title, description=text)
    with app.app_context(), pytest.raises(Refused):
        services.recompute(final.id)
    result = runner.invoke(args=["themes", "final2024"])
    assert result.exit_code != 0 and "final2024 is finalised" in result.output
    with app.app_context():
        assert db.session.scalar(select(Theme.id)) is None


def test_an_input_without_words_joins_no_theme_and_breaks_nothing(app, meeting, themed):
    """Stop words and digits only: nothing to compare, so no theme (and no error)."""
    empty = add_submission(
        app, meeting.id, 40, title="Lain-lain", description="Tidak ada usulan lain. 2024 12"
    )
    with app.app_context():
        services.recompute(meeting.id)
        assert db.session.get(SubmissionInsight, empty).theme_id is None
        assert sorted(view.size for view in services.meeting_themes(meeting.id)) == [3, 3]
    assert find_themes([Text(1, "Lain-lain", "-"), Text(2, "dan atau", "12 34")]) == []


def test_a_renamed_theme_keeps_its_name_when_its_group_joins_another(
    app, meeting, themed, staff, monkeypatch
):
    with app.app_context():
        entok = theme_of(app, themed["entok1"])
        services.rename_theme(meeting.id, entok.id, "Ternak entok", staff_user(app, staff))
    keys = list(INPUTS)
    joined = sorted(keys.index(k) for k in ENTOK | PBI)
    # Whatever new input would make the two groups one: here the clustering says so.
    monkeypatch.setattr(services.TextModel, "groups", lambda self: [joined])
    with app.app_context():
        services.recompute(meeting.id)
        views = services.meeting_themes(meeting.id)
        assert [(view.id, view.name, view.size) for view in views] == [
            (entok.id, "Ternak entok", 6)
        ]


def test_examples_without_words_teach_nothing_and_break_nothing():
    examples = [(Text(n, "Lain-lain", "dan atau 12"), 1 + n % 2) for n in range(20)]
    assert suggest_pillars(examples, [Text(99, *INPUTS["kapal"])]) == {}


def test_suggestions_agree_with_the_secretariat_on_most_of_the_2024_demo():
    """Each input judged by a model that did not see it (docs/INSIGHT.md gives the figure)."""
    record = json.loads((BASE_DIR / "app/demo/rakor2024.json").read_text(encoding="utf-8"))
    examples = [
        (Text(n, item["title"], item["description"]), int(item["pillar"][1:]))
        for n, item in enumerate(record["submissions"])
    ]
    suggestions = suggest_pillars(examples, [text for text, _ in examples])
    agree = sum(suggestions[text.id].pillar_id == pillar for text, pillar in examples)
    assert agree / len(examples) >= 0.75, f"{agree} of {len(examples)}"
    sure = [
        suggestions[text.id].pillar_id == pillar
        for text, pillar in examples
        if suggestions[text.id].confidence >= services.DISAGREEMENT_CONFIDENCE
    ]
    assert sure and all(sure)


def test_merging_a_larger_theme_into_a_smaller_one_keeps_the_smaller_ones_inputs(
    app, meeting, themed, staff
):
    extra = add_submission(
        app, meeting.id, 50, title="PBI JKN nonaktif lagi", description=INPUTS["pbi1"][1]
    )
    with app.app_context():
        services.recompute(meeting.id)
        entok, pbi = theme_of(app, themed["entok1"]), theme_of(app, themed["pbi1"])
        assert theme_of(app, extra).id == pbi.id  # four inputs against three
        secretariat = staff_user(app, staff)
        services.rename_theme(meeting.id, entok.id, "Ternak dan kesehatan", secretariat)
        services.merge_themes(meeting.id, entok.id, [pbi.id], secretariat)
        services.recompute(meeting.id)
        views = services.meeting_themes(meeting.id)
        wanted = {themed[k] for k in ENTOK | PBI} | {extra}
        assert [(v.id, v.name, set(v.member_ids)) for v in views] == [
            (entok.id, "Ternak dan kesehatan", wanted)
        ]


def test_a_theme_that_is_most_of_the_meeting_still_has_a_name():
    road = "Jalan rusak berlubang di RW 03 perlu perbaikan"
    texts = [Text(n, road, road) for n in range(3)] + [Text(9, *INPUTS["kapal"])]
    [(ids, description)] = find_themes(texts)
    assert ids == [0, 1, 2] and description.label


def test_a_renamed_theme_lost_when_its_group_joins_another_is_named_in_the_audit(
    app, meeting, themed, staff, monkeypatch
):
    with app.app_context():
        secretariat = staff_user(app, staff)
        entok, pbi = theme_of(app, themed["entok1"]), theme_of(app, themed["pbi1"])
        services.rename_theme(meeting.id, entok.id, "Nama A", secretariat)
        services.rename_theme(meeting.id, pbi.id, "Nama B", secretariat)
    keys = list(INPUTS)
    joined = sorted(keys.index(k) for k in ENTOK | PBI)
    monkeypatch.setattr(services.TextModel, "groups", lambda self: [joined])
    with app.app_context():
        services.recompute(meeting.id)
        [kept] = services.meeting_themes(meeting.id)
        lost = "Nama B" if kept.name == "Nama A" else "Nama A"
        event = db.session.scalars(
            select(AuditEvent).filter_by(action="recompute_themes").order_by(AuditEvent.id.desc())
        ).first()
        assert event.after["removed_themes"] == [lost]


def test_input_arriving_while_themes_are_computed_is_stored_and_waits(
    app, meeting, themed, monkeypatch
):
    """No lock is held while computing: a participant's send goes through meanwhile."""
    arrived = []
    groups = services.TextModel.groups

    def groups_while_someone_sends(self):
        arrived.append(add_submission(app, meeting.id, 60, title="Masukan di tengah hitungan"))
        return groups(self)

    monkeypatch.setattr(services.TextModel, "groups", groups_while_someone_sends)
    with app.app_context():
        services.recompute(meeting.id)
        assert db.session.get(Submission, arrived[0]) is not None
        assert db.session.get(SubmissionInsight, arrived[0]) is None
        assert services.pending_inputs(meeting.id) == 1

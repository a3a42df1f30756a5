"""The clinic teaches triage: content and corrections retrain the stored engine every process uses."""
import json

from service.content.importer import DEMO_CONTENT_PATH, import_content_file
from service.extensions import db
from service.triage.learning import content_examples, is_stale, record_correction, retrain_if_stale
from service.triage.runtime import current_engine

# No topic cue at all: carrying shopping is itself a thoracic-outlet hint the base corpus knows.
NOVEL = "the zorblat twinge came back after my holiday"


def test_published_content_becomes_training_examples_but_drafts_do_not(app):
    import_content_file(DEMO_CONTENT_PATH)
    db.session.commit()
    examples = list(content_examples())
    assert {tag for _, tag in examples} == {"spine", "brain", "tos"}
    from service.content.models import Article

    article = db.session.execute(db.select(Article).limit(1)).scalar_one()
    article.status = "draft"
    db.session.commit()
    assert all(not text.startswith(article.title + ".") for text, _ in content_examples())


def test_coordinator_corrections_teach_the_engine_a_phrase_it_did_not_know(app, make_staff):
    coordinator = make_staff(email="coord@clinic.org", role="coordinator", specialties=())
    before = current_engine().classify(NOVEL)
    assert before.tag != "tos"
    for variant in ("my zorblat twinge is back", "zorblat twinge again today", "the zorblat twinge, what is it"):
        record_correction(text=variant, tag="tos", previous_tag=before.tag, staff=coordinator)
    db.session.commit()
    assert is_stale()

    assert retrain_if_stale() is not None
    assert current_engine().classify(NOVEL).tag == "tos"
    assert not is_stale()
    assert retrain_if_stale() is None, "nothing changed, so nothing is retrained"


def test_publishing_content_makes_the_engine_stale(app):
    retrain_if_stale()
    assert not is_stale()
    import_content_file(DEMO_CONTENT_PATH)
    db.session.commit()
    assert is_stale()


def test_cli_classify_answers_one_json_line_with_the_contract_keys(runner):
    result = runner.invoke(args=["triage", "classify", "pins and needles down my left leg since lifting a sofa"])
    assert result.exit_code == 0, result.output
    line = json.loads(result.output.strip().splitlines()[-1])
    assert set(line) == {"tag", "confidence", "urgent", "reasons"}
    assert line["tag"] == "spine" and 0 <= line["confidence"] <= 1


def test_cli_retrain_stores_an_engine_and_reports_what_it_learned_from(runner, app):
    import_content_file(DEMO_CONTENT_PATH)
    db.session.commit()
    result = runner.invoke(args=["triage", "retrain"])
    assert result.exit_code == 0, result.output
    assert "content" in result.output
    result = runner.invoke(args=["triage", "retrain", "--if-stale"])
    assert "up to date" in result.output


def test_beat_runs_the_retrain_task(app):
    schedule = app.extensions["celery"].conf.beat_schedule
    assert any(entry["task"] == "neurodesk.retrain_triage" for entry in schedule.values())
    from worker.tasks import retrain_triage

    assert retrain_triage.apply().get() is not None


def test_an_engine_stored_in_an_older_format_is_retrained_instead_of_used_or_crashed_on(app):
    import pickle

    import sklearn

    from service.triage.models import TrainedEngine

    retrain_if_stale()
    stored = db.session.execute(db.select(TrainedEngine).order_by(TrainedEngine.id.desc()).limit(1)).scalar_one()
    # What an engine from before the urgency model looks like to this code: readable, but format 1.
    stored.engine = pickle.dumps({"format": 1, "sklearn": sklearn.__version__, "engine": object()})
    db.session.commit()

    assert is_stale(), "content and corrections are unchanged, but the stored engine is unusable here"
    assert retrain_if_stale() is not None
    assert not is_stale()
    assert current_engine().classify("my legs are letting me down more every day, today I can't stand").urgent


def test_retraining_keeps_only_the_newest_few_stored_engines(app):
    from service.triage.learning import KEEP_ENGINES, retrain
    from service.triage.models import TrainedEngine

    ids = []
    for _ in range(KEEP_ENGINES + 2):
        ids.append(retrain().id)
        db.session.commit()
    kept = db.session.execute(db.select(TrainedEngine.id).order_by(TrainedEngine.id)).scalars().all()
    assert kept == ids[-KEEP_ENGINES:]
    assert current_engine().classify("cancel my appointment please").tag == "general"

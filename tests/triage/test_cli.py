"""`flask --app service triage ...` as the contract describes it, run through Flask's CLI runner."""

import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from service.triage.cli import triage


@pytest.fixture
def runner(engine) -> FlaskCliRunner:  # `engine` first, so the shared trained engine is warm
    app = Flask(__name__)
    app.cli.add_command(triage)
    return app.test_cli_runner()


def test_classify_prints_one_json_line(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["triage", "classify", "my hand goes dead when I hang washing"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1
    answer = json.loads(lines[0])
    assert list(answer) == ["tag", "confidence", "urgent", "reasons"]
    assert answer["tag"] == "tos" and 0 <= answer["confidence"] <= 1 and answer["urgent"] is False


def test_classify_reports_red_flag_reasons(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["triage", "classify", "Since this morning I can't feel my bottom and my back hurts"])
    answer = json.loads(result.output)
    assert answer["urgent"] is True and answer["reasons"][0].startswith("cauda equina")


def test_classify_jsonl_answers_each_line_in_order(runner: FlaskCliRunner, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"text": "what are your office hours", "id": 7}\n'
        "\n"
        '{"text": "first rib resection recovery time"}\n'
        '{"text": "sciatica down my left leg"}\n',
        encoding="utf-8",
    )
    result = runner.invoke(args=["triage", "classify", "--jsonl", str(source)])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["tag"] for line in result.output.splitlines()] == ["general", "tos", "spine"]


def test_classify_jsonl_names_the_bad_line_and_prints_nothing_else(runner: FlaskCliRunner, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "sciatica"}\n{"text": oops}\n', encoding="utf-8")
    result = runner.invoke(args=["triage", "classify", "--jsonl", str(source)])
    assert result.exit_code == 2
    assert "line 2: invalid JSON" in result.output
    assert '"tag"' not in result.output


def test_classify_needs_text_or_file(runner: FlaskCliRunner) -> None:
    assert runner.invoke(args=["triage", "classify"]).exit_code == 2


def test_eval_ends_with_the_summary_json(runner: FlaskCliRunner, tmp_path: Path) -> None:
    source = tmp_path / "eval.jsonl"
    rows = [
        {"text": "sciatica down my leg for weeks", "tag": "spine", "urgent": False},
        {"text": "I wet myself today and my back pain is terrible", "tag": "spine", "urgent": True},
        {"text": "can I pay my bill online", "tag": "general", "urgent": False},
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = runner.invoke(args=["triage", "eval", str(source)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["topic", "precision", "recall", "f1", "support"]
    summary = json.loads(lines[-1])
    assert list(summary) == ["n", "accuracy", "macro_f1", "urgent_recall", "urgent_precision"]
    assert summary["n"] == 3 and summary["urgent_recall"] == 1.0


def test_eval_rejects_an_unknown_tag(runner: FlaskCliRunner, tmp_path: Path) -> None:
    source = tmp_path / "eval.jsonl"
    source.write_text('{"text": "x", "tag": "knee", "urgent": false}\n', encoding="utf-8")
    result = runner.invoke(args=["triage", "eval", str(source)])
    assert result.exit_code == 2 and "line 1: tag must be one of" in result.output


def test_the_group_runs_without_a_flask_app(engine) -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(triage, ["classify", "shunt blocked again?"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["tag"] == "brain"

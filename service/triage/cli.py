"""`flask --app service triage ...`: classify messages and evaluate the engine from the shell.

The app mounts this group with `app.cli.add_command(triage)`; it needs no app context itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import IO

import click
from flask.cli import AppGroup

from service.triage.corpus import TOPICS

triage = AppGroup("triage", help="Triage patient messages: topic, confidence and red flags.")


def _read_jsonl(
    stream: IO[str], required: tuple[str, ...], check: Callable[[dict], str | None] = lambda row: None
) -> list[dict]:
    """All rows of a JSON Lines file, or a UsageError naming the first bad line (nothing is printed
    before the whole file has been read, so a bad line never leaves half an output)."""
    rows = []
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise click.UsageError(f"line {number}: invalid JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise click.UsageError(f"line {number}: expected a JSON object")
        missing = [key for key in required if key not in row]
        if missing:
            raise click.UsageError(f"line {number}: missing {', '.join(repr(k) for k in missing)}")
        problem = check(row)
        if problem:
            raise click.UsageError(f"line {number}: {problem}")
        rows.append(row)
    return rows


def _engine():
    # Imported here so `flask --help` does not import scikit-learn or train anything.
    from service.triage.runtime import current_engine

    return current_engine()


# with_appcontext=False: triage needs no app, so the group also runs outside `flask` (tests, scripts).
@triage.command("classify", with_appcontext=False)
@click.argument("text", required=False)
@click.option("--jsonl", "jsonl", type=click.File("r", encoding="utf-8"), help='File of {"text": ...} lines.')
def classify_command(text: str | None, jsonl: IO[str] | None) -> None:
    """Print {"tag", "confidence", "urgent", "reasons"} as one JSON line per message.

    With --jsonl FILE, one output line per non-blank input line, in order; extra keys are ignored.
    A line that is not a JSON object with "text" stops the command with its line number (exit 2).
    """
    if (text is None) == (jsonl is None):
        raise click.UsageError("give either TEXT or --jsonl FILE")
    texts = [text] if jsonl is None else [row["text"] for row in _read_jsonl(jsonl, ("text",))]
    engine = _engine()
    for message in texts:
        click.echo(json.dumps(engine.classify(message).as_json()))


def _check_tag(row: dict) -> str | None:
    return None if row["tag"] in TOPICS else f"tag must be one of {', '.join(TOPICS)}"


@triage.command("eval", with_appcontext=False)
@click.argument("file", type=click.File("r", encoding="utf-8"))
def eval_command(file: IO[str]) -> None:
    """Per-topic metrics for {"text", "tag", "urgent"} lines; the last line is one JSON summary."""
    from service.triage.evaluation import evaluate, format_report

    rows = _read_jsonl(file, ("text", "tag"), _check_tag)
    click.echo(format_report(evaluate(_engine(), rows)))


@triage.command("retrain")
@click.option("--if-stale", is_flag=True, help="Only when content or corrections changed since the last training.")
def retrain_command(if_stale: bool) -> None:
    """Train the engine on the base corpus, published content and corrections, and store it."""
    from service.extensions import db
    from service.triage.learning import is_stale, retrain

    if if_stale and not is_stale():
        click.echo("triage engine is up to date")
        return
    record = retrain()
    db.session.commit()
    click.echo(f"triage engine {record.id}: {record.content_examples} content and "
               f"{record.correction_examples} correction examples, {record.training_seconds}s")

"""`make run`: migrate, seed an empty database, then run web + Celery worker + beat together.

One Ctrl-C stops all three. Everything runs on the embedded defaults unless the
environment (or .env) names real servers.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def prepare() -> None:
    from flask_migrate import upgrade

    from service import create_app
    from service.seed import DEMO_PASSWORD, DEMO_STAFF, database_is_empty, seed

    app = create_app()
    with app.app_context():
        upgrade()
        if database_is_empty():
            for line in seed():
                print(f"seed: {line}")
        uri = app.config["SQLALCHEMY_DATABASE_URI"]
        broker = app.config["CELERY"]["broker_url"]
        mail = app.config["MAIL_SERVER"] or "dev mailbox (/desk/mail)"
    port = os.environ.get("PORT", "5000")
    base = f"http://127.0.0.1:{port}"
    print("\nneurodesk is starting")
    print(f"  site       {base}/")
    print(f"  ask        {base}/ask")
    print(f"  API        {base}/api/v1/articles  (OpenAPI: {base}/api/v1/openapi.json)")
    print(f"  desk       {base}/desk/login")
    print(f"  dev mail   {base}/desk/mail")
    print(f"  database   {uri.split('@')[-1]}")
    print(f"  broker     {broker.split('@')[-1]}")
    print(f"  mail       {mail}")
    print(f"  demo staff (password {DEMO_PASSWORD!r}):")
    for member in DEMO_STAFF:
        print(f"    {member['email']:<32} {member['role']}")
    print("  Ctrl-C stops everything.\n")


def main() -> int:
    os.chdir(ROOT)
    prepare()
    port = os.environ.get("PORT", "5000")
    instance = ROOT / "instance"
    commands = {
        "web": [str(BIN / "flask"), "--app", "service", "run", "--host", "127.0.0.1", "--port", port],
        "worker": [str(BIN / "celery"), "-A", "worker", "worker", "--loglevel", "INFO", "--concurrency", "2"],
        "beat": [str(BIN / "celery"), "-A", "worker", "beat", "--loglevel", "INFO",
                 "--schedule", str(instance / "celerybeat-schedule")],
    }
    processes = {name: subprocess.Popen(cmd, cwd=ROOT) for name, cmd in commands.items()}
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    try:
        while not stopping:
            for name, proc in processes.items():
                if proc.poll() is not None:
                    print(f"{name} exited with {proc.returncode}; stopping the rest", file=sys.stderr)
                    exit_code = proc.returncode or 1
                    stopping = True
            time.sleep(0.3)
    finally:
        for proc in processes.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in processes.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
    return exit_code


if __name__ == "__main__":
    sys.exit(main())

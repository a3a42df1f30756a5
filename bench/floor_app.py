"""The framework floor for bench/pages.py: a bare Flask view returning a 25 KB article from memory.

No database, no templates, no extensions: what Flask + gunicorn cost on this machine by
themselves. Our pages are measured as a fraction of this, in the same run.
"""
from flask import Flask

PARAGRAPH = (
    "<p>Spinal stenosis is a narrowing of the spaces within the spine, which can put pressure on "
    "the nerves that travel through it. It happens most often in the lower back and the neck. "
    "Some people have no symptoms; others have pain, tingling, numbness and weakness.</p>\n"
)
ARTICLE = (
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Spinal stenosis</title>"
    "</head><body><main><h1>Spinal stenosis</h1>\n"
    + PARAGRAPH * (25_000 // len(PARAGRAPH))
    + "</main></body></html>\n"
)

app = Flask(__name__)


@app.get("/")
def article() -> str:
    return ARTICLE

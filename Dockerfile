FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY worker ./worker
COPY templates ./templates
COPY migrations ./migrations
COPY gunicorn.conf.py ./
# Editable, so the app finds templates/ and migrations/ beside the code.
RUN pip install -e . && useradd --system --home /app neurodesk && mkdir -p /app/instance && chown neurodesk /app/instance
USER neurodesk
EXPOSE 8000
CMD ["gunicorn", "service.wsgi:app"]

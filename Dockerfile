# One image for web, worker and beat; docker-compose.yml chooses the command.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 portal

WORKDIR /app
COPY pyproject.toml ./
COPY portal ./portal
COPY trainings ./trainings
COPY verkenning ./verkenning
COPY werkplaats ./werkplaats
COPY signalen ./signalen
RUN pip install .
COPY . .
# collectstatic needs settings to load; the build-time key never reaches a running container.
RUN SECRET_KEY=build-only-$(python -c 'import secrets; print(secrets.token_hex(32))') \
    python manage.py collectstatic --no-input \
    && python manage.py compilemessages --ignore=.venv \
    && mkdir -p /app/media && chown portal:portal /app/media

USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]

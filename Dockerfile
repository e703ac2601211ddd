# One image for web, worker and beat; docker-compose.yml chooses the command. Every process
# starts through scripts/portal-run, the script CI's production smoke test runs too.
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
# The dependencies pyproject.toml names, in a layer of their own that code changes keep.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt
# The portal runs from /app. .dockerignore keeps out what production must not have: the demo
# package, tests and benchmarks (a test checks it against pyproject.toml's package list).
COPY . .
# collectstatic needs settings to load; the build-time keys never reach a running container.
RUN export SECRET_KEY="build-only-$(python -c 'import secrets; print(secrets.token_hex(32))')" \
    && export AUDIT_HMAC_KEY="build-only-$(python -c 'import secrets; print(secrets.token_hex(32))')" \
    && export MFA_ENCRYPTION_KEY="$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
    && scripts/portal-run collectstatic \
    && python manage.py compilemessages \
    && mkdir -p /app/media /app/private \
    && chown portal:portal /app/media /app/private

USER portal
EXPOSE 8000
CMD ["scripts/portal-run", "web"]

# One image for web (gunicorn), the Celery worker and Celery beat; docker-compose.yml picks
# the command. Static files are collected when the web container starts, not here: the
# production settings need SECRET_KEY and ALLOWED_HOSTS, which an image must not contain, and the
# manifest storage they use is what the files must be collected with.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_ENV=production

RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin portal

WORKDIR /app

# The dependencies first, from pyproject.toml alone, so that a change to the code reuses this
# layer. With no code copied yet the project itself installs empty; the next step replaces it.
COPY pyproject.toml ./
RUN pip install . && rm -rf build

# The code, installed in place (editable) rather than copied into site-packages: the settings
# find templates/ and static/ next to the packages, so the packages must run from /app.
COPY . .
RUN pip install --no-deps --editable . \
    && mkdir -p /app/media /app/private_media /app/staticfiles \
    && chown portal:portal /app/media /app/private_media /app/staticfiles

# The code stays root-owned and read-only to the process; it writes only uploads (a volume in
# compose) and the collected static files.
USER portal

EXPOSE 8000

# No HEALTHCHECK here: the worker and beat run from this image too and serve no HTTP. The web
# service's health check is in docker-compose.yml.
CMD ["gunicorn", "cluster_portal.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--worker-tmp-dir", "/dev/shm", "--access-logfile", "-"]

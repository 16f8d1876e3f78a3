# Flashdrop in a container: the bot runs as a non-root user, its SQLite file lives on the /data
# volume, the shipped decks are baked in at /app/decks (mount your own over them), and the token
# comes from DISCORD_TOKEN or a secret file named by DISCORD_TOKEN_FILE.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies and the package first, so editing a deck does not reinstall them.
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install . && rm -rf ./bot build

COPY decks ./decks
COPY docker/config.container.yaml ./config.yaml

RUN useradd --system --uid 10001 --no-create-home --home-dir /nonexistent flashdrop \
    && mkdir -p /data \
    && chown flashdrop /data
USER flashdrop
VOLUME ["/data"]

# Checks that the database opens and that the running bot touched its heartbeat recently.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot", "healthcheck"]

CMD ["python", "-m", "bot", "run"]

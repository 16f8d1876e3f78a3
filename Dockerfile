# Flashdrop in a container: the bot runs as a non-root user, its SQLite file lives on the /data
# volume, the shipped decks are baked in at /app/decks (mount your own over them), and the token
# comes from DISCORD_TOKEN or a secret file named by DISCORD_TOKEN_FILE.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, in a layer of their own: a code change does not reinstall them.
COPY pyproject.toml docker/install_dependencies.py ./
RUN python install_dependencies.py && rm install_dependencies.py

# Then the package alone (its dependencies are there), then the decks and config.
COPY README.md LICENSE ./
COPY bot ./bot
RUN pip install --no-deps . && rm -rf ./bot build

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

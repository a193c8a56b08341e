# One image for every newsmon service; docker-compose.yml runs it with a different command per service.
FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY newsmon ./newsmon
COPY services ./services
RUN pip install --no-cache-dir --upgrade pip==25.3 \
    && pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim-bookworm
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin newsmon
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
WORKDIR /app
COPY deploy ./deploy
USER newsmon
ENV PYTHONUNBUFFERED=1 \
    NEWSMON_LOGGING__FORMAT=json \
    NEWSMON_METRICS__HOST=0.0.0.0 \
    NEWSMON_METRICS__PORT=9400
EXPOSE 9400
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9400/healthz', timeout=4)"
ENTRYPOINT ["newsmon"]
CMD ["--help"]

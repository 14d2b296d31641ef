# Build the wheel once, then install that wheel (what tests/test_wheel.py installs and serves).
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY projections ./projections
COPY infrastructure ./infrastructure
COPY web ./web
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

COPY --from=build /wheels /wheels
RUN pip install /wheels/borderledger-*.whl \
    && rm -rf /wheels \
    && useradd --create-home --uid 10001 borderledger

USER borderledger
WORKDIR /home/borderledger
EXPOSE 8080
CMD ["borderledger", "serve", "--host", "0.0.0.0", "--port", "8080"]

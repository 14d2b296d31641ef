FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY projections ./projections
COPY infrastructure ./infrastructure
COPY web ./web
RUN pip install . \
    && useradd --create-home --uid 10001 borderledger

USER borderledger
WORKDIR /home/borderledger
EXPOSE 8080
CMD ["borderledger", "serve", "--host", "0.0.0.0", "--port", "8080"]

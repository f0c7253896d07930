# One pyredis image for every role of the seed (../shared/seed/): the same image runs a master, a
# replica (`pyredis-server --replicaof ...`) or a sentinel (`pyredis-sentinel <conf>`), as Redis's
# own image does. docker/replication and docker/sentinel hold the seed's compose files; docker/README.md
# walks through them.
#
#   docker build -t pyredis .
#   docker run --rm -p 6379:6379 pyredis                        # a server on 6379
#   docker run --rm -p 26379:26379 pyredis pyredis-sentinel     # a sentinel (config made from the template)
FROM python:3.11-slim

# redis-cli, so the seed's `docker exec -it redis-master redis-cli ...` steps work as written
RUN apt-get update \
    && apt-get install -y --no-install-recommends redis-tools \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYREDIS_SENTINEL_TEMPLATE=/etc/pyredis/sentinel.conf

# a regular (non-editable) install from the source tree; the tree itself is not kept
COPY pyproject.toml /tmp/pyredis-src/
COPY src /tmp/pyredis-src/src
RUN pip install /tmp/pyredis-src && rm -rf /tmp/pyredis-src

RUN groupadd --system pyredis \
    && useradd --system --gid pyredis --home-dir /data pyredis \
    && mkdir -p /data /etc/pyredis \
    && chown pyredis:pyredis /data

# the sentinel template: a sentinel rewrites its config file, so each container copies this one
# into its own writable /data/sentinel.conf at start (see docker/entrypoint.sh)
COPY docker/sentinel/sentinel.conf /etc/pyredis/sentinel.conf
COPY docker/entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN chmod 0755 /usr/local/bin/docker-entrypoint.sh && chmod 0644 /etc/pyredis/sentinel.conf

WORKDIR /data
USER pyredis

EXPOSE 6379 26379

ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["pyredis-server"]

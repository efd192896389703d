#!/bin/sh
# Entry point of the `db-replica` service (profile `cluster`): on first start, clones the primary `db`
# with pg_basebackup (-R writes standby.signal and primary_conninfo: a hot standby that follows the
# primary by streaming replication), then starts PostgreSQL read-only through the image's entrypoint.
set -e
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    until pg_isready -h db -U "$POSTGRES_USER" -q; do echo "replica: waiting for db"; sleep 2; done
    echo "replica: cloning db into $PGDATA"
    PGPASSWORD="$POSTGRES_PASSWORD" pg_basebackup -h db -U "$POSTGRES_USER" -D "$PGDATA" -R -X stream
    chown -R postgres:postgres "$PGDATA"
    chmod 700 "$PGDATA"
fi
exec docker-entrypoint.sh postgres -c hot_standby=on

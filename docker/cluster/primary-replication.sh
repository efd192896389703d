#!/bin/sh
# Runs once, when the `db` volume is first initialised (postgres image's /docker-entrypoint-initdb.d):
# lets the `db-replica` service of the `cluster` profile stream the WAL with the same password.
# PostgreSQL 16 already has wal_level = replica and max_wal_senders = 10 by default.
set -e
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"

#!/bin/sh
# `docker compose --profile test run --rm test`: the addons' tests under Odoo's own runner, inside the
# official image, in a throw-away database. The official image ships no Chromium, so browser tours
# are skipped here by Odoo; ./scripts/test on a machine with Chromium runs them.
set -e
DB="suite_test_$(date +%s)"
TAGS=/customer_unification,/crm_erp_bridge,/crm_erp_bridge_stock,/crm_erp_legacy_import,/warranty_management
status=0
odoo -c /etc/odoo/odoo.conf -d "$DB" --db-filter="^$DB\$" --http-port=8079 \
    -i customer_unification,crm_erp_bridge,warranty_management \
    --test-enable --test-tags "$TAGS" --stop-after-init || status=$?
python3 - "$DB" <<'PY' || true
import sys, psycopg2
conn = psycopg2.connect(host="db", user="odoo", password="odoo", dbname="postgres")
conn.autocommit = True
conn.cursor().execute('DROP DATABASE IF EXISTS "%s"' % sys.argv[1].replace('"', ""))
PY
exit $status

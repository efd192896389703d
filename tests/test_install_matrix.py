"""Each addon installs alone and all three together, with and without demo data, with a clean log.

The Inventory glue ``crm_erp_bridge_stock`` has no case of its own: it is auto-installed with
``warranty_management`` (which depends on ``sale_stock`` and the bridge), so those cases install it
with and without demo data, and the bridge's cases prove that the bridge alone pulls neither it
nor Inventory. The legacy history import ``crm_erp_legacy_import`` (glue of ``customer_unification`` and
``crm_erp_bridge``) is likewise auto-installed by the case with all three and pulled by neither addon alone.

Every case installs into a fresh database (so a missing dependency cannot hide behind another
addon's) and checks the module states, the demo flag and that the log has no WARNING/ERROR line
from our modules. The databases are dropped afterwards. Run through ./scripts/test, which
exports the SUITE_* variables describing the Odoo it found.
"""

import os
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from check_install_log import offending_lines  # noqa: E402

ADDONS = ("customer_unification", "crm_erp_bridge", "warranty_management")
#: the example customisation addon (examples/): installed with the three, without demo data, and its
#: tests run there (its overrides change the suite's rules, so it never joins the main test database)
EXAMPLE = "crm_erp_suite_custom_example"
#: the bridge's Inventory glue (auto_install: crm_erp_bridge + sale_stock)
GLUE = "crm_erp_bridge_stock"
#: the legacy history import (auto_install: customer_unification + crm_erp_bridge)
LEGACY = "crm_erp_legacy_import"
CASES = [
    *[((addon,), True) for addon in ADDONS],
    *[((addon,), False) for addon in ADDONS],
    ((*ADDONS, EXAMPLE), False),  # all three with demo data is the database the rest of the suite runs on
]


def _suite_env():
    names = ("SUITE_PYTHON", "SUITE_ODOO_BIN", "SUITE_ADDONS_PATH", "SUITE_DB", "SUITE_RUN_DIR")
    missing = [name for name in names if not os.environ.get(name)]
    if missing:
        pytest.fail("run these tests through ./scripts/test (missing %s)" % ", ".join(missing))
    return {name: os.environ[name] for name in names}


def _drop(dbname):
    conn = psycopg2.connect(dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (dbname,),
        )
        cr.execute('DROP DATABASE IF EXISTS "%s"' % dbname.replace('"', ""))
    conn.close()


@pytest.mark.parametrize(
    ("addons", "demo"),
    CASES,
    ids=["%s-%s" % ("+".join(a), "demo" if d else "nodemo") for a, d in CASES],
)
def test_addons_install_cleanly(addons, demo, tmp_path):
    env = _suite_env()
    dbname = "%s_matrix_%s_%s" % (env["SUITE_DB"], len(addons) == 1 and addons[0][:12] or "all", int(demo))
    log = tmp_path / "install.log"
    addons_path = env["SUITE_ADDONS_PATH"]
    if EXAMPLE in addons:
        addons_path += ",%s" % (ROOT / "examples")
    cmd = [
        env["SUITE_PYTHON"], env["SUITE_ODOO_BIN"],
        "--addons-path=%s" % addons_path,
        "--data-dir=%s" % tmp_path,
        "-d", dbname, "-i", ",".join(addons),
        "--stop-after-init", "--max-cron-threads=0", "--http-port=8979",
        "--log-level=info", "--logfile=%s" % log,
    ]
    if not demo:
        cmd.append("--without-demo=all")
    if EXAMPLE in addons:  # the example's tests prove each override reaches the production path
        cmd += ["--test-enable", "--test-tags=/%s" % EXAMPLE]
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
        text = log.read_text(errors="replace") if log.exists() else result.stderr
        assert result.returncode == 0, "install failed:\n%s" % text[-3000:]
        bad = list(offending_lines(text.splitlines(keepends=True)))
        assert not bad, "WARNING/ERROR lines from our modules:\n%s" % "\n".join(bad)
        if EXAMPLE in addons:
            assert " ERROR " not in text and "FAIL:" not in text, "the example's tests failed:\n%s" % text[-3000:]
            ran = [line for line in text.splitlines() if "odoo.tests.stats: %s" % EXAMPLE in line]
            assert ran, "the example's tests did not run:\n%s" % text[-3000:]
        conn = psycopg2.connect(dbname=dbname)
        with conn.cursor() as cr:
            cr.execute(
                "SELECT name, state, demo FROM ir_module_module WHERE name IN %s",
                (tuple(ADDONS) + (EXAMPLE, GLUE, LEGACY, "stock"),),
            )
            rows = {name: (state, has_demo) for name, state, has_demo in cr.fetchall()}
            cr.execute("SELECT demo FROM ir_module_module WHERE name = 'base'")
            base_demo = cr.fetchone()[0]
            open_groups = None
            if "customer_unification" in addons:
                cr.execute("SELECT count(*) FROM customer_duplicate_group WHERE state = 'open'")
                open_groups = cr.fetchone()[0]
        conn.close()
        for addon in addons:
            assert rows[addon][0] == "installed", "%s is %s" % (addon, rows[addon][0])
        assert base_demo is demo
        if open_groups is not None:
            # the demo's duplicates wait in the review screen, found by the shipped (learned) rules at install
            assert (open_groups > 0) is demo, "%s open duplicate groups after install" % open_groups
        # Installing one addon pulls in only what it depends on.
        if addons == ("customer_unification",):
            assert rows["crm_erp_bridge"][0] != "installed"
            assert rows["warranty_management"][0] != "installed"
            assert rows[GLUE][0] != "installed"
            assert rows[LEGACY][0] != "installed"
        if addons == ("crm_erp_bridge",):
            assert rows["customer_unification"][0] != "installed"
            assert rows["warranty_management"][0] != "installed"
            # the bridge does not depend on Inventory: its delivery source lives in the glue
            assert rows["stock"][0] != "installed"
            assert rows[GLUE][0] != "installed"
            assert rows[LEGACY][0] != "installed"  # needs customer_unification too
        if "warranty_management" in addons:
            assert rows["crm_erp_bridge"][0] == "installed"  # declared dependency
            assert rows[GLUE][0] == "installed"  # auto_install: the bridge and sale_stock are both there
        if addons == ("warranty_management",):
            assert rows["customer_unification"][0] != "installed"
            assert rows[LEGACY][0] != "installed"
        if "customer_unification" in addons and "crm_erp_bridge" in addons:
            assert rows[LEGACY][0] == "installed"  # auto_install: both of its dependencies are there
    finally:
        _drop(dbname)

#!/usr/bin/env python3
"""Screenshots of the demo story (Arredo Italia S.r.l.) for the addons' descriptions and readmes.

Starts Odoo on a database installed with the three addons and their demo data, drives headless
Chromium through the Chrome DevTools protocol (``websocket-client``, in the venv) to the screens of
the story and saves them as PNG into ``addons/<addon>/static/description/``:

    customer_unification: duplicate review, merge preview, merge log (undo)
    crm_erp_bridge:       customer 360° timeline, payment reminders, quotation follow-up
    warranty_management:  warranty claim with its costs

Usage (from the repository root, with the suite's venv)::

    python scripts/screenshots.py -c odoo.conf -d DB [--port 8069] [--odoo-bin /opt/odoo/odoo-bin]

The database must have the demo data (``-i customer_unification,crm_erp_bridge,warranty_management``
without ``--without-demo``). Images wider than the viewport are not taken; each one is reduced to a
palette PNG when above ``MAX_BYTES``.
"""

import argparse
import base64
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import websocket
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
MAX_BYTES = 200 * 1024
VIEWPORT = (1366, 800)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_http(url, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=5).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise RuntimeError("%s did not answer within %s s" % (url, timeout))


class Odoo:
    """JSON-RPC session of the administrator on the running server."""

    def __init__(self, base_url, db, login, password):
        self.base_url = base_url
        self.session = requests.Session()
        result = self._rpc("/web/session/authenticate", {"db": db, "login": login, "password": password})
        if not result.get("uid"):
            raise RuntimeError("login of %s failed" % login)

    def _rpc(self, path, params):
        response = self.session.post(self.base_url + path, json={"jsonrpc": "2.0", "method": "call", "params": params},
                                     timeout=60)
        response.raise_for_status()
        payload = response.json()
        if payload.get("error"):
            raise RuntimeError(json.dumps(payload["error"], indent=1))
        return payload["result"]

    def call(self, model, method, *args, **kwargs):
        return self._rpc("/web/dataset/call_kw", {"model": model, "method": method, "args": list(args),
                                                  "kwargs": kwargs})

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        rows = self.call("ir.model.data", "search_read", [("module", "=", module), ("name", "=", name)],
                         fields=["res_id"], limit=1)
        if not rows:
            raise RuntimeError("%s not found: is the database installed with demo data?" % xmlid)
        return rows[0]["res_id"]

    @property
    def session_id(self):
        return self.session.cookies.get("session_id")


class Browser:
    """A headless Chromium page driven through the DevTools protocol."""

    def __init__(self, chromium):
        self.profile = tempfile.mkdtemp(prefix="suite_shots_")
        port = _free_port()
        self.process = subprocess.Popen([
            chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--remote-debugging-port=%s" % port, "--user-data-dir=%s" % self.profile,
            "--window-size=%s,%s" % VIEWPORT, "about:blank",
        ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_http("http://127.0.0.1:%s/json/version" % port, timeout=30)
        page = next(t for t in requests.get("http://127.0.0.1:%s/json" % port, timeout=5).json()
                    if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self._id = 0
        self.send("Page.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  width=VIEWPORT[0], height=VIEWPORT[1], deviceScaleFactor=1, mobile=False)

    def send(self, method, **params):
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self._id:
                if "error" in message:
                    raise RuntimeError("%s: %s" % (method, message["error"]))
                return message.get("result", {})

    def js(self, expression):
        result = self.send("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if result.get("exceptionDetails"):
            raise RuntimeError("%s: %s" % (expression, result["exceptionDetails"]))
        return result.get("result", {}).get("value")

    def wait(self, selector, timeout=60):
        """Wait for ``selector`` to be shown, then for the web client to be idle."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.js("!!document.querySelector(%s) && !document.querySelector('.o_loading_indicator, "
                       ".o-main-components-container .o_blockUI')" % json.dumps(selector)):
                time.sleep(1.5)  # animations, lazy images
                return
            time.sleep(0.3)
        raise RuntimeError("%s not shown within %s s on %s" % (selector, timeout, self.js("location.href")))

    def open(self, url, selector=".o_action_manager .o_view_controller", timeout=60):
        self.send("Page.navigate", url=url)
        self.wait(selector, timeout)

    def click(self, selector, text=None):
        """Click the first element matching ``selector`` (and containing ``text``)."""
        found = self.js("""(() => {
            const el = [...document.querySelectorAll(%s)].find(e => %s === null || e.textContent.includes(%s));
            if (el) { el.click(); }
            return !!el;
        })()""" % (json.dumps(selector), json.dumps(text), json.dumps(text)))
        if not found:
            raise RuntimeError("nothing to click: %s %s" % (selector, text or ""))

    def screenshot(self, path):
        data = base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"])
        if len(data) > MAX_BYTES:
            image = Image.open(io.BytesIO(data)).convert("RGB").quantize(colors=128)
            buffer = io.BytesIO()
            image.save(buffer, format="PNG", optimize=True)
            data = buffer.getvalue()
        path.write_bytes(data)
        print("%s (%d KB)" % (path.relative_to(ROOT), len(data) // 1024))

    def close(self):
        try:
            self.ws.close()
        finally:
            self.process.terminate()
            self.process.wait(timeout=10)
            shutil.rmtree(self.profile, ignore_errors=True)


def take_screenshots(odoo, browser, base_url):
    """The screens of the "first ten minutes" walk-through of the README, in its order."""
    def shot(addon, name):
        browser.screenshot(ROOT / "addons" / addon / "static" / "description" / ("%s.png" % name))

    browser.send("Network.enable")
    browser.send("Network.setCookie", name="session_id", value=odoo.session_id, url=base_url)

    # 1. Unification > Review: the groups the scan found
    # (the first page waits for the assets to be built)
    browser.open(base_url + "/odoo/action-customer_unification.customer_duplicate_group_action", timeout=600)
    shot("customer_unification", "screenshot_review")

    # 2. a group, then the merge wizard and its preview
    group_id = odoo.call("customer.duplicate.group", "search", [
        ("partner_ids", "in", [odoo.ref("customer_unification.demo_partner_legacy_bertolaccini")]),
        ("state", "=", "open")], limit=1)[0]
    browser.open(base_url + "/odoo/action-customer_unification.customer_duplicate_group_action/%s" % group_id,
                 ".o_form_view")
    shot("customer_unification", "screenshot_group")
    browser.click(".o_form_view button[name='action_merge']")
    browser.wait(".modal .o_form_view")
    browser.click(".modal button[name='action_preview']")
    browser.wait(".modal .o_customer_merge_preview")
    browser.js("document.querySelector('.modal .o_customer_merge_preview').scrollIntoView()")
    time.sleep(0.5)
    shot("customer_unification", "screenshot_merge_preview")

    # 3. the merge the demo did (Hotel Bellavista), undoable
    master_id = odoo.ref("crm_erp_bridge.demo_partner_bellavista_accounting")
    log_id = odoo.call("customer.merge.log", "search", [("master_id", "=", master_id)], limit=1)[0]
    browser.open(base_url + "/odoo/action-customer_unification.customer_merge_log_action/%s" % log_id, ".o_form_view")
    shot("customer_unification", "screenshot_merge_log")

    # 4. the merged customer's 360° timeline
    browser.open(base_url + "/odoo/contacts/%s" % master_id, ".o_form_view")
    browser.click(".o_crm_erp_timeline_button")
    browser.wait(".o_crm_erp_timeline .o_crm_erp_timeline_partner")
    shot("crm_erp_bridge", "screenshot_timeline")

    # 5. payment reminders and quotation follow-ups sent by the cadence engine
    browser.open(base_url + "/odoo/action-crm_erp_bridge.crm_erp_cadence_log_action")
    shot("crm_erp_bridge", "screenshot_followup")
    invoice_id = odoo.ref("crm_erp_bridge.demo_invoice_miramare_level_2")  # the older one: second reminder
    browser.open(base_url + "/odoo/action-account.action_move_out_invoice_type/%s" % invoice_id, ".o_form_view")
    browser.click(".o_notebook .nav-link", "Payment Reminders")
    time.sleep(1)
    shot("crm_erp_bridge", "screenshot_overdue_invoice")

    # 6. the warranty claim under repair, with its costs
    claim_id = odoo.ref("warranty_management.demo_claim_repair")
    browser.open(base_url + "/odoo/action-warranty_management.warranty_claim_action/%s" % claim_id, ".o_form_view")
    browser.click(".o_notebook .nav-link", "Costs")
    browser.js("document.querySelector('.o_notebook').scrollIntoView()")
    time.sleep(1)
    shot("warranty_management", "screenshot_claim")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file (addons path)")
    parser.add_argument("-d", "--database", required=True, help="database with the demo data")
    parser.add_argument("--port", type=int, default=0, help="HTTP port of the Odoo started (default: a free one)")
    parser.add_argument("--odoo-bin", default=os.environ.get("SUITE_ODOO_BIN", "/opt/odoo/odoo-bin"))
    parser.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("google-chrome"))
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    args = parser.parse_args()

    port = args.port or _free_port()
    base_url = "http://127.0.0.1:%s" % port
    server = subprocess.Popen([
        sys.executable, args.odoo_bin, "-c", args.config, "-d", args.database, "--db-filter=^%s$" % args.database,
        "--http-port=%s" % port, "--gevent-port=%s" % _free_port(), "--max-cron-threads=0", "--workers=0",
        "--log-level=warn",
    ])
    browser = None
    try:
        _wait_http(base_url + "/web/login")
        odoo = Odoo(base_url, args.database, args.login, args.password)
        browser = Browser(args.chromium)
        take_screenshots(odoo, browser, base_url)
    finally:
        if browser:
            browser.close()
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()

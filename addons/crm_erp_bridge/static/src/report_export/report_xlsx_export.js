import { _t } from "@web/core/l10n/translation";
import { browser } from "@web/core/browser/browser";
import { registry } from "@web/core/registry";

/**
 * Client action ``crm_erp_bridge.report_xlsx_export``: downloads a management report workbook
 * (``params.url``) while a sticky notification says it is being prepared, with the number of
 * rows when known and the time elapsed. The workbook is checked (a zip file, "PK" header) before
 * it is handed to the browser; a notification tells when it is downloaded or why it failed.
 * The UI stays usable during the export.
 */
export async function reportXlsxExportAction(env, action) {
    const { url, filename, rows } = action.params || {};
    const notification = env.services.notification;
    const started = Date.now();
    const preparing = () => {
        const seconds = Math.round((Date.now() - started) / 1000);
        const what = rows
            ? _t("Preparing the workbook (%(rows)s rows)…", { rows: rows.toLocaleString() })
            : _t("Preparing the workbook…");
        return seconds >= 2 ? `${what} ${_t("%(seconds)s s", { seconds })}` : what;
    };
    let close = notification.add(preparing(), {
        type: "info",
        sticky: true,
        className: "o_crm_erp_xlsx_progress",
    });
    // refresh the elapsed time every few seconds (long exports)
    const timer = browser.setInterval(() => {
        close();
        close = notification.add(preparing(), {
            type: "info",
            sticky: true,
            className: "o_crm_erp_xlsx_progress",
        });
    }, 5000);
    try {
        const response = await browser.fetch(url, { credentials: "same-origin" });
        const blob = await response.blob();
        const head = new Uint8Array(await blob.slice(0, 2).arrayBuffer());
        const isWorkbook =
            response.ok &&
            (response.headers.get("Content-Type") || "").includes("spreadsheetml") &&
            head[0] === 0x50 && // "P"
            head[1] === 0x4b; // "K"
        if (!isWorkbook) {
            throw new Error(response.statusText || String(response.status));
        }
        const link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = filename || "report.xlsx";
        document.body.appendChild(link);
        link.click();
        link.remove();
        browser.setTimeout(() => URL.revokeObjectURL(link.href), 60000);
        notification.add(
            _t("Workbook downloaded: %(filename)s (%(size)s KB)", {
                filename: link.download,
                size: Math.max(1, Math.round(blob.size / 1024)),
            }),
            { type: "success", className: "o_crm_erp_xlsx_done" }
        );
    } catch (error) {
        notification.add(_t("The workbook could not be prepared: %(error)s", { error: error.message }), {
            type: "danger",
            sticky: true,
            className: "o_crm_erp_xlsx_failed",
        });
    } finally {
        browser.clearInterval(timer);
        close();
    }
}

registry.category("actions").add("crm_erp_bridge.report_xlsx_export", reportXlsxExportAction);

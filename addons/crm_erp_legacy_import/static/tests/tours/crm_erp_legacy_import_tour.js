import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";
import { inputFiles } from "@web/../tests/utils";

const CSV =
    "document_ref,customer_ref,customer_name,customer_email,name,expected_revenue,probability\n" +
    "TOUR-OPP-1,TOUR-C-1,Tourlegacy Serramenti,tour@legacy-serramenti.example,Tour legacy opportunity,5400,30\n" +
    "TOUR-OPP-2,TOUR-C-1,Tourlegacy Serramenti,tour@legacy-serramenti.example,Tour bad row,5400,300\n";

registry.category("web_tour.tours").add("crm_erp_legacy_import_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Unification app",
            trigger: '.o_app[data-menu-xmlid="customer_unification.menu_customer_unification_root"]',
            run: "click",
        },
        {
            content: "Open the legacy history imports",
            trigger: 'button[data-menu-xmlid="crm_erp_legacy_import.menu_crm_erp_legacy_import"], a[data-menu-xmlid="crm_erp_legacy_import.menu_crm_erp_legacy_import"]',
            run: "click",
        },
        {
            content: "Start a new import",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Name the source system",
            trigger: "div[name=source_system] input",
            run: "edit Tour CRM",
        },
        {
            content: "Upload the legacy file",
            trigger: "div[name=file] .o_select_file_button",
            async run() {
                const file = new File([CSV], "legacy_opportunities.csv", { type: "text/csv" });
                await inputFiles("div[name=file] input[type=file]", [file]);
            },
        },
        {
            content: "The file is uploaded",
            trigger: "div[name=file] .o_clear_file_button",
        },
        {
            content: "Preview",
            trigger: 'button[name="action_preview"]:contains(Preview)',
            run: "click",
        },
        {
            content: "The preview tells what will be created and what is rejected",
            trigger: ".o_legacy_import_preview:contains(rows will be created)",
        },
        {
            content: "The rejected row says why",
            trigger: '.o_data_row:contains(TOUR-OPP-2) td:contains("must not be above 100")',
        },
        {
            content: "Import",
            trigger: 'button[name="action_import"]',
            run: "click",
        },
        {
            content: "The import is done",
            trigger: ".o_legacy_import_done:contains(1 rows created)",
        },
    ],
});

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_erp_forecast_report_tour", {
    url: "/odoo/action-crm_erp_bridge.crm_erp_forecast_report_action",
    steps: () => [
        {
            content: "The forecast opens as a pivot by month",
            trigger: ".o_pivot_view .o_pivot",
        },
        {
            content: "Switch to the list of documents",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "Filter on the test customer",
            trigger: ".o_list_view .o_searchview_input",
            run: "edit Report Customer A",
        },
        {
            content: "Search on the customer",
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "Export the forecast as XLSX",
            trigger: ".o_list_view button.o_crm_erp_export_xlsx",
            run: "click",
        },
        {
            // the client action checked the answer: an XLSX content type and a zip ("PK") file
            content: "A workbook is downloaded",
            trigger: ".o_notification.o_crm_erp_xlsx_done:contains('forecast_report.xlsx')",
        },
        {
            content: "No export failed",
            trigger: "body:not(:has(.o_crm_erp_xlsx_failed))",
        },
        {
            content: "Drill down from the weighted quotation to its document",
            trigger: ".o_data_row:contains('REPORT-Q-EUR') button.o_crm_erp_open_document",
            run: "click",
        },
        {
            content: "The quotation behind the figure is open",
            trigger: ".o_form_view .o_breadcrumb:contains('REPORT-Q-EUR')",
        },
        {
            content: "Back to the forecast",
            trigger: ".o_breadcrumb .o_back_button a, .o_breadcrumb li.breadcrumb-item a",
            run: "click",
        },
        {
            content: "The forecast list is back with its export button",
            trigger: ".o_list_view button.o_crm_erp_export_xlsx",
        },
    ],
});

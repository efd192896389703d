import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_erp_sales_dashboard_tour", {
    url: "/odoo/action-crm_erp_bridge.crm_erp_sales_management_dashboard_action",
    steps: () => [
        {
            content: "The Sales Management dashboard is listed",
            trigger: ".o_spreadsheet_dashboard_search_panel .o_search_panel_field:contains('Sales Management')",
        },
        {
            content: "Its spreadsheet is rendered, not in error",
            trigger: ".o_spreadsheet_dashboard_action .o_renderer canvas",
        },
    ],
});

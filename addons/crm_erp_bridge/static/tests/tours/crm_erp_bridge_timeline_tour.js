/** @odoo-module **/

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_erp_bridge_timeline_tour", {
    steps: () => [
        {
            content: "Open the customer's timeline from the smart button",
            trigger: ".o_crm_erp_timeline_button",
            run: "click",
        },
        {
            content: "The timeline lists the quotation and the invoices",
            trigger: ".o_crm_erp_timeline_events:has(.o_crm_erp_timeline_event_quotation) .o_crm_erp_timeline_event_invoice",
        },
        {
            content: "The breadcrumbs lead back to the customer, the timeline is named after them",
            trigger: ".o_control_panel .o_breadcrumb:has(.o_back_button) .active:contains(': timeline')",
        },
        {
            content: "The totals are shown",
            trigger: ".o_crm_erp_timeline_totals .o_crm_erp_timeline_total_invoiced",
        },
        {
            content: "Keep only invoices",
            trigger: "select.o_crm_erp_timeline_filter_type",
            run: "select invoice",
        },
        {
            content: "Only the two invoices are left",
            trigger: ".o_crm_erp_timeline_events tbody:not(:has(.o_crm_erp_timeline_event_quotation)):has(tr.o_crm_erp_timeline_event_invoice + tr.o_crm_erp_timeline_event_invoice)",
        },
        {
            content: "Keep the last 30 days",
            trigger: "select.o_crm_erp_timeline_filter_period",
            run: "select 30",
        },
        {
            content: "The old invoice is gone",
            trigger: ".o_crm_erp_timeline_events tbody:has(tr.o_crm_erp_timeline_event_invoice):not(:has(tr + tr))",
        },
        {
            content: "Open the invoice from the timeline",
            trigger: ".o_crm_erp_timeline_event_invoice a",
            run: "click",
        },
        {
            content: "The invoice form is open",
            trigger: ".o_form_view .o_field_widget[name='partner_id']",
        },
        {
            content: "Back to the timeline through the breadcrumbs",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(': timeline')",
            run: "click",
        },
        {
            content: "The timeline is shown again",
            trigger: ".o_crm_erp_timeline_events .o_crm_erp_timeline_event_invoice",
        },
    ],
});

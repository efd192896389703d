/** @odoo-module **/

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_erp_bridge_quote_followup_tour", {
    steps: () => [
        {
            content: "Open the Follow-up tab of the quotation",
            trigger: ".o_notebook a.nav-link[name='bridge_followup']",
            run: "click",
        },
        {
            content: "The quotation's cadence is shown",
            trigger: ".o_field_widget[name='bridge_cadence_id'] input:value('Tour cadence')",
        },
        {
            content: "The follow-up is running",
            trigger: ".o_field_widget[name='bridge_followup_state']:contains('Running')",
        },
        {
            content: "The cadence's steps are listed",
            trigger: ".o_field_widget[name='bridge_followup_step_ids'] td:contains('Tour call step')",
        },
        {
            content: "The step already run is in the history",
            trigger: ".o_field_widget[name='bridge_followup_log_ids'] td:contains('Tour email step')",
        },
    ],
});

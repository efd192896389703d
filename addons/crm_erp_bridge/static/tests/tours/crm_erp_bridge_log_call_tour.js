/** @odoo-module **/

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_erp_bridge_log_call_tour", {
    steps: () => [
        {
            content: "Log an interaction from the customer",
            trigger: ".o_form_view .o_crm_erp_log_interaction_button",
            run: "click",
        },
        {
            content: "It is a call",
            trigger: ".modal .o_field_widget[name='interaction_type'] input[data-value='call']",
            run: "click",
        },
        {
            content: "Write what was said",
            trigger: ".modal .o_field_widget[name='note'] textarea",
            run: "edit Asked for a discount on the yearly plan",
        },
        {
            content: "Log it",
            trigger: ".modal button[name='action_log']",
            run: "click",
        },
        {
            content: "The dialog closes",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "Open the timeline",
            trigger: ".o_crm_erp_timeline_button",
            run: "click",
        },
        {
            content: "The call is on the timeline",
            trigger: ".o_crm_erp_timeline_event_interaction:contains('Asked for a discount')",
        },
    ],
});

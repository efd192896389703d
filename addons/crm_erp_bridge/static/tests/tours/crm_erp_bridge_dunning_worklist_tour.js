/** @odoo-module **/

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_erp_bridge_dunning_worklist_tour", {
    steps: () => [
        {
            content: "The overdue customer is in today's worklist, with the level due",
            trigger: ".o_data_row:contains('Tour Overdue Customer'):contains('Tour statement level')",
        },
        {
            content: "Its last action is the call logged yesterday",
            trigger: ".o_data_row:contains('Tour Overdue Customer') td[name='bridge_dunning_last_action']:contains('Call')",
        },
        {
            content: "Send its statement now",
            trigger: ".o_data_row:contains('Tour Overdue Customer') button[name='action_bridge_send_statement']",
            run: "click",
        },
        {
            content: "One statement sent, listing its two invoices",
            trigger: ".o_notification:contains('1 statement(s) sent, listing 2 invoice(s)')",
        },
        {
            content: "Show the customers already chased",
            trigger: ".o_searchview_input",
            run: "click",
        },
        {
            content: "Remove the 'To Chase Today' filter",
            trigger: ".o_searchview_facet:contains('To Chase Today') .o_facet_remove",
            run: "click",
        },
        {
            content: "The statement is the customer's last action",
            trigger: ".o_data_row:contains('Tour Overdue Customer') td[name='bridge_dunning_last_action']:contains('Statement sent: Tour statement level')",
        },
    ],
});

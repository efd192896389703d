/** @odoo-module **/

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_erp_bridge_delivery_proposal_tour", {
    steps: () => [
        {
            content: "Open the delivery confirmation of the order",
            trigger: ".o_form_view .o_notebook a[name='bridge_delivery_confirmation']",
            run: "click",
        },
        {
            content: "The current delivery address is shown",
            trigger: ".o_bridge_delivery_proposal .o_field_widget[name='partner_shipping_id']:contains('Bridge Customer')",
        },
        {
            content: "Next to the address the customer proposes",
            trigger: ".o_bridge_delivery_proposal .o_field_widget[name='bridge_delivery_answer_address']:contains('Via Po 7')",
        },
        {
            content: "Apply the proposal in one click",
            trigger: ".o_form_view button.o_bridge_delivery_apply",
            run: "click",
        },
        {
            content: "The proposal is applied",
            trigger: ".o_form_view .o_field_widget[name='bridge_delivery_state']:contains('Changes applied')",
        },
        {
            content: "The order now delivers to the new address",
            trigger: ".o_bridge_delivery_proposal .o_field_widget[name='partner_shipping_id']:contains('Via Po 7')",
        },
    ],
});

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("warranty_management_claim_tour", {
    url: "/odoo/action-warranty_management.warranty_claim_action",
    steps: () => [
        {
            content: "Register a new claim",
            trigger: ".o_control_panel .o-kanban-button-new, .o_control_panel .o_list_button_add",
            run: "click",
        },
        {
            content: "Enter the customer",
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Tour Bar Centrale",
        },
        {
            content: "Pick the customer",
            trigger: ".ui-menu-item > a:contains('Tour Bar Centrale')",
            run: "click",
        },
        {
            content: "Enter the serial number",
            trigger: ".o_field_widget[name=lot_id] input",
            run: "edit TOUR-SN-001",
        },
        {
            content: "Pick the serial number",
            trigger: ".ui-menu-item > a:contains('TOUR-SN-001')",
            run: "click",
        },
        {
            content: "The entitlement is shown: covered, with the registration",
            trigger: ".o_field_widget[name=entitlement_reason]:contains('Covered by')",
        },
        {
            content: "The product came from the serial number",
            trigger: ".o_field_widget[name=product_id] input:value('Tour espresso machine')",
        },
        {
            content: "Save the claim",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Start the review",
            trigger: "button[name=action_review]",
            run: "click",
        },
        {
            content: "Approve",
            trigger: "button[name=action_approve]",
            run: "click",
        },
        {
            content: "Create the repair order",
            trigger: "button[name=action_create_repair]",
            run: "click",
        },
        {
            content: "The repair order is under warranty",
            trigger: ".o_form_view .o_field_widget[name=under_warranty] input:checked",
        },
        {
            content: "and linked to the claim",
            trigger: ".o_field_widget[name=warranty_claim_id]",
        },
    ],
});

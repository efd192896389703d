import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("warranty_management_claim_return_tour", {
    url: "/odoo/action-warranty_management.warranty_claim_action",
    steps: () => [
        {
            content: "Open the claim of the serial number",
            trigger: ".o_data_row td:contains('TOUR-RT-001')",
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
            content: "Ask the customer for the unit: create the return receipt",
            trigger: "button[name=action_create_return]",
            run: "click",
        },
        {
            content: "The receipt carries the serial number",
            trigger: ".o_form_view .o_field_widget[name=move_ids_without_package]:contains('Tour return espresso')",
        },
        {
            content: "The unit arrives: validate the receipt",
            trigger: "button[name=button_validate]",
            run: "click",
        },
        {
            content: "The receipt is done",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Done')",
        },
        {
            content: "Back to the claim",
            trigger: ".breadcrumb-item:not(.active) a:contains('WC/')",
            run: "click",
        },
        {
            content: "The return smart button shows the receipt done",
            trigger: "button[name=action_view_return]:contains('Done')",
        },
        {
            content: "Record the inspection",
            trigger: "button[name=action_open_inspection_wizard]",
            run: "click",
        },
        {
            content: "The unit was damaged by the customer",
            trigger: ".modal .o_field_widget[name=result] input[data-value=customer_damage]",
            run: "click",
        },
        {
            content: "Write the reason",
            trigger: ".modal .o_field_widget[name=reason] textarea",
            run: "edit Dropped: housing cracked",
        },
        {
            content: "Record",
            trigger: ".modal button[name=action_apply]",
            run: "click",
        },
        {
            content: "The claim is no longer covered, and says why",
            trigger: ".o_field_widget[name=entitlement_reason]:contains('housing cracked')",
        },
        {
            content: "The inspection result is shown",
            trigger: ".o_field_widget[name=inspection_result]:contains('Damaged by customer')",
        },
    ],
});

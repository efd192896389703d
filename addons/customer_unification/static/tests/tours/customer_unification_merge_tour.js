import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("customer_unification_merge_group_tour", {
    steps: () => [
        {
            content: "Open the duplicate group to review",
            trigger: ".o_data_row td:contains('Tour Alpha Impianti')",
            run: "click",
        },
        {
            content: "Merge the group",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_merge']",
            run: "click",
        },
        {
            content: "Preview what the merge will do",
            trigger: ".modal button[name='action_preview']",
            run: "click",
        },
        {
            content: "The dry run lists the tables to re-point",
            trigger: ".modal .o_customer_merge_preview:contains('mail_message')",
        },
        {
            content: "Confirm the merge",
            trigger: ".modal button[name='action_merge']",
            run: "click",
        },
        {
            content: "The merge log is shown",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Merged')",
        },
    ],
});

registry.category("web_tour.tours").add("customer_unification_undo_tour", {
    steps: () => [
        {
            content: "Open the merge log",
            trigger: ".o_data_row td:contains('Tour Beta Serramenti')",
            run: "click",
        },
        {
            content: "Undo the merge",
            trigger: ".o_form_view button[name='action_undo']",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The merge is undone",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Undone')",
        },
    ],
});

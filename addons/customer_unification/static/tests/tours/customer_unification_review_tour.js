import { registry } from "@web/core/registry";
import { openDuplicateGroupsSteps } from "@customer_unification/../tests/tours/review_steps";

registry.category("web_tour.tours").add("customer_unification_review_tour", {
    url: "/odoo",
    steps: () => [
        ...openDuplicateGroupsSteps(),
        {
            content: "Open the group of the tour customers",
            trigger: '.o_data_row td:contains("Tourmalina Ceramiche")',
            run: "click",
        },
        {
            content: "The explanation lists the compared fields",
            trigger: '.o_cu_group_explanation table:contains("Tax ID"):contains("Match Weight")',
        },
        {
            content: "The reviewer can dismiss the group",
            trigger: 'button[name="action_not_duplicate"]',
        },
    ],
});

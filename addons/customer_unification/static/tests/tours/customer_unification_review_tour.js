import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("customer_unification_review_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Unification app",
            trigger: '.o_app[data-menu-xmlid="customer_unification.menu_customer_unification_root"]',
            run: "click",
        },
        {
            content: "Open the Review menu",
            trigger: 'button[data-menu-xmlid="customer_unification.menu_customer_unification_review"]',
            run: "click",
        },
        {
            content: "Open the duplicate groups",
            trigger: '.dropdown-item[data-menu-xmlid="customer_unification.menu_customer_duplicate_group"]',
            run: "click",
        },
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

import { stepUtils } from "@web_tour/tour_service/tour_utils";

/** Steps of the review tours: from the home menu to the list of duplicate groups. */
export function openDuplicateGroupsSteps() {
    return [
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
    ];
}

import { registry } from "@web/core/registry";
import { openDuplicateGroupsSteps } from "@customer_unification/../tests/tours/review_steps";

// A record with the family name only, at a household's address, is close to two relatives: the
// reviewer finds it in two groups, each pointing at the other, and never the two relatives together.
registry.category("web_tour.tours").add("customer_unification_group_split_tour", {
    url: "/odoo",
    steps: () => [
        ...openDuplicateGroupsSteps(),
        {
            content: "Open the group of Mario and the family record",
            trigger: '.o_data_row td:contains("Mario Tourvalli")',
            run: "click",
        },
        {
            content: "The form says the family record is also proposed with Anna, in another group",
            trigger: '.alert-info .o_cu_overlap_groups:contains("Anna Tourvalli")',
        },
        {
            content: "Open the customers of the group",
            trigger: 'a.nav-link:contains("Customers")',
            run: "click",
        },
        {
            content: "Mario and the family record, not Anna",
            trigger: '.o_field_widget[name="partner_ids"] .o_data_row:contains("Mario Tourvalli")',
            run() {
                const rows = [...document.querySelectorAll('.o_field_widget[name="partner_ids"] .o_data_row')];
                if (rows.length !== 2 || rows.some((row) => row.textContent.includes("Anna Tourvalli"))) {
                    throw new Error(`expected Mario and the family record only, got ${rows.length} rows`);
                }
            },
        },
    ],
});

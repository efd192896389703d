import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("warranty_management_cost_tour", {
    steps: () => [
        {
            content: "Open the Costs tab of the claim",
            trigger: ".o_notebook_headers a:contains(Costs)",
            run: "click",
        },
        {
            content: "Add a cost line",
            trigger: "div[name=cost_line_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "It is labor",
            trigger: "div[name=cost_line_ids] .o_selected_row div[name=cost_type] select",
            run: "selectByLabel Labor",
        },
        {
            content: "Two hours",
            trigger: "div[name=cost_line_ids] .o_selected_row div[name=quantity] input",
            run: "edit 2",
        },
        {
            content: "Save the claim",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Two hours at the labor rate",
            trigger: "div[name=cost_line_ids] td[name=amount]:contains(80.00)",
        },
        {
            content: "Post the costs",
            trigger: "button[name=action_post_costs]",
            run: "click",
        },
        {
            content: "The cost line is posted and the entries are linked",
            trigger: "button[name=action_view_cost_moves]",
        },
        {
            trigger: "div[name=cost_line_ids] .badge:contains(Posted)",
        },
    ],
});

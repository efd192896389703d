/** @odoo-module **/

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("customer_unification_prevention_tour", {
    steps: () => [
        {
            content: "A new contact (a company): type the name of a customer who already exists",
            trigger: ".o_form_view .o_field_widget[name='name'] input",
            run: "edit Brambillasca Serramenti srl",
        },
        {
            content: "and the same e-mail, written another way",
            trigger: ".o_form_view .o_field_widget[name='email'] input",
            run: "edit Info@Brambillasca.IT",
        },
        {
            content: "Go on to the phone (the e-mail is committed when the field is left)",
            trigger: ".o_form_view .o_field_widget[name='phone'] input",
            run: "click",
        },
        {
            content: "The banner names the existing customer, with the reasons",
            trigger: ".o_cu_duplicate_banner:contains('may already exist') a:contains('Brambillasca Serramenti S.r.l.')",
        },
        {
            content: "Another e-mail",
            trigger: ".o_form_view .o_field_widget[name='email'] input",
            run: "edit someone.else@example.org",
        },
        {
            content: "and another name",
            trigger: ".o_form_view .o_field_widget[name='name'] input",
            run: "edit Zappacosta Arredi",
        },
        {
            content: "Leave the name field",
            trigger: ".o_form_view .o_field_widget[name='phone'] input",
            run: "click",
        },
        {
            content: "No banner any more",
            trigger: ".o_form_view:not(:has(.o_cu_duplicate_banner))",
        },
        {
            content: "Discard the new contact",
            trigger: ".o_form_button_cancel",
            run: "click",
        },
        {
            content: "Nothing was saved: back to the contacts",
            trigger: ".o_kanban_view, .o_list_view",
        },
    ],
});

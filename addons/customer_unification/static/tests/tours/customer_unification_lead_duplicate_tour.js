/** @odoo-module **/

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("customer_unification_lead_duplicate_tour", {
    steps: () => [
        {
            content: "A new lead: its title",
            trigger: ".o_form_view .o_field_widget[name='name'] textarea",
            run: "edit Sliding gates",
        },
        {
            content: "the company of a lead that is already open, written another way",
            trigger: ".o_form_view .o_field_widget[name='partner_name'] input",
            run: "edit ORSOLINI IMPIANTI SRL",
        },
        {
            content: "and the same e-mail",
            trigger: ".o_form_view .o_field_widget[name='email_from'] input",
            run: "edit Marta@Orsolini-Impianti.it",
        },
        {
            content: "Go on to the contact name (the e-mail is committed when the field is left)",
            trigger: ".o_form_view .o_field_widget[name='contact_name'] input",
            run: "click",
        },
        {
            content: "The banner names the open lead, with the reasons",
            trigger: ".o_cu_lead_duplicate_banner:contains('may already exist') a:contains('Gates for the new plant')",
        },
        {
            content: "Merge the duplicate leads (the new lead is saved first)",
            trigger: ".o_cu_lead_duplicate_banner button.o_cu_lead_merge",
            run: "click",
        },
        {
            content: "Odoo's merge wizard lists both leads",
            trigger: ".modal .o_data_row:contains('Gates for the new plant')",
        },
        {
            content: "Merge",
            trigger: ".modal button[name='action_merge']",
            run: "click",
        },
        {
            content: "The merged lead opens, without duplicates any more",
            trigger: ".o_form_view:not(:has(.o_cu_duplicate_banner)) .o_field_widget[name='partner_name'] input",
        },
    ],
});

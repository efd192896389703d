/** @odoo-module **/

import { markup } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { DuplicateBanner } from "../duplicate_banner/duplicate_banner";

/** The fields the check reads (crm.lead._cu_duplicate_check_fields), as the form holds them. */
const CHECKED_FIELDS = [
    "partner_name", "contact_name", "email_from", "phone", "mobile", "website",
    "street", "zip", "city", "country_id", "company_id", "partner_id",
];

/**
 * The partner form's duplicate banner on the lead form: it asks crm.lead.cu_duplicate_check
 * (the same match rules, thresholds and banner settings) and, on a saved lead with duplicate
 * leads, offers Odoo's lead merge.
 */
export class LeadDuplicateBanner extends DuplicateBanner {
    static template = "customer_unification.LeadDuplicateBanner";

    setup() {
        super.setup();
        this.action = useService("action");
        Object.assign(this.state, { leadCount: 0 });
    }

    valuesOf(record) {
        const values = {};
        for (const name of CHECKED_FIELDS) {
            if (!(name in record.data)) {
                continue;
            }
            const value = record.data[name];
            values[name] = Array.isArray(value) ? value[0] : value || false;
        }
        return values;
    }

    async check(values, leadId) {
        const request = ++this.request;
        if (!values.partner_name && !values.contact_name) {
            Object.assign(this.state, { count: 0, leadCount: 0, html: "" });
            return;
        }
        const result = await this.orm.call("crm.lead", "cu_duplicate_check", [values], {
            lead_id: leadId,
        });
        if (request === this.request) {
            Object.assign(this.state, {
                count: result.count,
                leadCount: result.lead_count,
                html: markup(result.html),
            });
        }
    }

    async onMerge() {
        const record = this.props.record;
        if (!(await record.save())) {
            return;
        }
        const action = await this.orm.call("crm.lead", "action_cu_merge_duplicates", [[record.resId]]);
        await this.action.doAction(action);
    }
}

registry.category("view_widgets").add("cu_lead_duplicate_banner", { component: LeadDuplicateBanner });

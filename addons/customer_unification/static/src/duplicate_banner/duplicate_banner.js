/** @odoo-module **/

import { Component, markup, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { useDebounced } from "@web/core/utils/timing";
import { useRecordObserver } from "@web/model/relational_model/utils";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";

/** The fields the check reads (res.partner._cu_duplicate_check_fields), as the form holds them. */
const CHECKED_FIELDS = [
    "name", "is_company", "email", "phone", "mobile", "vat", "company_registry", "website",
    "street", "zip", "city", "country_id", "parent_id", "company_id",
];

/**
 * "This customer may already exist": the banner above the partner form, refreshed while the user
 * types. It asks res.partner.cu_duplicate_check (read-only: a replica answers when there is one)
 * 300 ms after the last change; an answer for values changed since is dropped.
 */
export class DuplicateBanner extends Component {
    static template = "customer_unification.DuplicateBanner";
    static props = { ...standardWidgetProps };

    setup() {
        this.orm = useService("orm");
        this.state = useState({ count: 0, html: "" });
        this.request = 0;
        this.lastValues = null;
        const check = useDebounced((values, partnerId) => this.check(values, partnerId), 300);
        useRecordObserver((record) => {
            const values = this.valuesOf(record);
            const key = JSON.stringify([values, record.resId]);
            if (key !== this.lastValues) {
                this.lastValues = key;
                check(values, record.resId || false);
            }
        });
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

    async check(values, partnerId) {
        const request = ++this.request;
        if (!values.name) {
            Object.assign(this.state, { count: 0, html: "" });
            return;
        }
        const result = await this.orm.call("res.partner", "cu_duplicate_check", [values], {
            partner_id: partnerId,
        });
        if (request === this.request) {
            Object.assign(this.state, { count: result.count, html: markup(result.html) });
        }
    }
}

registry.category("view_widgets").add("cu_duplicate_banner", { component: DuplicateBanner });

/** @odoo-module **/

import { Component, onWillStart, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { deserializeDateTime, formatDate, formatDateTime, serializeDate } from "@web/core/l10n/dates";
import { formatCurrency } from "@web/core/currency";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { Layout } from "@web/search/layout";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

const { DateTime } = luxon;

/**
 * Customer 360° timeline: one page of events read over RPC from
 * crm.erp.timeline.get_timeline_data, with type / period / salesperson
 * filters, totals and "load more" paging. Odoo's Layout gives it the control
 * panel every screen has: breadcrumbs back to the customer, named after them.
 */
export class CrmErpTimelineAction extends Component {
    static template = "crm_erp_bridge.TimelineAction";
    static components = { Layout };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        const params = this.props.action.params || {};
        const context = this.props.action.context || {};
        this.partnerId = params.partner_id || context.active_id;
        this.pageSize = 80;
        this.periods = [
            ["", _t("Any time")],
            ["30", _t("Last 30 days")],
            ["90", _t("Last 90 days")],
            ["365", _t("Last 12 months")],
        ];
        this.totalsRequest = 0;
        this.state = useState({
            loading: true,
            data: null,
            totals: null,
            events: [],
            eventType: "",
            period: "",
            userId: "",
        });
        onWillStart(() => this.load());
    }

    get filterArgs() {
        const kwargs = {
            event_types: this.state.eventType ? [this.state.eventType] : false,
            user_id: this.state.userId ? parseInt(this.state.userId) : false,
            date_from: false,
        };
        if (this.state.period) {
            kwargs.date_from = serializeDate(
                DateTime.local().minus({ days: parseInt(this.state.period) })
            );
        }
        return kwargs;
    }

    async load(offset = 0) {
        if (!this.partnerId) {
            this.state.loading = false;
            return;
        }
        this.state.loading = true;
        if (!offset) {
            this.loadTotals();
        }
        const data = await this.orm.call("crm.erp.timeline", "get_timeline_data", [this.partnerId], {
            ...this.filterArgs,
            offset,
            limit: this.pageSize,
            with_totals: false,
        });
        this.state.data = data;
        this.env.config.setDisplayName?.(_t("%s: timeline", data.partner.name));
        this.state.events = offset ? [...this.state.events, ...data.events] : data.events;
        this.state.loading = false;
    }

    /**
     * The totals sum the whole history: they come in their own request, so the page does not
     * wait for them; an answer for filters changed since is dropped.
     */
    async loadTotals() {
        const request = ++this.totalsRequest;
        this.state.totals = null;
        const { user_id, date_from } = this.filterArgs;
        const totals = await this.orm.call("crm.erp.timeline", "get_timeline_totals", [this.partnerId], {
            user_id,
            date_from,
        });
        if (request === this.totalsRequest) {
            this.state.totals = totals;
        }
    }

    onFilterChange(field, ev) {
        this.state[field] = ev.target.value;
        this.load();
    }

    loadMore() {
        this.load(this.state.events.length);
    }

    get totals() {
        const totals = this.state.totals;
        if (!totals) {
            return [];
        }
        const fmt = (value) => formatCurrency(value, totals.currency_id);
        return [
            ["open_pipeline", _t("Open pipeline"), fmt(totals.open_pipeline)],
            ["open_quotes", _t("Open quotations"), fmt(totals.open_quotes)],
            ["ordered", _t("Ordered"), fmt(totals.ordered)],
            ["invoiced", _t("Invoiced"), fmt(totals.invoiced)],
            ["paid", _t("Paid"), fmt(totals.paid)],
            ["overdue", _t("Overdue"), fmt(totals.overdue)],
        ];
    }

    formatDate(value) {
        const dt = deserializeDateTime(value);
        if (dt.hour === 0 && dt.minute === 0 && dt.second === 0) {
            return formatDate(dt);
        }
        return formatDateTime(dt);
    }

    formatAmount(event) {
        if (!event.amount) {
            return "";
        }
        return formatCurrency(event.amount, event.currency_id);
    }

    openDocument(event) {
        this.actionService.doAction({
            type: "ir.actions.act_window",
            res_model: event.res_model,
            res_id: event.res_id,
            views: [[false, "form"]],
        });
    }

    openPartner() {
        this.openDocument({ res_model: "res.partner", res_id: this.state.data.partner.id });
    }
}

registry.category("actions").add("crm_erp_bridge.timeline", CrmErpTimelineAction);

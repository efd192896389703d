from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class SaleOrder(models.Model):
    _inherit = "sale.order"

    bridge_checkin_scheduled = fields.Boolean(
        string="After-sale Check-in Scheduled",
        copy=False,
        help="Set once the after-sale check-in activity was scheduled for the salesperson.",
    )

    @api.model
    def _bridge_checkin_horizon_days(self):
        """Only orders confirmed within this many days get a check-in (old history is left alone)."""
        return 60

    bridge_fully_delivered = fields.Boolean(
        string="Fully Delivered", compute="_compute_bridge_fully_delivered",
        search="_search_bridge_fully_delivered",
        help="Every product line has its ordered quantity delivered.")
    bridge_fully_paid = fields.Boolean(
        string="Fully Paid", compute="_compute_bridge_fully_paid", search="_search_bridge_fully_paid",
        help="Fully invoiced, and every posted customer invoice of the order is paid.")

    @api.model
    def _bridge_fully_delivered_sql(self):
        """Subquery of the ids of orders whose product lines are all delivered in full."""
        return SQL(
            """(SELECT l.order_id FROM sale_order_line l WHERE l.display_type IS NULL
                EXCEPT
                SELECT l.order_id FROM sale_order_line l
                 WHERE l.display_type IS NULL AND l.qty_delivered < l.product_uom_qty)""")

    @api.model
    def _bridge_fully_paid_sql(self):
        """Subquery of the ids of orders fully invoiced whose posted customer invoices are all paid."""
        invoices = SQL(
            """SELECT sol.order_id, am.payment_state FROM sale_order_line sol
                 JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
                 JOIN account_move_line aml ON aml.id = rel.invoice_line_id
                 JOIN account_move am ON am.id = aml.move_id
                WHERE am.state = 'posted' AND am.move_type = 'out_invoice'""")
        return SQL(
            """(SELECT inv.order_id FROM (%(invoices)s) inv
                  JOIN sale_order so ON so.id = inv.order_id AND so.invoice_status = 'invoiced'
              GROUP BY inv.order_id
                HAVING bool_and(inv.payment_state IN ('paid', 'in_payment')))""",
            invoices=invoices)

    def _bridge_search_subquery(self, operator, value, subquery):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search this field with '=' or '!=' and True or False."))
        return [("id", "in" if (operator == "=") == value else "not in", subquery)]

    def _search_bridge_fully_delivered(self, operator, value):
        self.env["sale.order.line"].flush_model(["order_id", "display_type", "qty_delivered", "product_uom_qty"])
        return self._bridge_search_subquery(operator, value, self._bridge_fully_delivered_sql())

    def _search_bridge_fully_paid(self, operator, value):
        self.env["sale.order.line"].flush_model(["order_id", "invoice_lines"])
        self.env["account.move.line"].flush_model(["move_id"])
        self.env["account.move"].flush_model(["state", "move_type", "payment_state"])
        self.flush_model(["invoice_status"])
        return self._bridge_search_subquery(operator, value, self._bridge_fully_paid_sql())

    def _bridge_compute_from_search(self, fname):
        # the rule lives in the search method: the field's value is read through it
        ids = set(self.search([("id", "in", self._origin.ids), (fname, "=", True)]).ids) if self._origin.ids else set()
        for order in self:
            order[fname] = order._origin.id in ids

    def _compute_bridge_fully_delivered(self):
        self._bridge_compute_from_search("bridge_fully_delivered")

    def _compute_bridge_fully_paid(self):
        self._bridge_compute_from_search("bridge_fully_paid")

    @api.model
    def _bridge_checkin_due_domain(self):
        """THE rule of when an order gets its after-sale check-in, as a domain: confirmed within the
        horizon, not scheduled yet, and delivered or paid as its company's setting says. The
        scheduled job compiles it to SQL: an override changes what the job does."""
        horizon = fields.Datetime.now() - timedelta(days=self._bridge_checkin_horizon_days())
        return [
            ("state", "=", "sale"),
            ("bridge_checkin_scheduled", "=", False),
            ("date_order", ">=", horizon),
            "|",
            "&", ("company_id.bridge_checkin_trigger", "=", "delivery"), ("bridge_fully_delivered", "=", True),
            "&", ("company_id.bridge_checkin_trigger", "=", "payment"), ("bridge_fully_paid", "=", True),
        ]

    @api.model
    def _bridge_checkin_due_order_ids(self, limit):
        """Return the ids of orders due for a check-in (:meth:`_bridge_checkin_due_domain`), in one query."""
        return list(self.sudo()._search(self._bridge_checkin_due_domain(), order="id", limit=limit))

    def _bridge_schedule_checkin(self):
        """Schedule the after-sale check-in activity for the salesperson of these orders."""
        for order in self:
            order._bridge_schedule_checkin_one()

    def _bridge_schedule_checkin_one(self):
        """Schedule the after-sale check-in of one order and mark it scheduled."""
        self.ensure_one()
        for order in self:
            company = order.company_id
            activity_type = company.bridge_checkin_activity_type_id or self.env.ref(
                "mail.mail_activity_data_call", raise_if_not_found=False
            )
            order.activity_schedule(
                activity_type_id=activity_type.id,
                summary=self.env._("After-sale check-in with the customer"),
                user_id=order.user_id.id or self.env.uid,
                date_deadline=fields.Date.context_today(order) + timedelta(days=company.bridge_checkin_delay_days),
            )
        self.write({"bridge_checkin_scheduled": True})

    @api.model
    def _cron_bridge_after_sale_checkin(self, batch_size=500):
        """Scheduled job: schedule check-ins for orders just delivered or paid, in batches."""
        ids = self._bridge_checkin_due_order_ids(batch_size + 1)
        orders = self.browse(ids[:batch_size])
        # one order at a time: a failing order is rolled back, reported and retried on the next run
        scheduled, _failed = self.env["crm.erp.batch.job"]._run_isolated(
            orders, lambda order: order._bridge_schedule_checkin_one(), self.env._("After-sale check-ins")
        )
        self.env["ir.cron"]._notify_progress(done=len(orders), remaining=max(len(ids) - batch_size, 0))
        return scheduled

from datetime import timedelta

from odoo import api, fields, models
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

    @api.model
    def _bridge_checkin_due_order_ids(self, limit):
        """Return the ids of orders now delivered (or paid, per company setting) without check-in, in one query.

        Delivered: every product line has its ordered quantity delivered. Paid: fully invoiced and every
        posted customer invoice of the order is paid.
        """
        self.env.flush_all()
        query = SQL(
            """
            SELECT so.id
              FROM sale_order so
              JOIN res_company c ON c.id = so.company_id
             WHERE so.state = 'sale'
               AND NOT COALESCE(so.bridge_checkin_scheduled, FALSE)
               AND so.date_order >= %(horizon)s
               AND (
                    (c.bridge_checkin_trigger = 'delivery'
                     AND EXISTS (SELECT 1 FROM sale_order_line l
                                  WHERE l.order_id = so.id AND l.display_type IS NULL)
                     AND NOT EXISTS (SELECT 1 FROM sale_order_line l
                                      WHERE l.order_id = so.id AND l.display_type IS NULL
                                        AND l.qty_delivered < l.product_uom_qty))
                 OR (c.bridge_checkin_trigger = 'payment'
                     AND so.invoice_status = 'invoiced'
                     AND EXISTS (%(invoices)s)
                     AND NOT EXISTS (%(invoices)s AND am.payment_state NOT IN ('paid', 'in_payment')))
               )
             ORDER BY so.id
             LIMIT %(limit)s
            """,
            horizon=fields.Datetime.now() - timedelta(days=self._bridge_checkin_horizon_days()),
            invoices=SQL(
                """SELECT 1 FROM sale_order_line sol
                     JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
                     JOIN account_move_line aml ON aml.id = rel.invoice_line_id
                     JOIN account_move am ON am.id = aml.move_id
                    WHERE sol.order_id = so.id AND am.state = 'posted' AND am.move_type = 'out_invoice'"""
            ),
            limit=limit,
        )
        self.env.cr.execute(query)
        return [row[0] for row in self.env.cr.fetchall()]

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

from odoo import fields, models


class CrmErpCadenceLog(models.Model):
    """One executed (or skipped) cadence step on one document.

    Guarantees each step runs once per document (unique indexes) and feeds the
    "follow-up sent" and "reminder sent" events of the customer timeline.
    """

    _name = "crm.erp.cadence.log"
    _description = "Cadence Step Log"
    _order = "date desc, id desc"
    _check_company_auto = True

    kind = fields.Selection(
        [("followup", "Quotation follow-up"), ("dunning", "Payment reminder")],
        required=True,
        index=True,
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Customer", index=True, ondelete="cascade")
    user_id = fields.Many2one("res.users", string="Salesperson")
    order_id = fields.Many2one(
        "sale.order", string="Quotation", index="btree_not_null", ondelete="cascade", check_company=True
    )
    followup_step_id = fields.Many2one("crm.erp.followup.step", string="Follow-up Step", ondelete="cascade")
    move_id = fields.Many2one(
        "account.move", string="Invoice", index="btree_not_null", ondelete="cascade", check_company=True
    )
    dunning_level_id = fields.Many2one("crm.erp.dunning.level", string="Reminder Level", ondelete="cascade")
    statement_id = fields.Many2one(
        "crm.erp.dunning.statement", string="Statement", index="btree_not_null", ondelete="set null",
        help="The statement (one per customer and level) that listed this invoice.",
    )
    mail_sent = fields.Boolean(string="Email Sent")
    mail_message_id = fields.Many2one("mail.message", string="Email", ondelete="set null")
    activity_id = fields.Many2one("mail.activity", ondelete="set null")
    skipped_reason = fields.Selection(
        [("missed", "Missed (a later step was due)"), ("do_not_contact", "Customer may not be contacted"),
         ("error", "The step failed")],
        string="Email Not Sent Because",
    )
    error_message = fields.Text(help="Why the step failed; the document got a to-do activity about it.")
    manual = fields.Boolean(help="Run by a user rather than by the scheduled job.")

    _sql_constraints = [
        (
            "order_step_unique",
            "UNIQUE(order_id, followup_step_id)",
            "A follow-up step runs only once per quotation.",
        ),
        (
            "move_level_unique",
            "UNIQUE(move_id, dunning_level_id)",
            "A reminder level is sent only once per invoice.",
        ),
    ]

    def _compute_display_name(self):
        for log in self:
            step = log.followup_step_id or log.dunning_level_id
            document = log.order_id or log.move_id
            log.display_name = f"{document.display_name} - {step.name}" if step else document.display_name

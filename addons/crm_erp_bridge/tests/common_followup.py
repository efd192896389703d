from datetime import timedelta

from odoo import Command, fields
from odoo.tests import new_test_user

from .common import CrmErpBridgeCommon


class CrmErpBridgeFollowupCommon(CrmErpBridgeCommon):
    """Cadences, templates and reminder levels of the follow-up tests (built here, not from data)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bridge_manager = new_test_user(
            cls.env,
            login="bridge_fu_manager",
            name="Bridge Follow-up Manager",
            groups="sales_team.group_sale_manager,crm_erp_bridge.group_crm_erp_bridge_manager",
        )
        cls.billing_user = new_test_user(
            cls.env,
            login="bridge_fu_billing",
            name="Bridge Billing",
            groups="account.group_account_invoice",
        )
        cls.quote_template = cls.env["mail.template"].create(
            {
                "name": "Test follow-up",
                "model_id": cls.env["ir.model"]._get_id("sale.order"),
                "subject": "Follow-up {{ object.name }}",
                "partner_to": "{{ object.partner_id.id }}",
                "body_html": "<p>Any question about your quotation?</p>",
            }
        )
        cls.invoice_template = cls.env["mail.template"].create(
            {
                "name": "Test reminder statement",
                "model_id": cls.env["ir.model"]._get_id("crm.erp.dunning.statement"),
                "subject": "Reminder {{ object.partner_id.name }}",
                "partner_to": "{{ object.recipient_id.id }}",
                "body_html": "<p>Please pay <t t-out=\"', '.join(object.move_ids.mapped('name'))\"/>.</p>",
            }
        )
        cls.activity_type = cls.env.ref("mail.mail_activity_data_call")
        cls.cadence = cls.env["crm.erp.followup.cadence"].create(
            {
                "name": "Test cadence",
                "step_ids": [
                    Command.create(
                        {
                            "sequence": 1,
                            "name": "Email after 3 days",
                            "days": 3,
                            "mail_template_id": cls.quote_template.id,
                        }
                    ),
                    Command.create(
                        {
                            "sequence": 2,
                            "name": "Call after 7 days",
                            "days": 7,
                            "activity_type_id": cls.activity_type.id,
                        }
                    ),
                    Command.create(
                        {
                            "sequence": 3,
                            "name": "Email before expiry",
                            "trigger": "before_expiry",
                            "days": 2,
                            "mail_template_id": cls.quote_template.id,
                        }
                    ),
                ],
            }
        )
        cls.step_email, cls.step_call, cls.step_expiry = cls.cadence.step_ids.sorted("sequence")

    @classmethod
    def _sent_quotation(cls, days_ago=0, validity_in=30, **values):
        """A quotation with the test cadence, sent ``days_ago`` days ago."""
        values.setdefault("bridge_cadence_id", cls.cadence.id)
        values.setdefault("validity_date", fields.Date.today() + timedelta(days=validity_in))
        order = cls._create_order(**values)
        order.action_quotation_sent()
        order.bridge_sent_date = fields.Datetime.now() - timedelta(days=days_ago)
        return order

    def _run_followups(self, orders=None):
        return self.env["crm.erp.cadence.engine"]._run("sale.order", record_ids=orders.ids if orders else None)[0]

    def _followup_logs(self, order):
        return self.env["crm.erp.cadence.log"].search([("order_id", "=", order.id)])

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common_followup import CrmErpBridgeFollowupCommon


@tagged("post_install", "-at_install")
class TestQuoteFollowupTour(HttpCase, CrmErpBridgeFollowupCommon):
    def test_quote_followup_tour_as_salesman(self):
        cadence = self.env["crm.erp.followup.cadence"].create(
            {
                "name": "Tour cadence",
                "step_ids": [
                    Command.create(
                        {
                            "sequence": 1,
                            "name": "Tour email step",
                            "days": 2,
                            "mail_template_id": self.quote_template.id,
                        }
                    ),
                    Command.create(
                        {"sequence": 2, "name": "Tour call step", "days": 9, "activity_type_id": self.activity_type.id}
                    ),
                ],
            }
        )
        order = self._sent_quotation(days_ago=3, bridge_cadence_id=cadence.id)
        self.env["crm.erp.cadence.engine"]._run("sale.order", record_ids=order.ids)
        self.start_tour(
            f"/odoo/action-sale.action_quotations_with_onboarding/{order.id}",
            "crm_erp_bridge_quote_followup_tour",
            login=self.salesman.login,
        )

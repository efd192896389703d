from datetime import timedelta

from odoo import Command, fields
from odoo.tests import TransactionCase, new_test_user


class CrmErpBridgeCommon(TransactionCase):
    """Customers, salespersons and documents shared by the bridge tests.

    Every test builds on its own customer so that the demo data of the
    database never changes a figure.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        # the jobs' "today" is the user's: UTC like the dates these tests compute (date.today())
        cls.env.user.tz = False
        cls.company = cls.env.company
        cls.currency = cls.company.currency_id
        cls.salesman = new_test_user(
            cls.env,
            login="bridge_salesman",
            name="Bridge Salesman",
            groups="sales_team.group_sale_salesman",
        )
        cls.other_salesman = new_test_user(
            cls.env,
            login="bridge_other_salesman",
            name="Bridge Other Salesman",
            groups="sales_team.group_sale_salesman",
        )
        cls.sales_manager = new_test_user(
            cls.env,
            login="bridge_sales_manager",
            name="Bridge Sales Manager",
            groups="sales_team.group_sale_manager,account.group_account_invoice",
        )
        cls.credit_manager = new_test_user(
            cls.env,
            login="bridge_credit_manager",
            name="Bridge Credit Manager",
            groups="sales_team.group_sale_salesman,"
            "crm_erp_bridge.group_crm_erp_bridge_credit_manager",
        )
        cls.internal_user = new_test_user(
            cls.env,
            login="bridge_internal",
            name="Bridge Internal",
            groups="base.group_user",
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Bridge Customer", "is_company": True, "email": "bridge@example.com"}
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Bridge Contact", "parent_id": cls.customer.id, "email": "contact@example.com"}
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Bridge Product", "list_price": 100.0, "type": "service", "invoice_policy": "order"}
        )

    # ------------------------------------------------------------------
    # document factories
    # ------------------------------------------------------------------

    @classmethod
    def _create_order(cls, partner=None, user=None, price=100.0, **values):
        return cls.env["sale.order"].create(
            {
                "partner_id": (partner or cls.customer).id,
                "user_id": (user or cls.salesman).id,
                "order_line": [
                    Command.create({"product_id": cls.product.id, "product_uom_qty": 1, "price_unit": price})
                ],
                **values,
            }
        )

    @classmethod
    def _create_invoice(cls, partner=None, user=None, price=100.0, invoice_date=None, due_date=None, post=True):
        invoice_date = invoice_date or fields.Date.today()
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": (partner or cls.customer).id,
                "invoice_user_id": (user or cls.salesman).id,
                "invoice_date": invoice_date,
                "invoice_date_due": due_date or invoice_date,
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": cls.product.id, "quantity": 1, "price_unit": price, "tax_ids": [Command.clear()]}
                    )
                ],
            }
        )
        if post:
            move.action_post()
        return move

    @classmethod
    def _pay_invoice(cls, invoice, payment_date=None, amount=None):
        values = {"payment_date": payment_date or fields.Date.today()}
        if amount is not None:
            values["amount"] = amount
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(values)
            ._create_payments()
        )

    @classmethod
    def _create_overdue_invoice(cls, partner=None, days=40, price=500.0):
        day = fields.Date.today() - timedelta(days=days)
        return cls._create_invoice(partner=partner, price=price, invoice_date=day, due_date=day)

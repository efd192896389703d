import base64

from odoo.tests import TransactionCase, new_test_user

OPPORTUNITY_HEADER = "document_ref,customer_ref,customer_name,customer_email,customer_country,salesperson," \
    "name,stage,expected_revenue,probability,date_deadline\n"
ORDER_HEADER = "document_ref,customer_ref,customer_name,customer_email,salesperson,date_order,state,currency," \
    "product,description,quantity,price_unit\n"
INVOICE_HEADER = "document_ref,customer_ref,customer_name,customer_email,salesperson,invoice_date,due_date," \
    "currency,product,description,quantity,price_unit\n"


class LegacyImportCommon(TransactionCase):
    """Importers, a known customer, products and a stage shared by the legacy import tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        # the least-privileged importers: Unification manager + the role of the documents
        cls.sales_importer = new_test_user(
            cls.env, login="legacy_sales_importer", name="Legacy Sales Importer",
            groups="customer_unification.group_customer_unification_manager,"
                   "sales_team.group_sale_salesman_all_leads")
        cls.billing_importer = new_test_user(
            cls.env, login="legacy_billing_importer", name="Legacy Billing Importer",
            groups="customer_unification.group_customer_unification_manager,account.group_account_invoice")
        cls.unification_manager = new_test_user(
            cls.env, login="legacy_unif_manager", name="Legacy Unification Manager",
            groups="customer_unification.group_customer_unification_manager")
        cls.salesman = new_test_user(
            cls.env, login="legacy_salesman", name="Legacy Salesman Anna",
            groups="sales_team.group_sale_salesman_all_leads,account.group_account_invoice")
        cls.known = cls.env["res.partner"].create({
            "name": "Legacymatch Impianti S.r.l.", "is_company": True, "email": "info@legacymatch.example"})
        cls.desk = cls.env["product.product"].create(
            {"name": "Legacy Desk", "default_code": "LEG-DESK", "list_price": 300.0, "type": "service"})
        cls.chair = cls.env["product.product"].create(
            {"name": "Legacy Chair", "list_price": 80.0, "type": "service"})
        cls.stage = cls.env["crm.stage"].create({"name": "Legacy Negotiation", "sequence": 3})
        cls.eur = cls.env.ref("base.EUR")
        cls.company_currency = cls.company.currency_id.name

    def _job(self, kind, content, user=None, source="Test ERP", filename="legacy.csv", **values):
        """A previewed import of ``content`` (text or bytes) as ``user``."""
        data = content.encode() if isinstance(content, str) else content
        job = self.env["crm.erp.legacy.import"].with_user(user or self.sales_importer).create(dict(
            {"kind": kind, "source_system": source, "file": base64.b64encode(data), "filename": filename},
            **values))
        job.action_preview()
        return job

    def _docs(self, job):
        return {doc.document_ref: doc for doc in job.document_ids}

    def assertConserved(self, job):
        """Rows in = created (or to create) + linked + rejected."""
        self.assertEqual(job.row_count, job.create_row_count + job.link_row_count + job.reject_row_count)
        self.assertEqual(job.row_count, sum(job.document_ids.mapped("row_count")))

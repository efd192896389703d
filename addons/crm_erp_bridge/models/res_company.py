from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    # --- Receivables in CRM and credit block (crm_erp_bridge core) ---
    bridge_overdue_amount_threshold = fields.Monetary(
        string="Overdue Amount Threshold",
        currency_field="currency_id",
        default=0.0,
        help="Warn on leads, opportunities and quotations when the customer's "
        "overdue amount is above this amount (0: any overdue amount).",
    )
    bridge_overdue_days_threshold = fields.Integer(
        string="Overdue Days Threshold",
        default=30,
        help="Warn when the customer's oldest overdue invoice is at least "
        "this many days past its due date.",
    )
    bridge_credit_block = fields.Boolean(
        string="Block Confirmation of Overdue Customers",
        default=False,
        help="A quotation of an overdue or over-limit customer cannot be "
        "confirmed unless a credit manager overrides it with a reason.",
    )
    bridge_exposure_receivables = fields.Boolean(
        string="Count Open Receivables",
        default=True,
        help="The credit exposure counts the customer's open receivables (posted invoices not paid).",
    )
    bridge_exposure_orders = fields.Boolean(
        string="Count Orders Not Invoiced",
        default=True,
        help="The credit exposure counts the confirmed orders not yet invoiced.",
    )
    bridge_exposure_deliveries = fields.Boolean(
        string="Count Deliveries Not Invoiced",
        default=True,
        help="The credit exposure counts the quantities delivered and not yet invoiced "
        "(with Inventory; without it the orders part counts them).",
    )
    # --- other crm_erp_bridge settings are inserted below this line ---
    # --- Revenue forecast (crm_erp_bridge reports) ---
    bridge_forecast_min_closed_quotations = fields.Integer(
        string="Minimum Decided Quotations",
        default=10,
        help="A sales team's measured conversion rate weights its quotations only when it rests on at "
        "least this many confirmed, cancelled or expired quotations; else the default rate applies.",
    )
    bridge_forecast_default_rate = fields.Float(
        string="Default Conversion Rate (%)",
        default=30.0,
        help="Weight of a quotation without open opportunity whose team has too little closing history.",
    )
    # --- Quote follow-up, expiry, dunning (crm_erp_bridge follow-up) ---
    bridge_won_on_confirm = fields.Boolean(
        string="Mark Opportunity Won on Confirmation",
        default=True,
        help="Confirming a quotation marks its opportunity won.",
    )
    bridge_expired_lost_reason_id = fields.Many2one(
        "crm.lost.reason",
        string="Lost Reason for Expired Quotations",
        help="Opportunities whose quotations all expired are marked lost with this reason "
        "(default: \"Quotation expired\").",
    )
    bridge_delivery_confirm_mode = fields.Selection(
        [
            ("none", "Never"),
            ("on_confirmation", "On order confirmation"),
            ("before_commitment", "Days before the delivery date"),
        ],
        string="Ask Customers to Confirm Delivery",
        default="on_confirmation",
        required=True,
        help="When the customer is emailed a portal link to confirm the delivery address, incoterm and date.",
    )
    bridge_delivery_confirm_days = fields.Integer(
        string="Days Before Delivery Date",
        default=7,
        help="With \"Days before the delivery date\": how many days before the order's delivery date to ask.",
    )
    bridge_delivery_confirm_timeout_days = fields.Integer(
        string="Days Without Answer",
        default=3,
        help="Without answer after this many days, an activity is scheduled for the salesperson.",
    )
    bridge_checkin_trigger = fields.Selection(
        [("none", "Never"), ("delivery", "After delivery"), ("payment", "After payment")],
        string="After-sale Check-in",
        default="payment",
        required=True,
        help="When the salesperson gets an activity to check in with the customer after a sale.",
    )
    bridge_checkin_delay_days = fields.Integer(
        string="Check-in Deadline (days)", default=7, help="Days between delivery/payment and the check-in deadline."
    )
    bridge_checkin_activity_type_id = fields.Many2one(
        "mail.activity.type", string="Check-in Activity", help="Activity type of the check-in (default: call)."
    )
    bridge_dormant_factor = fields.Float(
        string="Dormant After (x usual reorder gap)",
        default=2.0,
        help="A customer with no order for this many times the median gap between its past orders gets a "
        "reactivation opportunity (0: disabled).",
    )
    bridge_dormant_min_orders = fields.Integer(
        string="Minimum Past Orders",
        default=3,
        help="Customers with fewer confirmed orders have no reliable reorder interval and are ignored.",
    )

    def cache_invalidation_fields(self):
        # the management reports read the companies' currencies from a cache
        # (_bridge_company_currency_ids): a currency change clears it
        return super().cache_invalidation_fields() | {"currency_id"}

    @api.model
    @tools.ormcache()
    def _bridge_company_currency_ids(self):
        """Currencies the companies keep their books in (cached; creating a company or changing
        its currency clears the cache). The reports convert amounts only when one differs from
        the current company's currency."""
        self.flush_model(["currency_id"])
        self.env.cr.execute("SELECT DISTINCT currency_id FROM res_company")
        return frozenset(row[0] for row in self.env.cr.fetchall())

    def _bridge_get_expired_lost_reason(self):
        """Return the lost reason given to opportunities whose quotations expired."""
        self.ensure_one()
        return self.bridge_expired_lost_reason_id or self.env.ref(
            "crm_erp_bridge.crm_lost_reason_quotation_expired", raise_if_not_found=False
        ) or self.env["crm.lost.reason"]

    @api.constrains("bridge_delivery_confirm_days", "bridge_delivery_confirm_timeout_days")
    def _check_bridge_delivery_confirm_days(self):
        for company in self:
            if company.bridge_delivery_confirm_days < 0 or company.bridge_delivery_confirm_timeout_days < 0:
                raise ValidationError(self.env._("Delivery confirmation delays cannot be negative."))

    @api.constrains("bridge_checkin_delay_days", "bridge_dormant_factor", "bridge_dormant_min_orders")
    def _check_bridge_after_sale_settings(self):
        for company in self:
            if (
                company.bridge_checkin_delay_days < 0
                or company.bridge_dormant_factor < 0
                or company.bridge_dormant_min_orders < 0
            ):
                raise ValidationError(self.env._("After-sale delays, factor and minimum orders cannot be negative."))

    @api.constrains("bridge_forecast_min_closed_quotations", "bridge_forecast_default_rate")
    def _check_bridge_forecast_settings(self):
        for company in self:
            if company.bridge_forecast_min_closed_quotations < 0:
                raise ValidationError(self.env._("The minimum number of decided quotations cannot be negative."))
            if not 0.0 <= company.bridge_forecast_default_rate <= 100.0:
                raise ValidationError(self.env._("The default conversion rate must be between 0 and 100 %."))

    @api.constrains("bridge_overdue_amount_threshold", "bridge_overdue_days_threshold")
    def _check_bridge_overdue_thresholds(self):
        for company in self:
            if company.bridge_overdue_amount_threshold < 0:
                raise ValidationError(
                    self.env._("The overdue amount threshold cannot be negative.")
                )
            if company.bridge_overdue_days_threshold < 0:
                raise ValidationError(
                    self.env._("The overdue days threshold cannot be negative.")
                )

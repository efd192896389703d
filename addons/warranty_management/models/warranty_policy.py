from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

DURATION_UNITS = [("day", "Days"), ("month", "Months"), ("year", "Years")]


class WarrantyPolicy(models.Model):
    """Commercial warranty promise attached to products or categories.

    Registrations copy (snapshot) the dates and coverage the policy grants at
    the moment they are created: editing a policy later does not rewrite the
    entitlements already given to customers.
    """

    _name = "warranty.policy"
    _description = "Warranty Policy"
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company", "Company", index=True, default=lambda self: self.env.company,
        help="Leave empty to share the policy between companies.")
    duration = fields.Integer(required=True, default=1)
    duration_unit = fields.Selection(
        DURATION_UNITS, string="Duration Unit", required=True, default="year")
    start_trigger = fields.Selection([
        ("order", "Order confirmation"),
        ("delivery", "Delivery"),
        ("invoice", "Invoice"),
        ("registration", "Customer registration"),
    ], required=True, default="delivery",
        help="Event that starts the warranty and creates the registrations automatically. "
             "With 'Customer registration' the units are registered by hand or in the portal.")
    coverage_parts_pct = fields.Float("Parts Coverage (%)", default=100.0)
    coverage_labor_pct = fields.Float("Labor Coverage (%)", default=100.0)
    coverage_travel_pct = fields.Float("Travel/Shipping Coverage (%)", default=100.0)
    terms = fields.Html(translate=True, sanitize=True)
    consumer_legal_months = fields.Integer(
        "Legal Minimum for Consumers (months)",
        help="Statutory guarantee for individuals (e.g. 24 months in the EU). When longer than the "
             "commercial duration, it wins for customers that are not companies.")
    provision_method = fields.Selection([
        ("percent", "Percentage of revenue"),
        ("per_unit", "Amount per unit"),
    ], string="Provision Method", default="percent", required=True)
    provision_percent = fields.Float("Provision (% of revenue)")
    provision_amount = fields.Monetary("Provision per Unit", currency_field="currency_id")
    currency_id = fields.Many2one(
        "res.currency", compute="_compute_currency_id",
        default=lambda self: self.env.company.currency_id)
    renewal_product_id = fields.Many2one(
        "product.product", "Renewal Product", check_company=True,
        domain="[('warranty_extension', '=', True)]",
        help="Extended-warranty service proposed in the renewal opportunity.")
    renewal_days_before = fields.Integer(
        "Renewal Days Before Expiry", default=30,
        help="A renewal opportunity is created this many days before a registration expires. "
             "Zero disables renewals for this policy.")
    sla_response_days = fields.Integer(
        "SLA Review (days)", default=2, help="Days allowed to review a new claim.")
    sla_resolution_days = fields.Integer(
        "SLA Resolution (days)", default=10, help="Days allowed to resolve a claim.")
    require_return_before_resolution = fields.Boolean(
        "Return Before Replacement/Refund",
        help="A claim is resolved by a replacement or a refund only once the defective unit is received "
             "back (its return receipt validated).")
    registration_count = fields.Integer(compute="_compute_registration_count")

    @api.depends("company_id")
    def _compute_currency_id(self):
        for policy in self:
            policy.currency_id = (policy.company_id or self.env.company).currency_id

    def _compute_registration_count(self):
        counts = dict(self.env["warranty.registration"]._read_group(
            [("policy_id", "in", self.ids)], ["policy_id"], ["__count"]))
        for policy in self:
            policy.registration_count = counts.get(policy, 0)

    @api.constrains("duration", "consumer_legal_months", "renewal_days_before",
                    "sla_response_days", "sla_resolution_days")
    def _check_durations(self):
        for policy in self:
            if policy.duration <= 0:
                raise ValidationError(self.env._(
                    "The duration of warranty policy %(policy)s must be positive.", policy=policy.name))
            if min(policy.consumer_legal_months, policy.renewal_days_before,
                   policy.sla_response_days, policy.sla_resolution_days) < 0:
                raise ValidationError(self.env._(
                    "Legal minimum, renewal and SLA days of policy %(policy)s cannot be negative.",
                    policy=policy.name))

    @api.constrains("coverage_parts_pct", "coverage_labor_pct", "coverage_travel_pct", "provision_percent",
                    "provision_amount")
    def _check_percentages(self):
        for policy in self:
            pcts = (policy.coverage_parts_pct, policy.coverage_labor_pct, policy.coverage_travel_pct,
                    policy.provision_percent)
            if any(pct < 0 or pct > 100 for pct in pcts):
                raise ValidationError(self.env._(
                    "Coverage and provision percentages of policy %(policy)s must be between 0 and 100.",
                    policy=policy.name))
            if policy.provision_amount < 0:
                raise ValidationError(self.env._(
                    "The provision per unit of policy %(policy)s cannot be negative.", policy=policy.name))

    # ------------------------------------------------------------------
    # Seams
    # ------------------------------------------------------------------
    def _get_commercial_delta(self):
        """Return the commercial duration of the policy as a ``relativedelta``.

        Calendar-correct: one month after 31 January is 28/29 February.
        """
        self.ensure_one()
        unit = {"day": "days", "month": "months", "year": "years"}[self.duration_unit]
        return relativedelta(**{unit: self.duration})

    @api.model
    def _is_consumer(self, partner):
        """Return True when ``partner`` is protected by the consumer legal minimum.

        Default rule: the commercial entity is an individual (not a company).
        """
        return bool(partner) and not partner.commercial_partner_id.is_company

    def _get_end_date(self, start_date, partner=None):
        """Return the last covered day for a unit starting on ``start_date``.

        The legal minimum for consumers wins over a shorter commercial duration.
        The unit is covered up to and including the returned day: a one-year warranty
        from 15 March 2024 ends on 15 March 2025; one month from 31 January ends on 28/29 February.
        """
        self.ensure_one()
        if not start_date:
            return False
        end = start_date + self._get_commercial_delta()
        if self.consumer_legal_months and self._is_consumer(partner):
            end = max(end, start_date + relativedelta(months=self.consumer_legal_months))
        return end

    def _get_registration_terms(self, start_date, partner=None):
        """Return what this policy grants a unit starting on ``start_date`` sold to ``partner``.

        THE coverage rule of a registration: the form (computed fields), batch registration
        (deliveries, invoices, portal) and every other place that registers a unit use it, so
        overriding it changes them all. Extensions bought later are added on top by the
        registration.

        :return: dict of ``warranty.registration`` values: ``base_end_date`` and the
            ``coverage_<cost>_pct`` of each cost type (parts, labor, travel)
        """
        self.ensure_one()
        return {
            "base_end_date": self._get_end_date(start_date, partner),
            "coverage_parts_pct": self.coverage_parts_pct,
            "coverage_labor_pct": self.coverage_labor_pct,
            "coverage_travel_pct": self.coverage_travel_pct,
        }

    def action_view_registrations(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("warranty_management.warranty_registration_action")
        action["domain"] = [("policy_id", "=", self.id)]
        action["context"] = {"default_policy_id": self.id}
        return action

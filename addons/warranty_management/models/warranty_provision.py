import logging

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


class WarrantyProvision(models.Model):
    """Warranty provision (IAS 37) accrued for one invoiced product line.

    Each accrual is a layer: covered claim costs of the same product and policy
    consume the oldest open layers first (FIFO); what a layer still holds when its
    warranty period is over is released. Movements are kept in
    ``warranty.provision.line``.
    """

    _name = "warranty.provision"
    _inherit = ["warranty.job.mixin"]
    _description = "Warranty Provision"
    _order = "date, id"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", "Company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    product_id = fields.Many2one("product.product", "Product", required=True, index=True, check_company=True)
    policy_id = fields.Many2one("warranty.policy", "Policy", required=True, index=True, check_company=True)
    partner_id = fields.Many2one("res.partner", "Customer", index=True)
    invoice_line_id = fields.Many2one(
        "account.move.line", "Invoice Line", index="btree_not_null", ondelete="set null", check_company=True)
    invoice_id = fields.Many2one(
        "account.move", "Invoice", index="btree_not_null", ondelete="set null", check_company=True)
    quantity = fields.Float("Units", digits="Product Unit of Measure")
    date = fields.Date("Accrual Date", required=True, index=True)
    date_expiry = fields.Date(
        "Expiry Date", required=True, index=True,
        help="Last day of the warranty of the units; the unused provision is released after it.")
    line_ids = fields.One2many("warranty.provision.line", "provision_id", "Movements")
    amount_accrued = fields.Monetary(
        "Accrued", compute="_compute_amounts", store=True, help="Accrued, less reversals for credit notes.")
    amount_used = fields.Monetary("Used", compute="_compute_amounts", store=True)
    amount_released = fields.Monetary("Released", compute="_compute_amounts", store=True)
    amount_remaining = fields.Monetary("Balance", compute="_compute_amounts", store=True)
    state = fields.Selection(
        [("open", "Open"), ("consumed", "Consumed"), ("released", "Released")],
        compute="_compute_amounts", store=True, index=True)

    @api.depends("invoice_id", "product_id")
    def _compute_display_name(self):
        for provision in self:
            provision.display_name = " - ".join(
                name for name in (provision.invoice_id.name, provision.product_id.display_name) if name)

    @api.depends("line_ids.kind", "line_ids.amount")
    def _compute_amounts(self):
        for provision in self:
            totals = dict.fromkeys(("accrual", "reversal", "use", "release"), 0.0)
            for line in provision.line_ids:
                totals[line.kind] += line.amount
            totals["accrual"] -= totals["reversal"]
            provision.amount_accrued = totals["accrual"]
            provision.amount_used = totals["use"]
            provision.amount_released = totals["release"]
            remaining = provision.currency_id.round(totals["accrual"] - totals["use"] - totals["release"])
            provision.amount_remaining = remaining
            if totals["release"]:
                provision.state = "released"
            elif provision.currency_id.is_zero(remaining) and totals["accrual"]:
                provision.state = "consumed"
            else:
                provision.state = "open"

    # ------------------------------------------------------------------
    # Seams
    # ------------------------------------------------------------------
    @api.model
    def _get_provision_amount(self, invoice_line, policy):
        """Return the provision of ``invoice_line`` (company currency), signed.

        Seam. Positive for revenue in the direction of its document (sold on an invoice,
        given back on a credit note), negative for lines going the other way (discount
        lines, negative quantities). ``percent``: the policy percentage of the line's
        untaxed revenue in company currency; ``per_unit``: the policy amount per unit
        (in the product's unit of measure).
        """
        currency = invoice_line.company_id.currency_id
        sign = 1 if invoice_line.move_id.move_type == "out_refund" else -1
        if policy.provision_method == "per_unit":
            qty = invoice_line.product_uom_id._compute_quantity(
                invoice_line.quantity, invoice_line.product_id.uom_id, raise_if_failure=False)
            amount = policy.currency_id._convert(
                policy.provision_amount, currency, invoice_line.company_id,
                invoice_line.date or fields.Date.context_today(self))
            # a negative quantity on a credit note gives back less, as on an invoice
            return currency.round(qty * amount)
        return currency.round(sign * invoice_line.balance * policy.provision_percent / 100.0)

    @api.model
    def _net_provision_amounts(self, lines, policies):
        """Return ``[(line, policy, amount > 0)]`` for the product lines of ONE document.

        Negative amounts (discount lines, negative quantities) reduce the positive ones of
        the same product and policy, never below zero: they never increase a provision.
        """
        currency = lines.company_id.currency_id[:1]
        amounts = {}
        for line in lines:
            policy = policies.get(line.product_id)
            if policy:
                amounts[line] = (policy, self._get_provision_amount(line, policy))
        result = []
        for key in {(line.product_id, policy) for line, (policy, __) in amounts.items()}:
            key_lines = [(line, amount) for line, (policy, amount) in amounts.items()
                         if (line.product_id, policy) == key]
            to_deduct = -sum(amount for __, amount in key_lines if amount < 0)
            for line, amount in key_lines:
                if amount <= 0:
                    continue
                take = min(amount, to_deduct)
                to_deduct -= take
                amount = currency.round(amount - take)
                if currency.compare_amounts(amount, 0.0) > 0:
                    result.append((line, key[1], amount))
        return sorted(result, key=lambda item: item[0].id)

    @api.model
    def _get_expiry_date(self, invoice_line, policy):
        """Return the date after which the provision of ``invoice_line`` is released.

        Seam. Default: the policy's end date for a unit whose warranty starts at the
        invoice date (legal minimum for consumers included).
        """
        start = invoice_line.move_id.invoice_date or invoice_line.date
        return policy._get_end_date(start, invoice_line.move_id.partner_id)

    @api.model
    def _get_journal(self, company):
        """Return the journal of warranty entries for ``company``: the configured one, else
        the first miscellaneous journal."""
        return company.warranty_journal_id or self.env["account.journal"].search([
            *self.env["account.journal"]._check_company_domain(company), ("type", "=", "general"),
        ], limit=1)

    @api.model
    def _is_configured(self, company):
        """Return True when ``company`` has what provision entries need."""
        return not self._get_missing_configuration(company)

    @api.model
    def _get_missing_configuration(self, company):
        """Return the labels of what ``company`` lacks for provision entries (empty when complete)."""
        missing = [
            label for field_name, label in (
                ("warranty_provision_account_id", self.env._("Warranty Provision Account")),
                ("warranty_provision_expense_account_id", self.env._("Warranty Provision Expense Account")),
            ) if not company[field_name]
        ]
        if not self._get_journal(company):
            missing.append(self.env._("Warranty Journal"))
        return missing

    @api.model
    def _check_configured(self, company):
        """Raise a clear error when ``company`` cannot book a provision movement that is due."""
        missing = self._get_missing_configuration(company)
        if missing:
            raise UserError(self.env._(
                "%(company)s books warranty provisions but lacks their accounting configuration. Configure "
                "the following in the Warranty settings: %(missing)s",
                company=company.name, missing=", ".join(missing)))

    # ------------------------------------------------------------------
    # Accrual
    # ------------------------------------------------------------------
    @api.model
    def _accrue_for_invoices(self, invoices):
        """Accrue the provisions of posted customer invoices (one entry per invoice).

        Idempotent: invoice lines that already have a provision are skipped. Companies
        without provision accounts are skipped (see the configuration documentation).
        """
        invoices = invoices.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")
        if not invoices:
            return self
        lines = invoices.invoice_line_ids.filtered(lambda aml: aml.display_type == "product" and aml.product_id)
        # lines accrued already (re-posted invoice) are never accrued twice
        lines -= self.sudo().search([("invoice_line_id", "in", lines.ids)]).invoice_line_id
        policies = lines.product_id._get_warranty_policies()
        provisions = self.sudo()
        for invoice in invoices:
            company = invoice.company_id
            vals_list = self._net_provision_amounts(
                lines.filtered(lambda aml, inv=invoice: aml.move_id == inv), policies)
            if vals_list:
                self._check_configured(company)
                provisions |= self._create_accrual(invoice, vals_list)
        return provisions

    @api.model
    def _reverse_for_refunds(self, refunds):
        """Reduce the provision for posted customer credit notes: revenue given back no longer
        needs its provision.

        The amount is computed like an accrual; it is taken from the layers of the reversed
        invoice first, then from the oldest open layers of the same product and policy, never
        beyond their balance. One entry per credit note; idempotent.
        """
        refunds = refunds.filtered(lambda m: (
            m.move_type == "out_refund" and m.state == "posted" and not m.warranty_provision_move_id))
        for refund in refunds:
            company = refund.company_id
            lines = refund.invoice_line_ids.filtered(lambda aml: aml.display_type == "product" and aml.product_id)
            amounts = self._net_provision_amounts(lines, lines.product_id._get_warranty_policies())
            if not amounts:
                continue
            self._check_configured(company)
            remaining = {}
            reversals = []
            for line, policy, amount in amounts:
                layers = self._lock_open_provisions(company, line.product_id, policy)
                origin = layers.filtered(lambda p, r=refund: p.invoice_id == r.reversed_entry_id)
                for layer in origin + (layers - origin):
                    if company.currency_id.compare_amounts(amount, 0.0) <= 0:
                        break
                    available = remaining.setdefault(layer, layer.amount_remaining)
                    take = company.currency_id.round(min(available, amount))
                    if company.currency_id.compare_amounts(take, 0.0) <= 0:
                        continue
                    remaining[layer] = company.currency_id.round(available - take)
                    amount = company.currency_id.round(amount - take)
                    reversals.append((layer, take))
            if reversals:
                self._create_reversal(refund, reversals)

    @api.model
    def _cancel_refund_reversals(self, refunds):
        """Undo the provision reversal of credit notes leaving the posted state.

        Their reversal entry is reversed and its movements removed: the layers hold again
        what the credit note had taken from them.
        """
        for refund in refunds.filtered(lambda m: m.move_type == "out_refund" and m.warranty_provision_move_id):
            entry = refund.warranty_provision_move_id.sudo()
            entry._reverse_moves([{
                "ref": self.env._("Reversal of %(entry)s (credit note %(refund)s reset)",
                                  entry=entry.name, refund=refund.name),
                "date": entry.date,
            }], cancel=True)
            self.env["warranty.provision.line"].sudo().search([
                ("account_move_id", "=", entry.id), ("kind", "=", "reversal")]).unlink()
            refund.sudo().warranty_provision_move_id = False

    @api.model
    def _prepare_provision_move_lines(self, company, amount, common, increase=True):
        """Return the two balanced journal item commands moving ``amount`` of provision.

        THE provision posting rule: accruals (``increase``: debit the provision expense,
        credit the provision liability), refund reversals, releases and the use of the
        provision by warranty costs (the other way round) all book through it.

        :param common: values shared by both items (label, partner, product)
        """
        expense = company.warranty_provision_expense_account_id
        liability = company.warranty_provision_account_id
        debit_account, credit_account = (expense, liability) if increase else (liability, expense)
        return [
            Command.create({**common, "account_id": debit_account.id, "debit": amount, "credit": 0.0}),
            Command.create({**common, "account_id": credit_account.id, "debit": 0.0, "credit": amount}),
        ]

    @api.model
    def _create_provision_entry(self, company, date, ref, move_lines):
        """Create and post a provision journal entry of ``company`` in the warranty journal."""
        move = self.env["account.move"].sudo().create({
            "move_type": "entry",
            "company_id": company.id,
            "journal_id": self._get_journal(company).id,
            "date": date,
            "ref": ref,
            "line_ids": move_lines,
        })
        move.action_post()
        return move

    @api.model
    def _create_reversal(self, refund, reversals):
        """Create and post the entry reducing the provision layers for ``refund``.

        ``reversals``: list of ``(provision, amount)``.
        """
        company = refund.company_id
        move_lines = []
        for provision, amount in reversals:
            common = {
                "name": self.env._("Warranty provision reversal %(refund)s: %(product)s",
                                   refund=refund.name, product=provision.product_id.display_name),
                "partner_id": provision.partner_id.id,
                "product_id": provision.product_id.id,
            }
            move_lines += self._prepare_provision_move_lines(company, amount, common, increase=False)
        move = self._create_provision_entry(
            company, refund.date, self.env._("Warranty provision reversal of %(refund)s", refund=refund.name),
            move_lines)
        self.env["warranty.provision.line"].sudo().create([{
            "provision_id": provision.id, "kind": "reversal", "amount": amount, "date": refund.date,
            "account_move_id": move.id,
        } for provision, amount in reversals])
        refund.sudo().warranty_provision_move_id = move
        return move

    @api.model
    def _create_accrual(self, invoice, vals_list):
        """Create and post the accrual entry of ``invoice`` and its provision layers.

        ``vals_list``: list of ``(invoice_line, policy, amount)``.
        """
        company = invoice.company_id
        partner = invoice.partner_id.commercial_partner_id
        move_lines = []
        for line, _policy, amount in vals_list:
            label = self.env._("Warranty provision %(invoice)s: %(product)s",
                               invoice=invoice.name, product=line.product_id.display_name)
            common = {"name": label, "partner_id": partner.id, "product_id": line.product_id.id}
            move_lines += self._prepare_provision_move_lines(company, amount, common, increase=True)
        move = self._create_provision_entry(
            company, invoice.date, self.env._("Warranty provision of %(invoice)s", invoice=invoice.name),
            move_lines)
        provisions = self.sudo().create([{
            "company_id": company.id,
            "product_id": line.product_id.id,
            "policy_id": policy.id,
            "partner_id": partner.id,
            "invoice_line_id": line.id,
            "invoice_id": invoice.id,
            "quantity": line.quantity,
            "date": invoice.invoice_date or invoice.date,
            "date_expiry": self._get_expiry_date(line, policy),
            "line_ids": [(0, 0, {
                "kind": "accrual", "amount": amount, "date": invoice.date, "account_move_id": move.id,
            })],
        } for line, policy, amount in vals_list])
        invoice.sudo().warranty_provision_move_id = move
        return provisions

    # ------------------------------------------------------------------
    # Use
    # ------------------------------------------------------------------
    @api.model
    def _lock_open_provisions(self, company, product, policy):
        """Return the open provision layers of ``product``/``policy``, oldest first, locked
        for update so two postings cannot consume the same balance."""
        provisions = self.sudo().search([
            ("company_id", "=", company.id), ("product_id", "=", product.id), ("policy_id", "=", policy.id),
            ("state", "=", "open"), ("amount_remaining", ">", 0),
        ], order="date, id")
        if provisions:
            self.env.cr.execute(SQL(
                "SELECT id FROM warranty_provision WHERE id IN %s ORDER BY id FOR UPDATE",
                tuple(provisions.ids)))
            provisions.invalidate_recordset(["amount_remaining", "state"])
            provisions = provisions.filtered(lambda p: p.state == "open" and p.amount_remaining > 0)
        return provisions

    @api.model
    def _get_available_balance(self, company, product, policy):
        """Return the provision balance available for claims on ``product`` under ``policy``."""
        if not (product and policy):
            return 0.0
        groups = self.sudo()._read_group([
            ("company_id", "=", company.id), ("product_id", "=", product.id), ("policy_id", "=", policy.id),
            ("state", "=", "open"),
        ], [], ["amount_remaining:sum"])
        return groups[0][0] or 0.0

    def _consume(self, cost_lines, move):
        """Consume ``self`` (open layers, oldest first) for the covered amounts of ``cost_lines``.

        Creates the ``use`` movements and records on each cost line the part absorbed.
        Returns the total consumed.
        """
        currency = cost_lines.company_id.currency_id
        remaining = {provision: provision.amount_remaining for provision in self}
        use_vals = []
        total = 0.0
        for cost_line in cost_lines:
            to_absorb = cost_line.covered_amount
            absorbed = 0.0
            for provision in self:
                if currency.compare_amounts(to_absorb, 0.0) <= 0:
                    break
                take = min(remaining[provision], to_absorb)
                if currency.compare_amounts(take, 0.0) <= 0:
                    continue
                remaining[provision] = currency.round(remaining[provision] - take)
                to_absorb = currency.round(to_absorb - take)
                absorbed += take
                use_vals.append({
                    "provision_id": provision.id, "kind": "use", "amount": take, "date": move.date,
                    "account_move_id": move.id, "cost_line_id": cost_line.id,
                })
            cost_line._write_posting_values({"provision_used_amount": currency.round(absorbed)})
            total += absorbed
        if use_vals:
            self.env["warranty.provision.line"].sudo().create(use_vals)
        return currency.round(total)

    # ------------------------------------------------------------------
    # Release
    # ------------------------------------------------------------------
    @api.model
    def _get_expired_domain(self, date):
        """Return the domain of open provision layers whose warranty ended before ``date``."""
        return [("state", "=", "open"), ("date_expiry", "<", date)]

    def _release(self, date):
        """Release the unused balance of ``self``: one posted entry per company."""
        released = self.browse()
        for company in self.company_id:
            provisions = self.filtered(lambda p, c=company: p.company_id == c and p.amount_remaining > 0)
            if not provisions or not self._is_configured(company):
                continue
            # one pair of lines per product: the layers' detail stays in the provision ledger
            by_product = {}
            for provision in provisions:
                by_product[provision.product_id] = by_product.get(provision.product_id, 0.0) + \
                    provision.amount_remaining
            move_lines = []
            for product, amount in by_product.items():
                amount = company.currency_id.round(amount)
                common = {
                    "name": self.env._("Warranty provision release: %(product)s", product=product.display_name),
                    "product_id": product.id,
                }
                move_lines += self._prepare_provision_move_lines(company, amount, common, increase=False)
            move = self._create_provision_entry(
                company, date, self.env._("Release of expired warranty provisions"), move_lines)
            self.env["warranty.provision.line"].sudo().create([{
                "provision_id": provision.id, "kind": "release", "amount": provision.amount_remaining,
                "date": date, "account_move_id": move.id,
            } for provision in provisions])
            released |= provisions
        return released

    def _get_registration_end_dates(self):
        """Return ``{provision: last end date}`` of the active registrations of the units each
        provision was accrued for (same invoice line, or same sale order line). Seam."""
        registrations = self.env["warranty.registration"].sudo()
        sale_lines = self.invoice_line_id.sale_line_ids
        groups = registrations._read_group(
            [("state", "=", "active"), "|", ("invoice_line_id", "in", self.invoice_line_id.ids),
             ("sale_line_id", "in", sale_lines.ids)],
            ["invoice_line_id", "sale_line_id"], ["end_date:max"])
        by_invoice_line, by_sale_line = {}, {}
        for invoice_line, sale_line, end_date in groups:
            if invoice_line:
                by_invoice_line[invoice_line] = max(end_date, by_invoice_line.get(invoice_line, end_date))
            if sale_line:
                by_sale_line[sale_line] = max(end_date, by_sale_line.get(sale_line, end_date))
        result = {}
        for provision in self:
            dates = [by_invoice_line.get(provision.invoice_line_id)] + [
                by_sale_line.get(sale_line) for sale_line in provision.invoice_line_id.sale_line_ids]
            dates = [date for date in dates if date]
            if dates:
                result[provision] = max(dates)
        return result

    def _postpone_to_registration_end(self, date):
        """Move the expiry of provisions whose units are still under an active registration
        (e.g. extended warranty bought later) to the registration's end; return them."""
        postponed = self.browse()
        for provision, end_date in self._get_registration_end_dates().items():
            if end_date >= date:
                provision.date_expiry = end_date
                postponed |= provision
        return postponed

    @api.model
    def _cron_release_expired(self, batch_size=500):
        """Release the unused provision of expired warranties, ``batch_size`` layers per run.

        A layer whose units still have an active registration ending later (extended
        warranty) is postponed to that end instead. Reports progress to the cron runner,
        which calls again until nothing is left: memory stays bounded whatever the number
        of expired layers. A layer that cannot be released is reported and retried
        tomorrow; the others are released all the same.
        """
        today = fields.Date.context_today(self)
        companies = self.env["res.company"].sudo().search([])
        configured = companies.filtered(self._is_configured)
        self._report_unconfigured_release(companies - configured, today)
        domain = [*self._get_expired_domain(today), ("company_id", "in", configured.ids),
                  *self._job_retry_domain()]
        provisions = self.sudo().search(domain, limit=batch_size, order="date_expiry, id")
        job_name = self.env._("Warranty provision release")
        checked, __ = provisions._job_run(lambda records: records._postpone_to_registration_end(today), job_name)
        extended = checked.filtered(lambda p: p.date_expiry >= today)
        released = self.sudo()
        for company in (checked - extended).company_id:
            to_release = (checked - extended).filtered(lambda p, c=company: p.company_id == c)
            done, __ = to_release._job_run(lambda records: records._release(today), job_name)
            released |= done
        # counted after the work: postponed and failed layers have left the domain
        remaining = self.sudo().search_count(domain)
        self.env["ir.cron"]._notify_progress(done=len(released | extended), remaining=remaining)
        return released

    @api.model
    def _report_unconfigured_release(self, companies, date):
        """Log the companies whose expired provisions wait for their provision accounts."""
        for company in companies:
            if self.sudo().search_count([*self._get_expired_domain(date), ("company_id", "=", company.id)],
                                        limit=1):
                _logger.warning(
                    "Expired warranty provisions of %s are not released: configure its warranty provision "
                    "accounts and journal.", company.name)

    def _job_notify_failure(self, job_name, message):
        """Provisions have no chatter: the note goes to the invoice that accrued them."""
        self.ensure_one()
        if self.invoice_id:
            self.invoice_id.sudo().message_post(body=self.env._(
                "%(job)s failed on the provision of %(product)s: %(error)s. It will be retried tomorrow.",
                job=job_name, product=self.product_id.display_name, error=message))

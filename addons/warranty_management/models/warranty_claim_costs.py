from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL


class WarrantyClaim(models.Model):
    """Costs of a claim and their booking: covered part to the books, chargeable part invoiced."""

    _inherit = "warranty.claim"

    cost_line_ids = fields.One2many("warranty.claim.cost.line", "claim_id", "Costs")
    cost_currency_id = fields.Many2one(related="company_id.currency_id", string="Cost Currency")
    cost_amount_total = fields.Monetary(
        "Total Cost", compute="_compute_cost_totals", currency_field="cost_currency_id")
    cost_covered_total = fields.Monetary(
        "Covered Cost", compute="_compute_cost_totals", currency_field="cost_currency_id")
    cost_chargeable_total = fields.Monetary(
        "Chargeable Cost", compute="_compute_cost_totals", currency_field="cost_currency_id")
    cost_to_post = fields.Boolean(compute="_compute_cost_totals")
    cost_move_ids = fields.One2many("account.move", "warranty_claim_id", "Warranty Entries and Invoices")
    cost_move_count = fields.Integer(compute="_compute_cost_move_count")
    supplier_claim_ids = fields.One2many("warranty.supplier.claim", "claim_id", "Supplier Claims")
    supplier_claim_count = fields.Integer(compute="_compute_supplier_claim_count")

    @api.depends("cost_line_ids.amount", "cost_line_ids.covered_amount", "cost_line_ids.chargeable_amount",
                 "cost_line_ids.state")
    def _compute_cost_totals(self):
        for claim in self:
            lines = claim.cost_line_ids
            claim.cost_amount_total = sum(lines.mapped("amount"))
            claim.cost_covered_total = sum(lines.mapped("covered_amount"))
            claim.cost_chargeable_total = sum(lines.mapped("chargeable_amount"))
            claim.cost_to_post = any(line.state == "draft" for line in lines)

    def _compute_cost_move_count(self):
        # a count reveals nothing: warranty users without accounting rights see the button too
        counts = dict(self.env["account.move"].sudo()._read_group(
            [("warranty_claim_id", "in", self.ids)], ["warranty_claim_id"], ["__count"]))
        for claim in self:
            claim.cost_move_count = counts.get(claim, 0)

    def _compute_supplier_claim_count(self):
        counts = dict(self.env["warranty.supplier.claim"]._read_group(
            [("claim_id", "in", self.ids)], ["claim_id"], ["__count"]))
        for claim in self:
            claim.supplier_claim_count = counts.get(claim, 0)

    def action_view_supplier_claims(self):
        self.ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Supplier Claims"),
            "res_model": "warranty.supplier.claim",
            "view_mode": "list,form",
            "domain": [("claim_id", "=", self.id)],
            "context": {"create": False},
        }

    # ------------------------------------------------------------------
    # Seams
    # ------------------------------------------------------------------
    def _check_cost_lines_editable(self):
        """Refuse costs on claims that were rejected. Seam."""
        rejected = self.filtered(lambda c: c.state == "rejected")
        if rejected:
            raise UserError(self.env._(
                "Costs cannot be recorded on rejected claim %(claim)s.", claim=rejected[0].display_name))

    def _check_costs_postable(self):
        """Refuse posting the costs of claims that are not approved yet, or rejected. Seam."""
        self.ensure_one()
        if self.state in ("new", "review", "under_review", "rejected"):
            raise UserError(self.env._(
                "The costs of claim %(claim)s can only be posted once the claim is approved.",
                claim=self.display_name))

    def _check_cost_accounting_configuration(self):
        """Raise a clear error when the company lacks what the cost entry needs."""
        self.ensure_one()
        company = self.company_id
        missing = [
            label for field_name, label in (
                ("warranty_expense_account_id", self.env._("Warranty Expense Account")),
                ("warranty_cost_counterpart_account_id", self.env._("Warranty Cost Counterpart Account")),
            ) if not company[field_name]
        ]
        if not self.env["warranty.provision"]._get_journal(company):
            missing.append(self.env._("Warranty Journal"))
        if missing:
            raise UserError(self.env._(
                "Configure the following in Warranty settings of %(company)s before posting costs: %(missing)s",
                company=company.name, missing=", ".join(missing)))

    def _get_provision_key(self):
        """Return ``(product, policy)`` whose provision absorbs the covered costs of this claim."""
        self.ensure_one()
        return self.product_id, self.registration_id.policy_id

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_post_costs(self):
        """Post the draft costs of the claims: covered part as a journal entry, chargeable
        part as a draft customer invoice. Warranty managers only; idempotent."""
        if not self.env.user.has_group("warranty_management.group_warranty_manager"):
            raise AccessError(self.env._("Only warranty managers can post warranty costs."))
        for claim in self:
            # all or nothing per claim: no entry without posted lines, no posted line without entry
            with self.env.cr.savepoint():
                claim._post_costs()
        return True

    def action_load_stock_costs(self):
        """Add a draft cost line for each done repair part and replacement delivery move
        of the claims not loaded yet, valued at its stock valuation cost."""
        self.check_access("write")
        moves = self._get_cost_stock_moves()
        loaded = self.env["warranty.claim.cost.line"].search([("stock_move_id", "in", moves.ids)]).stock_move_id
        vals_list = []
        for claim in self:
            for move in moves - loaded:
                if claim in (move.picking_id.warranty_claim_id, move.repair_id.warranty_claim_id):
                    vals_list.append(claim._prepare_stock_cost_line_vals(move))
        lines = self.env["warranty.claim.cost.line"].create(vals_list)
        if not lines:
            raise UserError(self.env._("No new consumed part or replacement to load."))
        return True

    def _get_cost_stock_moves(self):
        """Return the done stock moves whose cost belongs to the claims: parts added by the
        repair orders and units shipped by the replacement deliveries. Seam."""
        return self.env["stock.move"].sudo().search([
            ("state", "=", "done"),
            "|",
            "&", ("repair_id", "in", self.repair_id.ids), ("repair_line_type", "=", "add"),
            ("picking_id", "in", self.replacement_picking_id.ids),
        ])

    def _prepare_stock_cost_line_vals(self, move):
        """Return the cost line values of a done stock ``move`` of the claim."""
        self.ensure_one()
        return {
            "claim_id": self.id,
            "cost_type": "parts" if move.repair_id else "replacement",
            "product_id": move.product_id.id,
            "lot_id": move.move_line_ids.lot_id[:1].id,
            "quantity": move.product_uom._compute_quantity(move.quantity, move.product_id.uom_id),
            "stock_move_id": move.id,
        }

    def action_view_cost_moves(self):
        self.ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Warranty Entries and Invoices"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("warranty_claim_id", "=", self.id)],
            "context": {"create": False},
        }

    # ------------------------------------------------------------------
    # Posting
    # ------------------------------------------------------------------
    def _lock_draft_cost_lines(self):
        """Lock the claim's cost lines and return those still in draft (no double posting)."""
        self.ensure_one()
        lines = self.cost_line_ids
        if lines:
            self.env.cr.execute(SQL(
                "SELECT id FROM warranty_claim_cost_line WHERE id IN %s ORDER BY id FOR UPDATE",
                tuple(lines.ids)))
            lines.invalidate_recordset(["state"])
        return lines.filtered(lambda line: line.state == "draft")

    def _post_costs(self):
        self.ensure_one()
        lines = self._lock_draft_cost_lines()
        if not lines:
            raise UserError(self.env._("Claim %(claim)s has no draft cost to post.", claim=self.display_name))
        self._check_costs_postable()
        currency = self.company_id.currency_id
        covered = lines.filtered(lambda line: not currency.is_zero(line.covered_amount))
        chargeable = lines.filtered(lambda line: not currency.is_zero(line.chargeable_amount))
        if covered:
            move = self._create_cost_entry(covered)
            covered._write_posting_values({"move_id": move.id})
            self.env["warranty.supplier.claim"]._record_expected_recovery(self, covered)
        if chargeable:
            invoice_lines = self._create_chargeable_invoice(chargeable)
            for line, invoice_line in zip(chargeable, invoice_lines, strict=True):
                line._write_posting_values({"invoice_line_id": invoice_line.id})
        lines._write_posting_values({"state": "posted"})

    def _prepare_cost_entry_vals(self, lines):
        """Return the values of the journal entry booking the covered part of ``lines``."""
        self.ensure_one()
        company = self.company_id
        total = company.currency_id.round(sum(lines.mapped("covered_amount")))
        counterpart = {
            "name": self.env._("Warranty %(claim)s: covered costs", claim=self.display_name),
            "account_id": company.warranty_cost_counterpart_account_id.id,
            "partner_id": self.partner_id.commercial_partner_id.id,
            "debit": 0.0,
            "credit": total,
        }
        return {
            "move_type": "entry",
            "company_id": company.id,
            "journal_id": self.env["warranty.provision"]._get_journal(company).id,
            "date": fields.Date.context_today(self),
            "ref": self.env._("Warranty costs of %(claim)s", claim=self.display_name),
            "warranty_claim_id": self.id,
            "line_ids": [(0, 0, line._prepare_expense_line_vals()) for line in lines] + [(0, 0, counterpart)],
        }

    def _create_cost_entry(self, lines):
        """Create and post the entry of the covered costs; the provision of the claimed
        product absorbs what it can (debit provision liability, credit provision expense)."""
        self._check_cost_accounting_configuration()
        move = self.env["account.move"].create(self._prepare_cost_entry_vals(lines))
        used = self._consume_provision(lines, move)
        if used:
            company = self.company_id
            common = {
                "name": self.env._("Warranty %(claim)s: use of provision", claim=self.display_name),
                "partner_id": self.partner_id.commercial_partner_id.id,
                "product_id": self.product_id.id,
            }
            move.write({"line_ids": self.env["warranty.provision"]._prepare_provision_move_lines(
                company, used, common, increase=False)})
        move.action_post()
        return move

    def _consume_provision(self, lines, move):
        """Draw the covered costs of ``lines`` from the open provision; return the amount used."""
        provision_model = self.env["warranty.provision"]
        product, policy = self._get_provision_key()
        if not (product and policy):
            return 0.0
        provisions = provision_model._lock_open_provisions(self.company_id, product, policy)
        if not provisions:
            return 0.0
        provision_model._check_configured(self.company_id)  # a provision to draw from, no account: say so
        return provisions._consume(lines, move)

    def _prepare_chargeable_invoice_vals(self, lines):
        """Return the values of the draft customer invoice of the chargeable part of ``lines``."""
        self.ensure_one()
        return {
            "move_type": "out_invoice",
            "company_id": self.company_id.id,
            "partner_id": self.partner_id.id,
            "invoice_origin": self.display_name,
            "warranty_claim_id": self.id,
            "invoice_line_ids": [(0, 0, line._prepare_invoice_line_vals()) for line in lines],
        }

    def _create_chargeable_invoice(self, lines):
        """Create the draft invoice and return its product lines, in the order of ``lines``."""
        invoice = self.env["account.move"].create(self._prepare_chargeable_invoice_vals(lines))
        return invoice.invoice_line_ids.sorted("id")

import csv
import json

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import fellegi_sunter as fs


class CustomerDuplicatePair(models.Model):
    _name = "customer.duplicate.pair"
    _description = "Possible Duplicate Customer Pair"
    _order = "score desc, id"
    _check_company_auto = True

    partner_a_id = fields.Many2one(
        "res.partner", string="Customer A", required=True, ondelete="cascade", index=True)
    partner_b_id = fields.Many2one(
        "res.partner", string="Customer B", required=True, ondelete="cascade", index=True)
    score = fields.Float(digits=(3, 2), required=True, index=True)
    explanation = fields.Json(
        help="Per compared field: both values, the comparison, the similarity and its contribution.")
    explanation_html = fields.Html("Why", compute="_compute_explanation_html", sanitize=False)
    state = fields.Selection(
        [("open", "To Review"), ("not_duplicate", "Not a Duplicate"), ("merged", "Merged")],
        default="open", required=True, index=True)
    company_id = fields.Many2one("res.company", index=True)
    rule_id = fields.Many2one("customer.match.rule", ondelete="set null")
    group_id = fields.Many2one("customer.duplicate.group", ondelete="set null", index=True)
    scan_job_id = fields.Many2one("customer.scan.job", string="Last Seen By", ondelete="set null")

    _sql_constraints = [
        ("partner_pair_uniq", "UNIQUE(partner_a_id, partner_b_id)", "This pair already exists."),
        ("partner_order", "CHECK(partner_a_id < partner_b_id)",
         "The first customer must have the lower id."),
    ]

    @api.depends("partner_a_id", "partner_b_id")
    def _compute_display_name(self):
        for pair in self:
            pair.display_name = f"{pair.partner_a_id.name} ↔ {pair.partner_b_id.name}"

    @api.depends("explanation")
    def _compute_explanation_html(self):
        for pair in self:
            pair.explanation_html = self._render_explanation(pair.explanation or [])

    @api.model
    def _explanation_labels(self):
        """Translated labels of the comparisons (manual rules) and similarity levels (learned)."""
        return {
            "trigram": self.env._("trigram"),
            "similarity": self.env._("string similarity"),
            "token_set": self.env._("token set"),
            "prior": self.env._("prior"),
            "exact": self.env._("exact"),
            "close": self.env._("close"),
            "subset": self.env._("subset"),
            "partial": self.env._("partial"),
            "far": self.env._("far"),
            "missing": self.env._("missing"),
        }

    @api.model
    def _render_explanation(self, explanation):
        """HTML table of an explanation list (see ``customer.match.rule._score_pair``).

        Learned explanations show per field the level and its match weight
        (log2 Bayes factor) and end with the pair's total and probability.
        """
        learned = any(line.get("level") for line in explanation)
        head = Markup(
            "<table class='table table-sm o_cu_explanation'><thead><tr>"
            "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th class='text-end'>%s</th>"
            "</tr></thead><tbody>"
        ) % (self.env._("Field"), self.env._("Customer A"), self.env._("Customer B"),
             self.env._("Level") if learned else self.env._("Comparison"),
             self.env._("Match Weight (bits)") if learned else self.env._("Contribution"))
        rows = []
        labels = self._explanation_labels()
        for line in explanation:
            contribution = line.get("contribution") or 0.0
            css = "text-success" if contribution > 0 else ("text-danger" if contribution < 0 else "text-muted")
            if line.get("level"):
                comparison = labels.get(line["level"], line["level"])
            else:
                similarity = line.get("similarity")
                comparison = labels.get(line.get("comparator"), line.get("comparator") or "")
                comparison = (f"{comparison} {similarity:.2f}" if similarity is not None
                              else f"{comparison} ({self.env._('missing')})")
            rows.append(Markup(
                "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td class='text-end %s'>%+.2f</td></tr>"
            ) % (line.get("label"), line.get("value_a") or "", line.get("value_b") or "",
                 comparison, css, contribution))
        if learned:
            total = sum(line.get("contribution") or 0.0 for line in explanation)
            rows.append(Markup(
                "<tr class='fw-bold'><td colspan='4'>%s</td><td class='text-end'>%+.2f</td></tr>"
            ) % (self.env._("Total (probability %s%%)", round(fs.probability(total) * 100, 1)), total))
        return head + Markup("").join(rows) + Markup("</tbody></table>")

    def action_not_duplicate(self):
        """Remember forever that these partners are not duplicates."""
        self.write({"state": "not_duplicate"})
        partner_ids = set((self.partner_a_id | self.partner_b_id).ids)
        self.env["customer.duplicate.group"]._rebuild_groups(partner_ids)
        return True

    @api.model
    def _upsert_scored(self, scored, job=None):
        """Insert or refresh scored pairs in one statement.

        Pairs reviewed as "not a duplicate" or "merged" are never touched.
        ``scored`` items are dicts with keys a, b, score, explanation, rule_id, company_id.
        """
        if not scored:
            return
        self.flush_model()
        # one statement per batch, values passed as arrays: no per-row adaptation on the client
        self.env.cr.execute(SQL(
            """
            INSERT INTO customer_duplicate_pair
                (partner_a_id, partner_b_id, score, explanation, state, rule_id, company_id,
                 scan_job_id, create_uid, write_uid, create_date, write_date)
            SELECT v.a, v.b, v.score, v.explanation::jsonb, 'open', v.rule_id, v.company_id,
                   %(job)s, %(uid)s, %(uid)s, now() at time zone 'UTC', now() at time zone 'UTC'
              FROM unnest(%(a)s::int[], %(b)s::int[], %(score)s::float8[], %(explanation)s::text[],
                          %(rule)s::int[], %(company)s::int[])
                   AS v(a, b, score, explanation, rule_id, company_id)
            ON CONFLICT (partner_a_id, partner_b_id) DO UPDATE
               SET score = EXCLUDED.score, explanation = EXCLUDED.explanation,
                   rule_id = EXCLUDED.rule_id, company_id = EXCLUDED.company_id,
                   scan_job_id = EXCLUDED.scan_job_id, write_uid = EXCLUDED.write_uid,
                   write_date = EXCLUDED.write_date
             WHERE customer_duplicate_pair.state = 'open'
            """,
            job=job.id if job else None, uid=self.env.uid,
            a=[item["a"] for item in scored], b=[item["b"] for item in scored],
            score=[item["score"] for item in scored],
            explanation=[json.dumps(item["explanation"], default=str) for item in scored],
            rule=[item["rule_id"] for item in scored], company=[item["company_id"] for item in scored],
        ))
        self.invalidate_model()

    @api.model
    def _export_csv(self, stream, min_score=None):
        """Write open pairs as CSV (``partner_a_id,partner_b_id,score,reasons``), best first."""
        writer = csv.writer(stream)
        writer.writerow(["partner_a_id", "partner_b_id", "score", "reasons"])
        self.flush_model()
        self.env.cr.execute(
            "SELECT partner_a_id, partner_b_id, score, explanation FROM customer_duplicate_pair"
            " WHERE state = 'open' AND score >= %s ORDER BY score DESC, partner_a_id, partner_b_id",
            [min_score or 0.0])
        count = 0
        for a_id, b_id, score, explanation in self.env.cr.fetchall():
            writer.writerow([a_id, b_id, f"{score:.4f}", self._reasons_text(explanation or [])])
            count += 1
        return count

    @api.model
    def _reasons_text(self, explanation):
        """One-line summary of an explanation: the fields that moved the score."""
        return "; ".join(
            f"{line['field']} {line['level']} ({line['contribution']:+.2f})" if line.get("level") else
            f"{line['field']} {line['comparator']} {line['similarity']:.2f} ({line['contribution']:+.2f})"
            for line in explanation if line.get("contribution")
        )

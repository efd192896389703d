from odoo import api, fields, models
from odoo.osv import expression

SLA_STAGES = [("review", "Review late"), ("resolution", "Resolution late")]


class WarrantyClaim(models.Model):
    """Late claims: flagged, given an activity for their responsible and escalated to the managers.

    THE rule of lateness is :meth:`_get_sla_late_domains`: the stored flag (form, list, the
    *Late Claims* filter), the cron that raises the flag when a deadline passes and the
    escalation all evaluate that one domain (``search`` or ``filtered_domain``).
    """

    _name = "warranty.claim"
    _inherit = ["warranty.claim", "warranty.job.mixin"]

    sla_late_stage = fields.Selection(
        SLA_STAGES, "Missed Deadline", compute="_compute_sla_late", store=True, index="btree_not_null",
        help="Deadline the open claim has missed; raised by the daily escalation when the day passes.")
    sla_late = fields.Boolean("Late", compute="_compute_sla_late", store=True, index=True)
    sla_escalated_stage = fields.Selection(
        SLA_STAGES, "Escalated", readonly=True, copy=False,
        help="Lateness already escalated: the escalation never repeats itself for the same deadline.")

    @api.model
    def _get_sla_late_domains(self, today=None):
        """Return ``{stage: domain}`` of the claims late at ``today`` (seam), the most advanced stage last.

        - ``review``: still new after the review deadline;
        - ``resolution``: not resolved, closed nor rejected after the resolution deadline.
        """
        today = today or fields.Date.context_today(self)
        return {
            "review": [("state", "=", "new"), ("sla_review_deadline", "<", today)],
            "resolution": [("state", "not in", list(self._closed_states())), ("sla_deadline", "<", today)],
        }

    def _get_sla_late_stages(self):
        """Return ``{claim: stage}`` of the late claims of ``self`` (False when not late)."""
        stages = dict.fromkeys(self, False)
        for stage, domain in self._get_sla_late_domains().items():
            for claim in self.filtered_domain(domain):
                stages[claim] = stage
        return stages

    @api.depends("state", "sla_deadline", "sla_review_deadline")
    def _compute_sla_late(self):
        stages = self._get_sla_late_stages()
        for claim in self:
            claim.sla_late_stage = stages[claim]
            claim.sla_late = bool(stages[claim])

    # ------------------------------------------------------------------
    # Escalation (cron)
    # ------------------------------------------------------------------
    @api.model
    def _get_escalation_chunk_size(self):
        """Number of late claims escalated per cron call (seam)."""
        return 500

    @api.model
    def _escalation_domain(self):
        """Late claims whose lateness at this stage was not escalated yet."""
        domains = self._get_sla_late_domains()
        stages = [stage for stage, __ in SLA_STAGES]
        return expression.OR([
            expression.AND([domain, [("sla_escalated_stage", "not in", stages[stages.index(stage):])]])
            for stage, domain in domains.items()
        ])

    @api.model
    def _cron_escalate_late_claims(self):
        """Daily job: flag the claims that became late, give their responsible an activity and tell the
        warranty managers, one chunk per call (the cron framework calls again while some remain).

        Idempotent: a claim escalated for a stage is never escalated again for it. A claim that fails
        is reported and skipped until tomorrow (``warranty.job.mixin``), the others go on.

        :return: ``(done, remaining)`` of this call
        """
        limit = self._get_escalation_chunk_size()
        domain = self._escalation_domain() + self._job_retry_domain()
        claims = self.search(domain, limit=limit, order="id")
        done, __ = claims._job_run(lambda records: records._escalate_late(), self.env._("Late claim escalation"))
        if claims:
            self.env.flush_all()
            self.env.invalidate_all()
        remaining = self.search_count(domain) if len(claims) == limit else 0
        self.env["ir.cron"]._notify_progress(done=len(done), remaining=remaining)
        return len(done), remaining

    def _escalate_late(self):
        """Escalate the late claims of ``self`` in batch: flag, activity, managers as followers, note."""
        stages = {claim: stage for claim, stage in self._get_sla_late_stages().items() if stage}
        claims = self.browse([claim.id for claim in stages])
        for stage, __ in SLA_STAGES:
            stage_claims = claims.filtered(lambda c, stage=stage: stages[c] == stage)
            if stage_claims:
                stage_claims.write({"sla_late_stage": stage, "sla_late": True, "sla_escalated_stage": stage})
        # no "assigned to you" e-mail per activity (one per late claim would flood the responsible and cost
        # a rendered mail each): the activities show in their activity menu, the managers get the note
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
            [claim._prepare_late_activity_vals(stages[claim]) for claim in claims])
        for company in claims.company_id:
            company_claims = claims.filtered(lambda c, company=company: c.company_id == company)
            managers = company_claims._get_escalation_users()
            if managers:
                company_claims.message_subscribe(partner_ids=managers.partner_id.ids)
        claims._message_log_batch(bodies={claim.id: claim._get_late_message(stages[claim]) for claim in claims})

    def _get_escalation_users(self):
        """Warranty managers the late claims of ``self`` (one company) are escalated to (seam)."""
        group = self.env.ref("warranty_management.group_warranty_manager")
        return group.sudo().users.filtered(
            lambda user: user.active and not user.share and self.company_id <= user.company_ids)

    def _prepare_late_activity_vals(self, stage):
        """Activity asking the responsible (a manager when nobody is) to act on the late claim (seam)."""
        self.ensure_one()
        user = self.user_id or self._get_escalation_users()[:1]
        deadline = self.sla_review_deadline if stage == "review" else self.sla_deadline
        return {
            "res_model_id": self.env["ir.model"]._get_id(self._name),
            "res_id": self.id,
            "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
            "user_id": user.id or self.env.uid,
            "date_deadline": fields.Date.context_today(self),
            "summary": self._get_late_summary(stage, deadline),
        }

    def _get_late_summary(self, stage, deadline):
        if stage == "review":
            return self.env._("Late claim: review was due on %(date)s", date=deadline)
        return self.env._("Late claim: resolution was due on %(date)s", date=deadline)

    def _get_late_message(self, stage):
        """Note logged on the claim when it is escalated to the warranty managers."""
        self.ensure_one()
        deadline = self.sla_review_deadline if stage == "review" else self.sla_deadline
        return self.env._("%(summary)s. Escalated to the warranty managers.",
                          summary=self._get_late_summary(stage, deadline))

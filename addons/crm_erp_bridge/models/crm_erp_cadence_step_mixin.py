from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmErpCadenceStepMixin(models.AbstractModel):
    """One step of a cadence: send an email template and/or schedule an activity.

    Shared by quotation follow-up steps (``crm.erp.followup.step``) and
    dunning levels (``crm.erp.dunning.level``); the cadence engine
    (``crm.erp.cadence.engine``) decides *when* a step is due, this mixin
    decides *what* executing it does.
    """

    _name = "crm.erp.cadence.step.mixin"
    _description = "Cadence Step (shared)"
    _order = "sequence, id"
    # Model of the documents the step runs on.
    _cadence_res_model = False
    # Model the mail templates of the step must be written for (default: the documents').
    _cadence_mail_model = False

    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        ondelete="restrict",
        domain=lambda self: [("model", "=", self._cadence_mail_model or self._cadence_res_model)],
        help="Email sent to the customer when the step runs.",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        ondelete="restrict",
        help="Activity scheduled for the responsible user when the step runs.",
    )
    activity_summary = fields.Char(translate=True)
    activity_delay = fields.Integer(
        string="Activity Deadline (days)",
        default=0,
        help="Days between the step running and the deadline of its activity.",
    )

    @api.constrains("mail_template_id")
    def _check_mail_template_model(self):
        mail_model = self._cadence_mail_model or self._cadence_res_model
        for step in self.filtered("mail_template_id"):
            if step.mail_template_id.model != mail_model:
                raise ValidationError(
                    self.env._(
                        'The email template "%(template)s" of step "%(step)s" is written for '
                        '"%(template_model)s" but this step runs on "%(model)s".',
                        template=step.mail_template_id.name,
                        step=step.name,
                        template_model=step.mail_template_id.model,
                        model=mail_model,
                    )
                )

    @api.constrains("mail_template_id", "activity_type_id")
    def _check_has_action(self):
        for step in self:
            if not step.mail_template_id and not step.activity_type_id:
                raise ValidationError(
                    self.env._(
                        'Step "%(step)s" does nothing: choose an email template, an activity type or both.',
                        step=step.name,
                    )
                )

    @api.constrains("activity_delay")
    def _check_activity_delay(self):
        for step in self:
            if step.activity_delay < 0:
                raise ValidationError(
                    self.env._('The activity deadline of step "%(step)s" cannot be negative.', step=step.name)
                )

    # ------------------------------------------------------------------
    # Seams: when a step is due
    # ------------------------------------------------------------------
    def _cadence_due_date_rule(self):
        """Return ``(date field of the document, days)``: the step falls due on a document
        once the field's date plus ``days`` is today or past (negative days: before the date).
        It also orders the steps due on one document (only the latest runs)."""
        raise NotImplementedError()

    def _cadence_scope_domain(self):
        """Domain of the documents this step applies to at all (its cadence, its company)."""
        raise NotImplementedError()

    def _cadence_due_domain(self, today):
        """THE rule of when this step is due, as a domain on the document model.

        The cadence engine compiles it to SQL (``Model._search``) together with the
        document model's ``_cadence_eligible_domain`` and the "not run yet" condition, for
        every step in one query: the scheduled job and the manual run use exactly this, so
        an override (for example, one more condition on the document) changes production.
        """
        self.ensure_one()
        fname, days = self._cadence_due_date_rule()
        return [*self._cadence_scope_domain(), *self._cadence_date_reached_domain(fname, days, today)]

    @api.model
    def _cadence_date_reached_domain(self, fname, days, today):
        """Domain "``fname`` + ``days`` is on or before ``today``" (datetimes by their UTC date)."""
        limit = today - timedelta(days=days)
        field = self.env[self._cadence_res_model]._fields[fname]
        if field.type == "datetime":
            return [(fname, "!=", False), (fname, "<", datetime.combine(limit + timedelta(days=1), time.min))]
        return [(fname, "!=", False), (fname, "<=", limit)]

    # ------------------------------------------------------------------
    # Seams: who receives what
    # ------------------------------------------------------------------
    def _cadence_recipient(self, record):
        """Return the partner the email of this step is meant for (the document's partner)."""
        return record.partner_id

    def _cadence_activity_user(self, record):
        """Return the user the activity of this step is scheduled for (the document's salesperson)."""
        return record.user_id

    def _cadence_may_contact(self, partner):
        """Return whether ``partner`` may receive automatic emails.

        Never write to an archived contact or to a contact (or company) marked do-not-contact.
        """
        if not partner or not partner.active or not partner.email:
            return False
        return not (partner.bridge_do_not_contact or partner.commercial_partner_id.bridge_do_not_contact)

    @api.model
    def _cadence_may_contact_domain(self, partner_field):
        """Domain form of :meth:`_cadence_may_contact` on the partner in ``partner_field``, for
        jobs selecting their documents in SQL (keep both in line when overriding)."""
        return [
            (f"{partner_field}.active", "=", True),
            (f"{partner_field}.email", "!=", False),
            (f"{partner_field}.bridge_do_not_contact", "=", False),
            (f"{partner_field}.commercial_partner_id.bridge_do_not_contact", "=", False),
        ]

    # ------------------------------------------------------------------
    # Execution
    # ------------------------------------------------------------------
    def _cadence_execute_groups(self, groups):
        """Run this step on each group of records (a list of recordsets); return
        ``{record id: values of its log line}``. By default each record on its own
        (:meth:`_cadence_execute`); a step sending one message per group overrides this."""
        self.ensure_one()
        return {record.id: self._cadence_execute(record) for group in groups for record in group}

    def _cadence_execute(self, record):
        """Run this step on ``record``; return the values of its log line.

        The email is posted on the document's chatter (so replies come back to it);
        the activity is scheduled on the document.
        """
        self.ensure_one()
        result = {"mail_sent": False, "activity_id": False, "skipped_reason": False}
        if self.mail_template_id:
            partner = self._cadence_recipient(record)
            if self._cadence_may_contact(partner):
                # Queued, not sent inline: the mail queue sends them, a batch never waits on SMTP.
                message = record.with_context(mail_notify_force_send=False).message_post_with_source(
                    self.mail_template_id,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                )
                result["mail_sent"] = True
                result["mail_message_id"] = message[:1].id
            else:
                result["skipped_reason"] = "do_not_contact"
        if self.activity_type_id:
            user = self._cadence_activity_user(record)
            activity = record.activity_schedule(
                activity_type_id=self.activity_type_id.id,
                summary=self.activity_summary or self.name,
                user_id=user.id or self.env.uid,
                date_deadline=fields.Date.add(fields.Date.context_today(self), days=self.activity_delay),
            )
            result["activity_id"] = activity[:1].id
        return result

from odoo import SUPERUSER_ID, api

# per-invoice reminder template -> the statement template replacing it
REPLACED = {
    "crm_erp_bridge.mail_template_payment_reminder": "crm_erp_bridge.mail_template_dunning_statement",
    "crm_erp_bridge.mail_template_payment_reminder_final": "crm_erp_bridge.mail_template_dunning_statement_final",
}


def migrate(cr, version):
    """Payment reminders are now one statement per customer and level: the reminder levels' email
    templates are written for the statement. Levels still using a per-invoice template get the
    statement template that replaces it (a custom one: the friendly statement template, to review);
    the shipped per-invoice templates are removed when nothing uses them any more."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    default = env.ref("crm_erp_bridge.mail_template_dunning_statement")
    levels = env["crm.erp.dunning.level"].with_context(active_test=False).search(
        [("mail_template_id.model", "=", "account.move")]
    )
    for level in levels:
        xmlid = level.mail_template_id.get_external_id().get(level.mail_template_id.id)
        level.mail_template_id = env.ref(REPLACED[xmlid]) if xmlid in REPLACED else default
    for xmlid in REPLACED:
        template = env.ref(xmlid, raise_if_not_found=False)
        if template and not env["crm.erp.dunning.level"].with_context(active_test=False).search_count(
            [("mail_template_id", "=", template.id)]
        ):
            template.unlink()

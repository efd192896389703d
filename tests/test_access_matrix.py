"""Access matrix of the suite, generated from its ACLs, record rules and views.

Nothing here lists the suite's models or buttons by hand: the models come from ``ir.model``
(every model whose modules are all addons of the suite), their permissions from
``ir.model.access``, the buttons from the ``ir.ui.view`` records of the suite's modules. A new
model or button is therefore checked the day it is added, and a model the generic record
factory cannot create makes the test fail (not skip) until it gets an entry in
``RECORD_FACTORIES``.

Checks:

a. every model of the suite has at least one ACL;
b. for each model and each group of its ACLs, a user with only that group (and what it implies)
   can read/write/create/unlink exactly what the ACLs grant, on a record of their own company;
c. a user of another company cannot read a record of company A (every model with a company);
d. a portal user cannot read the suite's internal models, and where portal ACLs exist a portal
   user of another customer cannot read the first customer's records;
e. every ``type="object"`` button of the suite's views names an existing public method of a
   model some group may change, and a user with no group of the suite is refused when calling it.

Failures are collected and reported together, one line per model and check.
"""

import ast
import base64
from contextlib import closing

from lxml import etree

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

SUITE_MODULES = ("customer_unification", "crm_erp_bridge", "warranty_management")
OPERATIONS = ("read", "write", "create", "unlink")
MAGIC_FIELDS = {"id", "create_uid", "create_date", "write_uid", "write_date", "display_name"}

# Intentional exceptions, one line and one reason each. Never add a model here to hide a defect.
# (model, check) -> reason
ALLOWED_EXCEPTIONS = {
    # A wizard lives for one request: it is created, used and vacuumed by the user who opened it;
    # its company field only scopes the wizard's choices (the logged interaction has its own rules).
    ("crm.erp.log.interaction", "other_company_read"): "transient wizard, no stored business data",
}


def _report_model_refused(case, user, record, result):
    """The XLSX download runs in the user's environment, under their ACLs and record rules, and
    does not depend on the clicked rows: refused when the user cannot read the report at all,
    harmless for a reader of another company (the URL names no row; they get their own rows)."""
    if not case.env[record._name].with_user(user).has_access("read"):
        return True
    return not record.with_user(user).has_access("read") and f"/{record.id}" not in result.get("url", "")


def _timeline_data_refused(case, user, record, result):
    """The timeline screen gets its data from ``get_timeline_data``, which must refuse the user."""
    try:
        case.env["crm.erp.timeline"].with_user(user).get_timeline_data(result["params"]["partner_id"])
    except AccessError:
        return True
    return False


def _wizard_unreadable(case, user, record, result):
    """The action lists contacts under the user's own record rules (the duplicate groups action
    is refused as a model the user cannot read); the indicator figures live on the wizard, which
    the user may not read."""
    return result.get("res_model") == "res.partner" and not record.with_user(user).has_access("read")


# Buttons that only navigate (they return an action and change nothing) and whose target the
# generic check cannot judge: (model, method) -> (reason, verifier). The verifier must prove that
# the data behind the action is refused to the user; the button then counts as refused.
ALLOWED_BUTTONS = {
    ("crm.erp.capacity.report", "action_export_xlsx"): ("download URL", _report_model_refused),
    ("crm.erp.customer.report", "action_export_xlsx"): ("download URL", _report_model_refused),
    ("crm.erp.forecast.report", "action_export_xlsx"): ("download URL", _report_model_refused),
    ("res.partner", "action_open_bridge_timeline"): ("client action", _timeline_data_refused),
    ("customer.data.quality", "action_open_indicator"): ("contact list", _wizard_unreadable),
}

# Buttons of models no group may change on purpose: (model, method) -> reason.
READ_ONLY_MODEL_BUTTONS = {
    # The merge log is an audit trail (read-only ACL); action_undo checks the Unification Manager
    # group and the record rules itself, then restores with sudo.
    ("customer.merge.log", "action_undo"): "audit trail, the method checks access itself",
    # Statements are written by the reminder run only (read-only ACL); printing one and opening its
    # fee invoice read it, and the methods check read access on the statement themselves.
    ("crm.erp.dunning.statement", "action_print"): "sent statement, printing reads it",
    ("crm.erp.dunning.statement", "action_open_fee_invoice"): "sent statement, opening its fee invoice reads it",
}


def _sale_order(case, company, user, confirm=True):
    Order = case.env["sale.order"].with_company(company)
    order = Order.create({
        "partner_id": case.customer.id,
        "user_id": user.id,
        "company_id": company.id,
        "order_line": [Command.create({"product_id": case.product.id, "product_uom_qty": 3, "price_unit": 100.0})],
    })
    if confirm:
        order.action_confirm()
    return order


def _bridge_report_row(model):
    """Rows of a bridge management report (SQL view) come from a confirmed order of the user."""

    def factory(case, company, user, partner):
        _sale_order(case, company, user)
        case.env.flush_all()
        rows = case.env[model].search([("user_id", "=", user.id), ("company_id", "=", company.id)], limit=1)
        return rows

    return factory


def _warranty_report_row(model, source):
    """Rows of a warranty analysis (SQL view) come from a registration or a provision movement."""

    def factory(case, company, user, partner):
        case._record(source, company, user, partner)
        case.env.flush_all()
        return case.env[model].search(
            [("company_id", "=", company.id), ("product_id", "=", case.product.id)], limit=1)

    return factory


def _duplicate_pair(case, company, user, partner):
    Partner = case.env["res.partner"]
    first = Partner.create({"name": "Matrix Pair A", "company_id": company.id})
    second = Partner.create({"name": "Matrix Pair A.", "company_id": company.id})
    return case.env["customer.duplicate.pair"].with_user(user).sudo().create({
        "partner_a_id": min(first.id, second.id), "partner_b_id": max(first.id, second.id),
        "score": 0.9, "company_id": company.id,
    })


def _survivorship_line(case, company, user, partner):
    wizard = case._record("base.partner.merge.automatic.wizard", company, user, partner)
    field = case.env["ir.model.fields"]._get("res.partner", "email")
    return case.env["customer.merge.survivorship.line"].with_user(user).sudo().create({
        "wizard_id": wizard.id, "field_id": field.id,
    })


def _import_wizard(case, company, user, partner):
    return case.env["customer.import.wizard"].with_user(user).sudo().create({
        "file": base64.b64encode(b"name,email\nMatrix Import,matrix.import@example.com\n"),
        "filename": "matrix.csv",
    })


def _followup_cadence(case, company, user, partner):
    # a cadence must have at least one step (constraint): create both at once
    return case.env["crm.erp.followup.cadence"].with_user(user).sudo().create({
        "name": "Matrix cadence", "company_id": company.id,
        "step_ids": [Command.create({"name": "Matrix step"})],
    })


def _followup_step(case, company, user, partner):
    return case._record("crm.erp.followup.cadence", company, user, partner).step_ids[:1]


# Models the generic factory cannot create (SQL views, models with cross-field constraints):
# model -> function(case, company, user, owner partner) returning one record of `company`.
RECORD_FACTORIES = {
    "crm.erp.forecast.report": _bridge_report_row("crm.erp.forecast.report"),
    "crm.erp.customer.report": _bridge_report_row("crm.erp.customer.report"),
    "crm.erp.capacity.report": _bridge_report_row("crm.erp.capacity.report"),
    "crm.erp.quote.conversion.report": _bridge_report_row("crm.erp.quote.conversion.report"),
    "warranty.claim.analysis": _warranty_report_row("warranty.claim.analysis", "warranty.registration"),
    "warranty.provision.report": _warranty_report_row("warranty.provision.report", "warranty.provision.line"),
    "customer.duplicate.pair": _duplicate_pair,
    "customer.merge.survivorship.line": _survivorship_line,
    "customer.import.wizard": _import_wizard,
    "crm.erp.followup.cadence": _followup_cadence,
    "crm.erp.followup.step": _followup_step,
}


@tagged("post_install", "-at_install")
class TestAccessMatrix(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True,
                                       mail_notrack=True, no_reset_password=True))
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Matrix Company B"})
        cls.suite_models = cls._suite_models()
        Access = cls.env["ir.model.access"].sudo()
        cls.acls = {}
        for acl in Access.search([("model_id.model", "in", list(cls.suite_models))]):
            cls.acls.setdefault(acl.model_id.model, Access)
            cls.acls[acl.model_id.model] |= acl
        cls.customer = cls.env["res.partner"].create({"name": "Matrix Customer", "is_company": True})
        policy = cls.env["warranty.policy"].create({"name": "Matrix two years", "duration": 2, "duration_unit": "year"})
        cls.product = cls.env["product.product"].create({
            "name": "Matrix drill", "type": "consu", "list_price": 100.0, "warranty_policy_id": policy.id,
        })
        # one user per group that appears in a suite ACL, with only that group (and its implied ones)
        cls.group_users = {}
        acl_groups = cls.env["res.groups"].union(*(acls.group_id for acls in cls.acls.values()))
        for group in acl_groups:
            cls.group_users[group] = cls._user(f"matrix_{group.id}", group, cls.company_a)
        cls.portal_user = cls._portal_user("matrix_portal_a", "Matrix Portal Customer A")
        cls.portal_user_other = cls._portal_user("matrix_portal_b", "Matrix Portal Customer B")
        cls.plain_user = cls._user("matrix_plain", cls.env.ref("base.group_user"), cls.company_a)

    def setUp(self):
        super().setUp()
        self._records = {}  # records created by a test vanish with its transaction

    @classmethod
    def _suite_models(cls):
        """Models of the suite: every non-abstract model whose modules are all addons of the suite."""
        names = cls.env["ir.model.data"].sudo().search(
            [("model", "=", "ir.model"), ("module", "in", SUITE_MODULES)]).mapped("res_id")
        models = {}
        for model in cls.env["ir.model"].sudo().browse(names):
            modules = set(filter(None, (model.modules or "").split(", ")))
            if modules and modules <= set(SUITE_MODULES) and not cls.env[model.model]._abstract:
                models[model.model] = model
        return models

    @classmethod
    def _user(cls, login, group, company):
        return new_test_user(cls.env, login=login, groups_id=group.ids,
                             company_id=company.id, company_ids=[Command.set(company.ids)])

    @classmethod
    def _portal_user(cls, login, name):
        partner = cls.env["res.partner"].create({"name": name, "is_company": True})
        contact = cls.env["res.partner"].create({"name": f"{name} contact", "parent_id": partner.id})
        return new_test_user(cls.env, login=login, groups="base.group_portal", partner_id=contact.id,
                             company_id=cls.company_a.id, company_ids=[Command.set(cls.company_a.ids)])

    # ---------------------------------------------------------------------------------------------
    # record factory
    # ---------------------------------------------------------------------------------------------
    def _record(self, model, company, user, partner=None):
        """One record of ``model`` in ``company`` owned by ``user`` (created with sudo as that user,
        so that ``create_uid``/``user_id`` are theirs) and, when given, of customer ``partner``."""
        key = (model, company.id, user.id, partner.id if partner else 0)
        if key not in self._records:
            if model in RECORD_FACTORIES:
                record = RECORD_FACTORIES[model](self, company, user, partner)
            else:
                record = self._create_generic(model, company, user, partner)
            self.assertTrue(record, f"{model}: the factory returned no record")
            self._records[key] = record.sudo(False).with_env(self.env)
        return self._records[key]

    def _create_generic(self, model, company, user, partner):
        Model = self.env[model].with_user(user).sudo().with_company(company)
        defaults = Model.default_get(list(Model._fields))
        values = {}
        for name, field in Model._fields.items():
            if name in MAGIC_FIELDS or not field.store or field.related or (field.compute and field.readonly):
                continue
            if field.type == "many2one" and field.comodel_name == "res.company":
                values[name] = company.id
            elif field.type == "many2one" and field.comodel_name == "res.users" and name == "user_id":
                values[name] = user.id
            elif name == "partner_id" and field.comodel_name == "res.partner" and partner:
                values[name] = partner.id
            elif field.required and defaults.get(name) in (None, False):
                values[name] = self._generic_value(Model, field, company, user, partner)
        return Model.create(values)

    def _generic_value(self, Model, field, company, user, partner):
        kind = field.type
        if kind == "many2one":
            comodel = field.comodel_name
            if comodel == "res.partner":
                return (partner or self.customer).id
            if comodel == "product.product":
                return self.product.id
            if comodel == "product.template":
                return self.product.product_tmpl_id.id
            if comodel in self.suite_models:
                return self._record(comodel, company, user, partner).id
            Comodel = self.env[comodel].sudo()
            domain = [("company_id", "in", [company.id, False])] if "company_id" in Comodel._fields else []
            first = Comodel.search(domain, limit=1)
            if not first:
                raise AssertionError(f"{Model._name}.{field.name}: no {comodel} record to point to; "
                                     f"add a factory for {Model._name} to RECORD_FACTORIES")
            return first.id
        if kind == "selection":
            return field._description_selection(self.env)[0][0]
        if kind in ("char", "text", "html"):
            return f"Matrix {Model._name}"
        if kind in ("integer", "float", "monetary"):
            return 1
        if kind == "boolean":
            return True
        if kind == "date":
            return fields.Date.today()
        if kind == "datetime":
            return fields.Datetime.now()
        if kind == "binary":
            return base64.b64encode(b"x")
        raise AssertionError(f"{Model._name}.{field.name}: no generic value for a required {kind} field; "
                             f"add a factory for {Model._name} to RECORD_FACTORIES")

    def _records_or_failures(self, specs):
        """Create the records of ``specs`` [(model, company, user, partner)], each in a savepoint;
        return ({spec: record}, [failure lines])."""
        records, failures = {}, []
        for spec in specs:
            model = spec[0]
            cached = dict(self._records)
            try:
                with self.env.cr.savepoint():
                    records[spec] = self._record(*spec)
            except Exception as error:  # any failure is reported, not skipped
                self._records = cached  # records made for it were rolled back with the savepoint
                failures.append(f"{model}: cannot create a test record generically ({type(error).__name__}: "
                                f"{str(error).splitlines()[0] if str(error) else ''}); add it to RECORD_FACTORIES")
        return records, failures

    def _expected(self, model, user):
        """Operations the ACLs of ``model`` grant to ``user`` (global ACLs and ACLs of their groups)."""
        acls = self.acls.get(model, self.env["ir.model.access"])
        groups = user.groups_id
        granted = acls.filtered(lambda acl: not acl.group_id or acl.group_id in groups)
        return {op: any(acl[f"perm_{op}"] for acl in granted) for op in OPERATIONS}

    def _report(self, failures, title):
        failures = [line for line in failures if line]
        if failures:
            self.fail(f"{title}:\n  " + "\n  ".join(sorted(set(failures))))

    def _allowed(self, model, check):
        return (model, check) in ALLOWED_EXCEPTIONS

    # ---------------------------------------------------------------------------------------------
    # a. ACL coverage
    # ---------------------------------------------------------------------------------------------
    def test_a_every_model_of_the_suite_has_an_acl(self):
        self.assertGreater(len(self.suite_models), 20, "the suite's models were not found through ir.model")
        missing = [f"{model}: no ir.model.access" for model in self.suite_models if model not in self.acls]
        self._report(missing, "Models of the suite without any ACL")

    # ---------------------------------------------------------------------------------------------
    # b. each ACL group does exactly what its ACLs grant, on its own company's records
    # ---------------------------------------------------------------------------------------------
    def test_b_each_group_does_exactly_what_its_acls_grant(self):
        specs = []
        for model, acls in self.acls.items():
            for group in acls.group_id:
                user = self.portal_user if group == self.env.ref("base.group_portal") else self.group_users[group]
                partner = user.partner_id.commercial_partner_id if user.share else None
                specs.append((model, self.company_a, user, partner))
        records, failures = self._records_or_failures(specs)
        for (model, _company, user, _partner), record in records.items():
            expected = self._expected(model, user)
            groups = ", ".join((user.groups_id & self.acls[model].group_id).mapped("full_name"))
            for operation in OPERATIONS:
                allowed = record.with_user(user).has_access(operation)
                if allowed != expected[operation]:
                    failures.append(
                        f"{model}: user with only [{groups}] {'may' if allowed else 'may not'} {operation} "
                        f"an own-company record, the ACLs {'grant' if expected[operation] else 'do not grant'} it")
                if not expected[operation] and not allowed:
                    try:
                        record.with_user(user).check_access(operation)
                        failures.append(f"{model}: {operation} by [{groups}] is not refused by check_access")
                    except AccessError:
                        pass
        self.assertEqual(len(records) + len([f for f in failures if "cannot create" in f]), len(specs))
        self._report(failures, "Access matrix (ACL groups on own-company records) does not hold")

    # ---------------------------------------------------------------------------------------------
    # c. another company's user cannot read company A's records
    # ---------------------------------------------------------------------------------------------
    def test_c_other_company_users_cannot_read_company_records(self):
        specs, readers = [], {}
        for model, acls in self.acls.items():
            field = self.env[model]._fields.get("company_id")
            if not field or not field.store:
                continue
            readers_groups = acls.filtered("perm_read").group_id - self.env.ref("base.group_portal")
            if not readers_groups:
                continue
            # the broadest internal reader: the group whose ACLs grant the most operations
            group = max(readers_groups, key=lambda g: sum(self._expected(model, self.group_users[g]).values()))
            readers[model] = group
            specs.append((model, self.company_a, self.group_users[group], None))
        records, failures = self._records_or_failures(specs)
        cache, used = {}, set()
        for (model, _company, _user, _partner), record in records.items():
            group = readers[model]
            if group not in cache:
                cache[group] = self._user(f"matrix_b_{group.id}", group, self.company_b)
            other = cache[group]
            readable = record.with_user(other).has_access("read")
            found = record.with_user(other).search([("id", "=", record.id)]) if record._auto else record.browse()
            if (readable or found) and self._allowed(model, "other_company_read"):
                used.add((model, "other_company_read"))
            elif readable or found:
                failures.append(f"{model}: a user of another company with [{group.full_name}] can read a record "
                                f"of company A (missing or too wide multi-company record rule)")
        failures += [f"{model}: stale ALLOWED_EXCEPTIONS entry for {check}, remove it"
                     for model, check in ALLOWED_EXCEPTIONS
                     if check == "other_company_read" and (model, check) not in used]
        self._report(failures, "Multi-company isolation does not hold")

    # ---------------------------------------------------------------------------------------------
    # d. portal users
    # ---------------------------------------------------------------------------------------------
    def test_d_portal_users_read_only_their_own_records(self):
        portal = self.env.ref("base.group_portal")
        manager_specs, portal_specs = [], []
        for model in self.suite_models:
            acls = self.acls.get(model, self.env["ir.model.access"])
            portal_acls = acls.filtered(lambda acl: acl.group_id == portal or not acl.group_id)
            if portal_acls.filtered("perm_read"):
                owner = self.portal_user.partner_id.commercial_partner_id
                portal_specs.append((model, self.company_a, self.env.user, owner))
            elif acls:
                internal = acls.group_id[:1]
                manager_specs.append((model, self.company_a, self.group_users[internal], None))
        records, failures = self._records_or_failures(manager_specs + portal_specs)
        for (model, _company, _user, owner), record in records.items():
            if owner:
                if not record.with_user(self.portal_user).has_access("read"):
                    failures.append(f"{model}: the portal customer cannot read their own record")
                if record.with_user(self.portal_user_other).has_access("read"):
                    failures.append(f"{model}: a portal user of another customer can read the first customer's record")
                if record.with_user(self.portal_user_other).search([("id", "=", record.id)]):
                    failures.append(f"{model}: a portal user of another customer finds the first customer's record")
            elif record.with_user(self.portal_user).has_access("read"):
                failures.append(f"{model}: a portal user can read an internal model without a portal ACL")
        self._report(failures, "Portal isolation does not hold")

    # ---------------------------------------------------------------------------------------------
    # e. action buttons
    # ---------------------------------------------------------------------------------------------
    def _suite_buttons(self):
        """{(model, method): {button contexts}} of every type="object" button in the suite's views
        (a literal ``context`` attribute is kept: the web client passes it with the call)."""
        view_ids = self.env["ir.model.data"].sudo().search(
            [("model", "=", "ir.ui.view"), ("module", "in", SUITE_MODULES)]).mapped("res_id")
        buttons = {}
        for view in self.env["ir.ui.view"].sudo().browse(view_ids):
            if not view.arch_db or not view.model:
                continue
            for node in etree.fromstring(view.arch_db.encode()).iter("button"):
                if node.get("type") == "object" and node.get("name"):
                    try:
                        context = ast.literal_eval(node.get("context") or "{}")
                    except (ValueError, SyntaxError):  # a context with expressions: called without it
                        context = {}
                    contexts = buttons.setdefault((view.model, node.get("name")), [])
                    if context not in contexts:
                        contexts.append(context)
        return buttons

    def _button_record(self, model):
        """The record a button is clicked on: company A, created by a manager of the suite."""
        manager = self.env.ref("base.user_admin")
        if model == "res.partner":
            return self.env["res.partner"].create({"name": "Matrix A Customer", "company_id": self.company_a.id})
        if model == "sale.order":
            return _sale_order(self, self.company_a, manager, confirm=False)
        if model == "account.move":
            invoice = self.env["account.move"].create({
                "move_type": "out_invoice", "partner_id": self.customer.id,
                "invoice_line_ids": [Command.create({"product_id": self.product.id, "price_unit": 100.0})],
            })
            invoice.action_post()
            return invoice
        return self._record(model, self.company_a, manager)

    def _writes(self):
        """Rows inserted, updated or deleted so far by this transaction (PostgreSQL statistics)."""
        self.env.cr.execute("SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables")
        return self.env.cr.fetchone()[0]

    def _call(self, record, method, user, context):
        """Call ``method`` on ``record`` as ``user`` in a savepoint that is always rolled back.

        :return: ``(None, 0)`` when refused (AccessError/UserError), else ``(result, rows written)``
        """
        with closing(self.env.cr.savepoint()):
            before = self._writes()
            try:
                result = getattr(record.with_user(user).with_context(**context), method)()
                self.env.flush_all()
            except (AccessError, UserError):
                return None, 0
            finally:
                self.env.invalidate_all()
            return (result if result is not None else True), self._writes() - before

    def _button_failure(self, record, method, context, user, who):
        """A failure line when ``user`` is not refused calling the button, else None.

        Refused: an AccessError/UserError. A button that only navigates (returns an action and
        writes nothing) also counts as refused when its ``ALLOWED_BUTTONS`` verifier proves that
        the data behind it is refused, or when it opens a model the user cannot read; without a
        verifier, navigating from a record the user may read themselves is fine. Anything else on
        a record the user cannot read is a failure: a button must refuse a record its caller
        cannot see.
        """
        try:
            result, written = self._call(record, method, user, context)
        except Exception as error:  # a crash is not a refusal
            return f"{record._name}.{method}: crashes for {who} instead of refusing ({type(error).__name__}: {error})"
        if result is None:
            return None
        if written or not isinstance(result, dict):
            return f"{record._name}.{method}: {who} may call it ({written} rows written, returned {str(result)[:60]!r})"
        if result.get("res_model") and not self.env[result["res_model"]].with_user(user).has_access("read"):
            return None
        verifier = ALLOWED_BUTTONS.get((record._name, method), (None, None))[1]
        if verifier:
            if verifier(self, user, record, result):
                return None
            return f"{record._name}.{method}: {who} may call it and read the data behind it ({str(result)[:60]!r})"
        if record.with_user(user).has_access("read"):
            return None
        return (f"{record._name}.{method}: {who} may call it on a record they cannot read "
                f"(returned {str(result)[:70]!r})")

    def test_e_every_button_is_a_public_method_refused_to_others(self):
        buttons = self._suite_buttons()
        self.assertTrue(buttons, "no type=object button found in the suite's views")
        failures = []
        records = {}
        for model in sorted({model for model, _method in buttons}):
            try:
                with self.env.cr.savepoint():
                    records[model] = self._button_record(model).with_env(self.env)
            except Exception as error:  # reported, not skipped
                failures.append(f"{model}: cannot create a record to click buttons on ({error})")
        # everyone who must be refused: no group of the suite; every group of the suite but in another
        # company; a portal user of another customer
        all_groups = (self.env["res.groups"].union(*self.group_users) - self.env.ref("base.group_portal")
                      | self.env.ref("sales_team.group_sale_manager") | self.env.ref("account.group_account_manager"))
        outsiders = [
            (self.plain_user, "a user without any group of the suite"),
            (self._user("matrix_b_all", all_groups, self.company_b), "a user of another company with every group"),
            (self.portal_user_other, "a portal user of another customer"),
        ]
        for (model, method), contexts in sorted(buttons.items()):
            Model = self.env[model]
            function = getattr(type(Model), method, None)
            if method.startswith("_") or not callable(function):
                failures.append(f"{model}.{method}: the button names no public method")
                continue
            acls = self.env["ir.model.access"].sudo().search([("model_id.model", "=", model)])
            can_change = acls.filtered(lambda acl: acl.perm_write or acl.perm_create)
            if Model._auto and not can_change and (model, method) not in READ_ONLY_MODEL_BUTTONS:
                failures.append(f"{model}.{method}: no group may change {model}, the button cannot be used")
            if not Model._auto and not acls.filtered("perm_read"):
                failures.append(f"{model}.{method}: no group may read {model}, the button cannot be used")
            if model not in records:
                continue
            company_owned = "company_id" in Model._fields and Model._fields["company_id"].store
            for context in contexts:
                for user, who in outsiders:
                    if user.company_id == self.company_b and not company_owned:
                        continue  # a record of no company: the other-company check does not apply
                    failures.append(self._button_failure(records[model], method, context, user, who))
        self._report(failures, "Action buttons")

"""Property: whatever the contacts look like, merge then undo restores them exactly."""

from contextlib import closing

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo import Command
from odoo.tests import tagged

from .merge_common import MergeCommon

CONTACT = st.fixed_dictionaries({
    "company": st.sampled_from([None, "a", "b"]),
    "street": st.sampled_from([False, "Via Roma 1", "Via Torino 5"]),
    "email": st.sampled_from([False, "info@rossi.example", "not an e-mail"]),
    "tags": st.sets(st.integers(0, 2), max_size=3),
    "children": st.integers(0, 2),
    "follows": st.sets(st.integers(0, 1), max_size=2),
    "recipient": st.booleans(),
    "leads": st.integers(0, 2),
})
GRAPH = st.tuples(st.lists(CONTACT, min_size=2, max_size=4), st.integers(0, 3))


@tagged("post_install", "-at_install")
class TestMergeProperty(MergeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.companies = {"a": cls.env.company, "b": cls.env["res.company"].create({"name": "CU Property B"})}
        cls.tags = cls.env["res.partner.category"].create([{"name": f"Property tag {i}"} for i in range(3)])
        cls.documents = cls.env["crm.lead"].create([{"name": f"Shared {i}"} for i in range(2)])

    def _build(self, contacts):
        """Create the generated contacts with their contacts, tags, followers, messages and leads."""
        Partner = self.env["res.partner"]
        partners = Partner
        for index, spec in enumerate(contacts):
            company = self.companies.get(spec["company"]) or self.env["res.company"]
            partner = Partner.create({
                "name": f"Rossi property {index}", "is_company": True, "company_id": company.id,
                "street": spec["street"], "email": spec["email"],
                "category_id": [Command.set([self.tags.ids[i] for i in sorted(spec["tags"])])],
            })
            Partner.create([{"name": f"Contact {index}.{i}", "parent_id": partner.id, "type": "contact"}
                            for i in range(spec["children"])])
            for doc in sorted(spec["follows"]):
                self.documents[doc].message_subscribe(partner_ids=partner.ids)
            self.env["crm.lead"].create([{"name": f"Lead {index}.{i}", "partner_id": partner.id,
                                          "company_id": company.id} for i in range(spec["leads"])])
            partners |= partner
        recipients = partners.filtered(lambda p: contacts[partners.ids.index(p.id)]["recipient"])
        if recipients:
            self.documents[0].message_post(body="Offer", partner_ids=recipients.ids, message_type="comment")
        return partners

    @settings(max_examples=15, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(GRAPH)
    def test_merge_then_undo_restores_the_snapshot(self, graph):
        contacts, master_index = graph
        with closing(self.env.cr.savepoint(flush=False)):  # each example rolls back
            try:
                partners = self._build(contacts)
                master = partners[master_index % len(partners)]
                tree = self.partner_tree_ids(partners)
                before = self.reference_snapshot(tree)
                log = self.Wizard.merge_partners(partners, master, reason="Property test")
                self.assertFalse(any((partners - master).mapped("active")))
                log.action_undo()
                self.env.invalidate_all()
                self.assertSnapshotEqual(before, self.reference_snapshot(tree))
            finally:
                self.env.cr.clear()

import csv
import io

from odoo.cli.command import commands
from odoo.tests import tagged

from ..cli.dedupe import Dedupe
from .common import CustomerUnificationMatchCase


@tagged("post_install", "-at_install")
class TestDedupeCli(CustomerUnificationMatchCase):
    def test_command_is_registered(self):
        self.assertIs(commands.get("dedupe"), Dedupe)

    def test_dedupe_writes_pairs_as_csv(self):
        first = self._company("Qwintra Logistica S.r.l.", vat="IT00743110157", email="info@qwintra.it")
        second = self._company("QWINTRA LOGISTICA SRL", vat="00743110157", email="Info@Qwintra.it")
        stream = io.StringIO()
        count = Dedupe.dedupe(self.env, stream, threshold=0.9)
        rows = list(csv.reader(io.StringIO(stream.getvalue())))
        self.assertEqual(rows[0], ["partner_a_id", "partner_b_id", "score", "reasons"])
        self.assertEqual(len(rows) - 1, count)
        ours = [row for row in rows[1:] if row[:2] == [str(first.id), str(second.id)]]
        self.assertEqual(len(ours), 1)
        self.assertGreaterEqual(float(ours[0][2]), 0.9)
        self.assertIn("vat exact", ours[0][3])

    def test_explain_model_prints_the_weights_table(self):
        self.env["customer.match.rule"].search([]).write({"scoring": "manual", "threshold": 0.7})
        self.assertEqual(Dedupe.explain_model(self.env), "no learned rule")
        self.env.ref("customer_unification.customer_match_rule_individual").write(
            {"scoring": "learned", "threshold": 0.9})
        text = Dedupe.explain_model(self.env)
        self.assertIn("Individuals", text)
        self.assertIn("weight", text)
        self.assertRegex(text, r"name\s+exact")

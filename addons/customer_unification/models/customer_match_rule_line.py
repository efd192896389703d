from odoo import api, fields, models

from ..tools import normalize


class CustomerMatchRuleLine(models.Model):
    _name = "customer.match.rule.line"
    _description = "Customer Match Rule Field"
    _order = "sequence, id"

    rule_id = fields.Many2one("customer.match.rule", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    # both lists come from registries that other addons extend (one place to add a field or a comparator)
    field = fields.Selection(selection="_selection_field", required=True)
    comparator = fields.Selection(selection="_selection_comparator", required=True, default="exact")
    weight = fields.Float(
        default=0.2, digits=(3, 2), required=True,
        help="Added to the score, times the similarity, when the values agree.")
    min_similarity = fields.Float(
        "Agreement Level", default=0.8, digits=(3, 2), required=True,
        help="Similarity from which the values count as agreeing.")
    mismatch_penalty = fields.Float(
        default=0.0, digits=(3, 2), required=True,
        help="Subtracted from the score, times the dissimilarity, when both values "
             "are present but disagree.")

    _sql_constraints = [
        ("weight_positive", "CHECK(weight >= 0 AND mismatch_penalty >= 0)",
         "Weights and penalties must be positive."),
        ("min_similarity_range", "CHECK(min_similarity > 0 AND min_similarity <= 1)",
         "The agreement level must be between 0 and 1."),
    ]

    @api.model
    def _selection_field(self):
        """The fields a line may compare: the one registry of compared fields,
        ``customer.match.rule._cu_match_fields`` (entries usable by manual lines, see
        ``_cu_manual_match_fields``): a field added there can be chosen here, with its label."""
        fields_registry = self.env["customer.match.rule"]._cu_manual_match_fields()
        return [(name, spec["label"]) for name, spec in fields_registry.items()]

    @api.model
    def _cu_comparators(self):
        """Registry of the comparators of manual lines: ``{key: (label, function)}``, the function
        taking two normalized values and returning their similarity between 0 and 1. Override,
        call super and add an entry to offer another comparator."""
        return {
            "exact": (self.env._("Exact (normalized)"), normalize.exact_similarity),
            "trigram": (self.env._("Trigram similarity"), normalize.trigram_similarity),
            "similarity": (self.env._("String similarity"), normalize.edit_similarity),
            "token_set": (self.env._("Token set (any word order)"), normalize.token_set_similarity),
        }

    @api.model
    def _selection_comparator(self):
        return [(key, label) for key, (label, _function) in self._cu_comparators().items()]

    @api.model
    def _compare_with_spec(self, spec, profile_a, profile_b):
        """Compare one field of two profiles: ``(similarity, contribution)``.

        ``similarity`` is ``None`` when a side has no value (no contribution).
        Scoring and explanations both come from here: override it to change
        how a field is compared.
        """
        compare = spec.compare
        if len(spec.keys) == 1:  # the usual case, without building lists
            key_a, key_b = profile_a.get(spec.keys[0]), profile_b.get(spec.keys[0])
            if not key_a or not key_b:
                return None, 0.0
            similarity = compare(key_a, key_b)
        else:
            keys_a = [profile_a[key] for key in spec.keys if profile_a.get(key)]
            keys_b = [profile_b[key] for key in spec.keys if profile_b.get(key)]
            if not keys_a or not keys_b:
                return None, 0.0
            similarity = max(compare(key_a, key_b) for key_a in keys_a for key_b in keys_b)
        if similarity >= spec.min_similarity:
            return similarity, round(spec.weight * similarity, 4)
        if self._penalty_applies(spec, profile_a, profile_b):
            return similarity, -round(spec.mismatch_penalty * (1.0 - similarity), 4)
        return similarity, 0.0

    @api.model
    def _explain_with_spec(self, spec, profile_a, profile_b):
        """Compare one field of two profiles; return its explanation entry."""
        similarity, contribution = self._compare_with_spec(spec, profile_a, profile_b)
        return {
            "field": spec.field,
            "label": spec.label,
            "comparator": spec.comparator,
            "value_a": " / ".join(str(profile_a[col]) for col in spec.displays if profile_a.get(col)),
            "value_b": " / ".join(str(profile_b[col]) for col in spec.displays if profile_b.get(col)),
            "similarity": None if similarity is None else round(similarity, 3),
            "contribution": contribution,
        }

    @api.model
    def _penalty_applies(self, spec, profile_a, profile_b):
        """Whether a disagreement on this field counts against the pair.

        Tax IDs only disagree when both pass their checksum: an invalid one is
        more likely a typo than another legal entity.
        """
        if spec.field == "vat":
            return bool(profile_a.get("cu_vat_valid") and profile_b.get("cu_vat_valid"))
        return True

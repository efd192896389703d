def migrate(cr, version):
    """The customer report reads the invoice margin stored at posting (``bridge_margin_amount``):
    the covering index on the posted product lines it used to aggregate is gone."""
    cr.execute("DROP INDEX IF EXISTS account_move_line_bridge_margin_idx")

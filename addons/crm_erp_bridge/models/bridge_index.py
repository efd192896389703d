from odoo.tools import SQL


class BridgeIndex:
    """An index the bridge adds to another module's table.

    It is declared by the bridge's extension of the model owning the table, in that model's
    ``_bridge_indexes()`` (the one place): the model's ``init()`` creates it, the bridge's
    ``uninstall_hook`` drops it (the ORM only drops the indexes of its own fields).

    ``columns`` are the key expressions (``"date_closed DESC"``), ``where`` the condition of a
    partial index, ``include`` the covered columns (index-only scans). They are code constants,
    never user input.
    """

    __slots__ = ("name", "columns", "where", "include")

    def __init__(self, name, columns, where="", include=()):
        self.name = name
        self.columns = tuple(columns)
        self.where = where
        self.include = tuple(include)

    def __repr__(self):
        return "BridgeIndex(%r)" % self.name

    def create_sql(self, table):
        """``CREATE INDEX IF NOT EXISTS`` on ``table``."""
        return SQL(
            "CREATE INDEX IF NOT EXISTS %s ON %s (%s)%s%s",
            SQL.identifier(self.name),
            SQL.identifier(table),
            SQL(", ").join(SQL(column) for column in self.columns),
            SQL(" INCLUDE (%s)", SQL(", ").join(SQL.identifier(column) for column in self.include))
            if self.include else SQL(),
            SQL(" WHERE %s", SQL(self.where)) if self.where else SQL(),
        )

    def drop_sql(self):
        """``DROP INDEX IF EXISTS``."""
        return SQL("DROP INDEX IF EXISTS %s", SQL.identifier(self.name))


def create_bridge_indexes(model):
    """Create the indexes ``model._bridge_indexes()`` declares on the model's table (its
    ``init()`` calls this)."""
    for index in model._bridge_indexes():
        model.env.cr.execute(index.create_sql(model._table))


def bridge_indexed_models(env):
    """The models declaring bridge indexes: every stored model with a ``_bridge_indexes`` method
    (an addon extending the bridge declares its own the same way)."""
    return [
        env[name]
        for name, model_class in env.registry.items()
        if model_class._auto and not model_class._abstract and hasattr(model_class, "_bridge_indexes")
    ]


def drop_bridge_indexes(env):
    """Drop every declared bridge index (the bridge's ``uninstall_hook``)."""
    for model in bridge_indexed_models(env):
        for index in model._bridge_indexes():
            env.cr.execute(index.drop_sql())

from . import models
from . import wizard
from . import report
from . import controllers
from .models.bridge_index import drop_bridge_indexes


def uninstall_hook(env):
    """Drop the indexes the bridge added to other modules' tables (each declared by the
    ``_bridge_indexes()`` of the bridge's extension of the table's model): the ORM only drops the
    bridge's own tables, columns and field indexes."""
    drop_bridge_indexes(env)

from . import models
from . import tools
from . import wizard
from . import cli


def uninstall_hook(env):
    """Drop the SQL function of the scan's blocking indexes (and, with it, those indexes)."""
    env.cr.execute("DROP FUNCTION IF EXISTS customer_unification_name_blocks(text, text) CASCADE")

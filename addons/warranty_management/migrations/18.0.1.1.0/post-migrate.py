from odoo import SUPERUSER_ID, api

from odoo.addons.warranty_management import _post_init_hook


def migrate(cr, version):
    """Databases installed before the warranty accounts came with the chart get them now."""
    _post_init_hook(api.Environment(cr, SUPERUSER_ID, {}))

from . import models
from . import report
from . import wizard
from . import controllers


def _post_init_hook(env):
    """Companies whose chart of accounts is already loaded get the warranty accounts and journal."""
    chart_template = env["account.chart.template"]
    for company in env["res.company"].search([("chart_template", "!=", False)], order="parent_path"):
        chart_template._warranty_load_accounting(company)

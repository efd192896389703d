from . import portal
from . import warranty_cost_report

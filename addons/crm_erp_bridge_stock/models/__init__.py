from . import crm_erp_timeline
from . import sale_order

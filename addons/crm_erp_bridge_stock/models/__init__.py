from . import crm_erp_timeline
from . import res_company
from . import res_config_settings
from . import res_partner
from . import sale_order
from . import stock_picking

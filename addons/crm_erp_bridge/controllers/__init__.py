from . import crm_erp_report_xlsx
from . import delivery_confirmation

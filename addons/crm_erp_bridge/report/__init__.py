from . import crm_erp_report_mixin
from . import crm_erp_customer_report
from . import crm_erp_forecast_report
from . import crm_erp_capacity_report
from . import crm_erp_report_xlsx
from . import crm_erp_quote_conversion_report

from . import warranty_provision_report
from . import warranty_claim_analysis
from . import warranty_cost_report_xlsx
from . import crm_erp_customer_report

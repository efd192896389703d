from . import crm_erp_credit_override

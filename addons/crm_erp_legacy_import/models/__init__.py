from . import crm_erp_legacy_ref
from . import crm_erp_legacy_import
from . import crm_erp_legacy_import_document
from . import sale_order

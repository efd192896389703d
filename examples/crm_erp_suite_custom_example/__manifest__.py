{
    "name": "CRM-ERP Suite: Customisation Example",
    "summary": "How a consultant customises the suite: one small override per rule, honoured by "
    "the production paths (crons, batch registration, scan, timeline, reports)",
    "version": "18.0.1.0.0",
    "category": "Hidden",
    "author": "CRM-ERP Suite Contributors",
    "website": "https://github.com/crm-erp-suite/crm-erp-suite",
    "license": "LGPL-3",
    "depends": ["customer_unification", "crm_erp_bridge", "warranty_management"],
    "data": [],
    "installable": True,
    "application": False,
}

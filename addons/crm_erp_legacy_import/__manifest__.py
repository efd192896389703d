{
    "name": "CRM-ERP Legacy History Import",
    "summary": "Import open opportunities, quotations, orders and open invoices from the CRM and ERP "
    "you leave, linked to the unified customers, without duplicates on a re-run",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "author": "CRM-ERP Suite Contributors",
    "website": "https://github.com/crm-erp-suite/crm-erp-suite",
    "license": "LGPL-3",
    "depends": ["customer_unification", "crm_erp_bridge"],
    "data": [
        "security/crm_erp_legacy_import_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "views/crm_erp_legacy_import_views.xml",
        "views/crm_erp_legacy_ref_views.xml",
    ],
    "demo": ["demo/crm_erp_legacy_import_demo.xml"],
    "assets": {
        "web.assets_tests": ["crm_erp_legacy_import/static/tests/tours/**/*"],
    },
    "auto_install": True,
    "application": False,
    "installable": True,
}

{
    "name": "CRM-ERP Bridge",
    "summary": "Customer 360° timeline, quote follow-up, receivables in CRM, "
    "unpaid invoice chasing, post-sale follow-up and management reporting",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "author": "CRM-ERP Suite Contributors",
    "website": "https://github.com/crm-erp-suite/crm-erp-suite",
    "license": "LGPL-3",
    "depends": ["crm", "sale_crm", "sale_management", "account"],
    "data": [
        "security/crm_erp_bridge_security.xml",
        "security/ir.model.access.csv",
        "views/crm_erp_bridge_menus.xml",
    ],
    "demo": [],
    "assets": {
        "web.assets_tests": ["crm_erp_bridge/static/tests/tours/**/*"],
    },
    "application": False,
    "installable": True,
}

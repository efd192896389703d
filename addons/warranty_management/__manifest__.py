{
    "name": "Warranty Management",
    "summary": "Warranty entitlement per unit sold, claims through repair, "
    "warranty costs and provisions in the books, renewals",
    "version": "18.0.1.0.0",
    "category": "Inventory/After-Sales",
    "author": "CRM-ERP Suite Contributors",
    "website": "https://github.com/crm-erp-suite/crm-erp-suite",
    "license": "LGPL-3",
    "depends": ["sale_stock", "repair", "account", "crm_erp_bridge"],
    "data": [
        "security/warranty_management_security.xml",
        "security/ir.model.access.csv",
        "views/warranty_management_menus.xml",
    ],
    "demo": [],
    "assets": {
        "web.assets_tests": ["warranty_management/static/tests/tours/**/*"],
    },
    "application": True,
    "installable": True,
}

{
    "name": "Customer Unification",
    "summary": "One customer master: fuzzy, explainable duplicate detection, "
    "prevention, and merges with audit and undo",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "author": "CRM-ERP Suite Contributors",
    "website": "https://github.com/crm-erp-suite/crm-erp-suite",
    "license": "LGPL-3",
    "depends": ["contacts", "crm", "phone_validation"],
    "external_dependencies": {"python": ["python-stdnum"]},
    "data": [
        "security/customer_unification_security.xml",
        "security/ir.model.access.csv",
        "views/customer_unification_menus.xml",
    ],
    "demo": [],
    "assets": {
        "web.assets_tests": ["customer_unification/static/tests/tours/**/*"],
    },
    "application": True,
    "installable": True,
}

{
    "name": "CRM-ERP Bridge - Inventory",
    "summary": "CRM-ERP Bridge with Inventory: deliveries on the customer timeline and in the credit "
    "exposure, credit hold of deliveries, the order's incoterm in the delivery confirmation",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "author": "CRM-ERP Suite Contributors",
    "website": "https://github.com/crm-erp-suite/crm-erp-suite",
    "license": "LGPL-3",
    "depends": ["crm_erp_bridge", "sale_stock"],
    # no model of its own (it extends the bridge's models, sale.order and stock.picking): no access
    # right to add; the file is there so that one added later gets its rights in the usual place
    "data": [
        "security/ir.model.access.csv",
        "views/res_config_settings_views.xml",
        "views/stock_picking_views.xml",
        "wizard/crm_erp_credit_override_views.xml",
    ],
    "auto_install": True,
    "application": False,
    "installable": True,
}

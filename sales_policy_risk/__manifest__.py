{
    "name": "Sales Policy: Credit and Risk",
    "summary": "Customer credit assessment, exposure and limits, risk register, market "
    "information and early warning (篇一 §17–18, 篇四 §21–22)",
    "version": "19.0.1.1.0",
    "category": "Sales/Sales",
    "author": "Sales Policy for Odoo",
    "license": "LGPL-3",
    "depends": ["sales_policy"],
    "data": [
        "security/ir.model.access.csv",
        "security/sales_policy_risk_rules.xml",
        "data/sales_policy_risk_control_data.xml",
        "data/sales_policy_risk_data.xml",
        "views/sales_policy_market_info_views.xml",
        "views/sales_policy_risk_views.xml",
        "views/sales_policy_risk_menus.xml",
    ],
    "demo": [
        "demo/sales_policy_risk_demo.xml",
    ],
}

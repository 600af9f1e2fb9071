{
    "name": "Sales Policy",
    "summary": "Run the sales management policy (销售管理制度及流程): roles, "
    "sales hierarchy and scoped visibility",
    "version": "19.0.1.0.0",
    "category": "Sales/Sales",
    "author": "Sales Policy for Odoo",
    "license": "LGPL-3",
    "depends": ["crm", "sale_management", "account"],
    "data": [
        "security/sales_policy_groups.xml",
        "security/ir.model.access.csv",
        "security/sales_policy_rules.xml",
        "data/sales_policy_article_data.xml",
        "data/sales_policy_control_data.xml",
        "views/sales_policy_region_views.xml",
        "views/crm_team_views.xml",
        "views/sales_policy_article_views.xml",
        "views/res_config_settings_views.xml",
        "views/sales_policy_menus.xml",
    ],
    "demo": [
        "demo/sales_policy_demo.xml",
    ],
}

{
    "name": "Sales Policy: Appraisal",
    "summary": "Sales targets and the salesperson appraisal: indicators, templates, "
    "sheets, scoring, grades and ranking (篇一 §6, 篇四 §23–26)",
    "version": "19.0.1.2.0",
    "category": "Sales/Sales",
    "author": "Sales Policy for Odoo",
    "license": "LGPL-3",
    "depends": ["sales_policy"],
    "data": [
        "security/ir.model.access.csv",
        "security/sales_policy_kpi_rules.xml",
        "data/sales_policy_kpi_control_data.xml",
        "data/sales_policy_kpi_template_data.xml",
        "views/sales_policy_kpi_target_views.xml",
        "views/sales_policy_kpi_target_report_views.xml",
        "views/sales_policy_kpi_template_views.xml",
        "views/sales_policy_kpi_run_views.xml",
        "views/sales_policy_kpi_sheet_views.xml",
    ],
    "demo": ["demo/sales_policy_kpi_demo.xml"],
}

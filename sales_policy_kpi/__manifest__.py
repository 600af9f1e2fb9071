{
    "name": "Sales Policy: Appraisal",
    "summary": "Sales appraisal: quantitative indicators and qualitative scores per "
    "salesperson and period (篇一 §6, 篇四 §23–26)",
    "version": "19.0.1.0.0",
    "category": "Sales/Sales",
    "author": "Sales Policy for Odoo",
    "license": "LGPL-3",
    "depends": ["sales_policy"],
}

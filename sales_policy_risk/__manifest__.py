{
    "name": "Sales Policy: Credit and Risk",
    "summary": "Customer credit assessment, exposure and limits, risk register and early "
    "warning (篇一 §17–18)",
    "version": "19.0.1.0.0",
    "category": "Sales/Sales",
    "author": "Sales Policy for Odoo",
    "license": "LGPL-3",
    "depends": ["sales_policy"],
}

{
    "name": "Sales Policy: Approval Engine Tester",
    "summary": "Test-only: a small document that uses the approval engine and the workflow "
    "guard, for the engine's own tests. Never installed in production.",
    "version": "19.0.1.0.0",
    "category": "Hidden/Tests",
    "license": "LGPL-3",
    "author": "Sales Policy for Odoo",
    "depends": ["sales_policy"],
    "data": ["security/ir.model.access.csv"],
    "installable": True,
}

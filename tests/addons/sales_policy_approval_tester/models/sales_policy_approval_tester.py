from odoo import fields, models


class SalesPolicyApprovalTester(models.Model):
    """A document asking for approval at the levels written in ``levels`` (comma
    separated), in that order; ``amount`` is its approved content."""

    _name = "sales.policy.approval.tester"
    _description = "Approval Engine Tester"
    _inherit = ["mail.thread", "mail.activity.mixin", "sales.policy.approval.mixin"]

    name = fields.Char(required=True)
    user_id = fields.Many2one("res.users", string="Salesperson")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    levels = fields.Char(default="supervisor")
    amount = fields.Float()
    approved_count = fields.Integer(readonly=True)
    voided_count = fields.Integer(readonly=True)

    def _policy_approval_levels(self):
        self.ensure_one()
        return [level.strip() for level in (self.levels or "").split(",") if level.strip()]

    def _policy_approval_snapshot(self):
        self.ensure_one()
        return {"amount": self.amount}

    def _policy_approval_control(self):
        return "quotation_approval"

    def _on_policy_approved(self):
        for record in self.sudo():
            record.approved_count += 1

    def _on_policy_voided(self, changed):
        for record in self.sudo():
            record.voided_count += 1

from odoo import fields, models
from odoo.exceptions import UserError


class SalesPolicyApprovalWizard(models.TransientModel):
    """Approve or reject the pending approval level of a document, with a comment."""

    _name = "sales.policy.approval.wizard"
    _description = "Approval Decision"

    res_model = fields.Char()
    res_id = fields.Integer()
    approval_ids = fields.Many2many(
        "sales.policy.approval", string="Approvals", help="The steps decided from the inbox."
    )
    decision = fields.Selection(
        [("approved", "Approve"), ("rejected", "Reject")], required=True, default="approved"
    )
    comment = fields.Text(help="Required to reject: the requester sees it.")

    def _action_open(self, defaults):
        """The decision dialog (approve or reject, from ``policy_decision`` in the context)
        for a document (``res_model``/``res_id``) or inbox steps (``approval_ids``)."""
        decision = self.env.context.get("policy_decision", "approved")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Approve") if decision == "approved" else self.env._("Reject"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {
                **{f"default_{k}": v for k, v in defaults.items()},
                "default_decision": decision,
            },
        }

    def action_confirm(self):
        self.ensure_one()
        if self.approval_ids:
            for approval in self.approval_ids:
                if not approval.can_decide:
                    raise UserError(
                        self.env._(
                            "%(document)s does not wait for your decision at this level.",
                            document=approval.name,
                        )
                    )
            documents = {approval._document() for approval in self.approval_ids}
            for document in documents:
                document._policy_approval_decide(self.decision, self.comment)
            return {"type": "ir.actions.act_window_close"}
        if self.res_model not in self.env or not hasattr(
            self.env[self.res_model], "_policy_approval_decide"
        ):
            raise UserError(self.env._("This document has no approval workflow."))
        record = self.env[self.res_model].browse(self.res_id)
        record._policy_approval_decide(self.decision, self.comment)
        return {"type": "ir.actions.act_window_close"}

from odoo import api, fields, models
from odoo.exceptions import UserError


class SalesPolicyInvoiceSalespersonWizard(models.TransientModel):
    """Reassign the salesperson responsible for collecting customer invoices.

    Supervisors and the managers above them reassign invoices within their scope of
    the hierarchy (a supervisor within the team, a regional manager within the
    region); the director and finance reassign any invoice. Supervisors have no
    write access to invoices: the change is written by the system once checked.
    """

    _name = "sales.policy.invoice.salesperson.wizard"
    _description = "Change Invoice Salesperson"

    move_ids = fields.Many2many("account.move", string="Invoices", required=True)
    user_id = fields.Many2one(
        "res.users", string="New Salesperson", required=True, domain="[('share', '=', False)]"
    )
    reason = fields.Char(required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "account.move" and "move_ids" in fields_list:
            values["move_ids"] = [fields.Command.set(self.env.context.get("active_ids", []))]
        return values

    def action_apply(self):
        self.ensure_one()
        moves = self.move_ids
        moves.check_access("read")
        Move = self.env["account.move"]
        if not Move._sales_policy_may_change_salesperson():
            moves._sales_policy_check_salesperson_change(self.user_id.id)
        user = self.env.user
        if (
            not (
                self.env.su
                or user._sales_policy_scope() == "all"
                or user.has_group("sales_policy.group_finance")
                or user.has_group("account.group_account_manager")
            )
            and self.user_id not in user._sales_policy_scope_users()
        ):
            raise UserError(
                self.env._(
                    "%(user)s is outside your part of the sales hierarchy: you can hand "
                    "invoices only to salespeople you are responsible for (%(article)s).",
                    user=self.user_id.name,
                    article=self.env["sales.policy.control"]._cite("collection_salesperson"),
                )
            )
        moves = moves.filtered(lambda m: m.is_sale_document(include_receipts=True))
        for move in moves:
            old = move.invoice_user_id
            move.sudo().invoice_user_id = self.user_id
            move.sudo().message_post(
                body=self.env._(
                    "Salesperson changed from %(old)s to %(new)s by %(by)s: %(reason)s",
                    old=old.name or "-",
                    new=self.user_id.name,
                    by=user.name,
                    reason=self.reason,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return {"type": "ir.actions.act_window_close"}

from odoo import api, models
from odoo.exceptions import UserError


class ResPartner(models.Model):
    _inherit = "res.partner"

    #: Roles allowed to export customer data (control customer_confidentiality).
    _SALES_POLICY_EXPORT_GROUPS = (
        "sales_policy.group_sales_director",
        "sales_policy.group_finance",
    )

    @api.model_create_multi
    def create(self, vals_list):
        # A customer created by a sales rep is that rep's customer: without this the
        # rep could not see it again once it becomes a customer (confidentiality rules).
        if self.env.user.has_group("sales_policy.group_sales_rep") and not self.env.su:
            for vals in vals_list:
                if not vals.get("parent_id") and "user_id" not in vals:
                    vals["user_id"] = self.env.uid
        return super().create(vals_list)

    def export_data(self, fields_to_export):
        self._sales_policy_check_export()
        return super().export_data(fields_to_export)

    def _sales_policy_check_export(self):
        """Only authorised roles export customer data; others get a clear error."""
        user = self.env.user
        if self.env.su or not self._sales_policy_is_restricted_user(user):
            return
        if any(user.has_group(group) for group in self._SALES_POLICY_EXPORT_GROUPS):
            return
        raise UserError(
            self.env._(
                "Customer data is confidential (%(article)s): only the sales director and "
                "finance may export it.",
                article=self.env["sales.policy.control"]._cite("customer_confidentiality"),
            )
        )

    @api.model
    def _sales_policy_is_restricted_user(self, user):
        """Users holding a sales-policy role fall under its confidentiality rules."""
        return any(
            user.has_group(group)
            for group in (
                "sales_policy.group_sales_rep",
                "sales_policy.group_sales_assistant",
                "sales_policy.group_presales",
                "sales_policy.group_legal",
                "sales_policy.group_contract_admin",
                "sales_policy.group_finance",
            )
        )

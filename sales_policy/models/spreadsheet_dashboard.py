from odoo import api, models
from odoo.exceptions import UserError


class SpreadsheetDashboard(models.Model):
    _inherit = "spreadsheet.dashboard"

    @api.model
    def _sales_policy_my_dashboard_xmlids(self):
        """The policy dashboards in the order "What Waits for Me" chooses among them
        (the first whose groups are the user's). Hook: an addon adds its own."""
        return [
            "sales_policy.spreadsheet_dashboard_sales_policy",
            "sales_policy.spreadsheet_dashboard_sales_policy_finance",
            "sales_policy.spreadsheet_dashboard_sales_policy_contracts",
        ]

    @api.model
    def _sales_policy_my_dashboard(self):
        """The user's own policy dashboard: the first one meant for one of their groups,
        else (a dashboard manager with none of those groups) the first they may read."""
        dashboards = self.browse()
        for xmlid in self._sales_policy_my_dashboard_xmlids():
            dashboards |= self.env.ref(xmlid, raise_if_not_found=False) or self.browse()
        groups = self.env.user.all_group_ids
        mine = dashboards.filtered(lambda dashboard: dashboard.sudo().group_ids & groups)
        return (mine or dashboards & self.search([("id", "in", dashboards.ids)]))[:1]

    @api.model
    def _sales_policy_action_open_my_dashboard(self):
        dashboard = self._sales_policy_my_dashboard()
        if not dashboard:
            raise UserError(self.env._("No policy dashboard is meant for your roles."))
        return {
            "type": "ir.actions.client",
            "tag": "action_spreadsheet_dashboard",
            "name": self.env._("What Waits for Me"),
            "params": {"dashboard_id": dashboard.id},
        }

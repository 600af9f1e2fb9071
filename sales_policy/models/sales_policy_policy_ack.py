from odoo import api, fields, models
from odoo.exceptions import UserError


class SalesPolicyPolicyAck(models.Model):
    """A salesperson's acknowledgement of one version of the sales policy.

    Created ``pending`` for every salesperson when a version is published (and daily
    for newcomers); the salesperson turns it ``done`` with "I have read and
    acknowledge" on the policy. Pending ones are the managers' "Unacknowledged" list
    (record rules by hierarchy) and an alert of the alert engine. Written only by the
    system: nobody edits another user's acknowledgement.
    """

    _name = "sales.policy.policy.ack"
    _description = "Sales Policy Acknowledgement"
    _order = "date_requested desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    policy_id = fields.Many2one(
        "sales.policy.policy",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    version = fields.Char(related="policy_id.version")
    user_id = fields.Many2one(
        "res.users", string="Salesperson", required=True, readonly=True, index=True
    )
    company_id = fields.Many2one(
        "res.company", related="policy_id.company_id", store=True, index=True
    )
    state = fields.Selection(
        [
            ("pending", "Unacknowledged"),
            ("done", "Acknowledged"),
            ("superseded", "Superseded"),
        ],
        required=True,
        default="pending",
        readonly=True,
        index=True,
    )
    date_requested = fields.Date(
        string="Requested On", required=True, readonly=True, default=fields.Date.context_today
    )
    date_done = fields.Datetime(string="Acknowledged On", readonly=True)

    _policy_user_uniq = models.UniqueIndex(
        "(policy_id, user_id)", "A salesperson acknowledges a version once."
    )

    @api.depends("user_id.name", "policy_id.version")
    def _compute_name(self):
        for ack in self:
            ack.name = self.env._(
                "%(user)s: sales policy %(version)s",
                user=ack.user_id.name or "",
                version=ack.policy_id.version or "",
            )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(self._sales_policy_system_only())
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise UserError(self._sales_policy_system_only())
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_system(self):
        if not self.env.su:
            raise UserError(self._sales_policy_system_only())

    def _sales_policy_system_only(self):
        return self.env._(
            "Acknowledgements of the sales policy are recorded by the system: open the "
            'policy and click "I have read and acknowledge" (%(article)s).',
            article=self.env["sales.policy.control"]._cite("policy_acknowledgement"),
        )

    @api.model
    def _sales_policy_acknowledge(self, policy):
        """The current user acknowledges ``policy`` (a published version)."""
        user = self.env.user
        if policy.state != "published":
            raise UserError(
                self.env._("Only the published version of the sales policy can be acknowledged.")
            )
        if user.share:
            raise UserError(self.env._("Only employees acknowledge the sales policy."))
        ack = self.sudo().search(
            [("policy_id", "=", policy.id), ("user_id", "=", user.id)], limit=1
        )
        if ack.state == "done":
            return True
        vals = {"state": "done", "date_done": fields.Datetime.now()}
        if ack:
            ack.write(vals)
        else:
            self.sudo().create({"policy_id": policy.id, "user_id": user.id, **vals})
        policy.sudo().activity_ids.filtered(lambda a: a.user_id == user).action_feedback(
            feedback=self.env._("Acknowledged")
        )
        return True

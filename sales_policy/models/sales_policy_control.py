from odoo import api, fields, models, tools


class SalesPolicyControl(models.Model):
    """A control of the product: a gate, a rule or an alert that enforces articles.

    Code that enforces the policy cites its control by code::

        article = self.env["sales.policy.control"]._cite("quotation_approval")
        raise UserError(self.env._("... (%(article)s)", article=article))
    """

    _name = "sales.policy.control"
    _description = "Policy Control"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, index=True, help="Technical key used by the code.")
    sequence = fields.Integer(default=10)
    kind = fields.Selection(
        [
            ("gate", "Gate"),
            ("rule", "Access Rule"),
            ("alert", "Alert"),
            ("record", "Record Keeping"),
        ],
        required=True,
        default="gate",
    )
    article_id = fields.Many2one(
        "sales.policy.article",
        string="Cited Article",
        required=True,
        help="The article cited in this control's messages.",
    )
    article_ids = fields.Many2many(
        "sales.policy.article",
        "sales_policy_control_article_rel",
        "control_id",
        "article_id",
        string="Articles",
        help="Every article (in every version of the policy) this control enforces.",
    )
    description = fields.Text(translate=True)
    model_ids = fields.Many2many("ir.model", string="Models")
    # ir.model is readable by administrators only: the names, for everyone else
    model_names = fields.Char(string="Documents", compute="_compute_model_names")

    _code_uniq = models.UniqueIndex("(code)", "Each control code is unique.")

    @api.depends("model_ids")
    def _compute_model_names(self):
        for control in self:
            control.model_names = ", ".join(control.sudo().model_ids.mapped("name"))

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()  # _cite
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()  # _cite
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()  # _cite
        return super().unlink()

    @api.model
    @tools.ormcache("code")
    def _cite(self, code):
        """The citation of the control ``code``, e.g. ``篇四 §12`` (cached; controls and
        article codes clear the cache when they change)."""
        control = self.sudo().search([("code", "=", code)], limit=1)
        return control.article_id.code or ""

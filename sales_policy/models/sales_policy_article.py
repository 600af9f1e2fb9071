from odoo import fields, models

PARTS = [("1", "篇一"), ("2", "篇二"), ("3", "篇三"), ("4", "篇四"), ("5", "篇五")]


class SalesPolicyArticle(models.Model):
    """One article of the sales management policy (销售管理制度及流程).

    The policy comes in five versions (篇一…篇五); an article is cited by its code,
    e.g. ``篇四 §12`` or ``篇三 3.4``. Controls (gates, rules, alerts) point to the
    articles they enforce, so that every error message and alert can cite them and an
    audit can list the controls by article.
    """

    _name = "sales.policy.article"
    _description = "Policy Article"
    _order = "sequence, id"
    _rec_names_search = ["code", "name"]

    code = fields.Char(required=True, index=True, help="How the article is cited, e.g. 篇四 §12.")
    name = fields.Char(string="Title", required=True)
    part = fields.Selection(PARTS, string="Version", required=True)
    number = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    body = fields.Text(string="Text")
    control_ids = fields.Many2many(
        "sales.policy.control",
        "sales_policy_control_article_rel",
        "article_id",
        "control_id",
        string="Controls",
        help="The controls of the product that enforce this article.",
    )
    control_count = fields.Integer(compute="_compute_control_count")

    _code_uniq = models.UniqueIndex("(code)", "Each article code is unique.")

    def _compute_display_name(self):
        for article in self:
            article.display_name = f"{article.code} {article.name}"

    def _compute_control_count(self):
        for article in self:
            article.control_count = len(article.control_ids)

    def write(self, vals):
        if "code" in vals:
            self.env.registry.clear_cache()  # sales.policy.control._cite
        return super().write(vals)

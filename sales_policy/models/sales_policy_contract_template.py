from odoo import api, fields, models


class SalesPolicyContractTemplate(models.Model):
    """The company's contract template (合同范本, 篇四 §13.1).

    The body is a QWeb template rendered on the contract with the order's data
    (``object`` is the ``sales.policy.contract``). Rendering goes through Odoo's mail
    rendering (``mail.render.mixin``) and keeps its security model: users who are not
    template editors may only use the placeholders listed by
    ``sales.policy.contract.mail_allowed_qweb_expressions()`` (formatted values of the
    order, rendered without evaluating any code); anything else needs the Mail Template
    Editor group, exactly as for e-mail templates.
    """

    _name = "sales.policy.contract.template"
    _description = "Sales Contract Template"
    _inherit = ["mail.render.mixin"]
    _order = "sequence, id"
    _check_company_auto = True
    # the body is trusted once saved: saving dynamic code requires the template editor
    # group (checked by mail.render.mixin on create/write), as for mail templates
    _unrestricted_rendering = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        default=lambda self: self.env.company,
        help="Leave empty to offer the template to every company.",
    )
    body_html = fields.Html(
        string="Terms",
        render_engine="qweb",
        sanitize="email_outgoing",
        help='The contract text. Placeholders such as <t t-out="object.term_buyer"/> are '
        "replaced by the order's data when a contract is made from the template.",
    )
    contract_count = fields.Integer(compute="_compute_contract_count", string="Contracts")

    def _compute_render_model(self):
        self.render_model = "sales.policy.contract"

    def _compute_contract_count(self):
        counts = dict(
            self.env["sales.policy.contract"]._read_group(
                [("template_id", "in", self.ids)], ["template_id"], ["__count"]
            )
        )
        for template in self:
            template.contract_count = counts.get(template, 0)

    @api.model
    def _default_for_company(self, company):
        """The template a new contract of ``company`` starts from."""
        return self.search(
            [("company_id", "in", [company.id, False])],
            order="company_id, sequence, id",
            limit=1,
        )

    def _render_contract_terms(self, contracts):
        """{contract_id: rendered terms} for ``contracts``, in each customer's language."""
        self.ensure_one()
        result = {}
        for lang in set(contracts.mapped(lambda c: c.partner_id.lang or self.env.lang)):
            batch = contracts.filtered(
                lambda c, lang=lang: (c.partner_id.lang or self.env.lang) == lang
            )
            result.update(
                self.with_context(lang=lang)._render_template(
                    self.body_html, "sales.policy.contract", batch.ids, engine="qweb"
                )
            )
        return result

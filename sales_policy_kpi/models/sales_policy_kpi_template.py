from odoo import api, fields, models
from odoo.exceptions import ValidationError

#: The roles a template is the default of (a salesperson's role: their highest one).
ROLES = [("rep", "Sales Representative"), ("supervisor", "Sales Supervisor")]

#: Grades, best first, with the field holding the minimum total score of each.
GRADES = [("S", "grade_s_min"), ("A", "grade_a_min"), ("B", "grade_b_min"), ("C", "grade_c_min")]


class SalesPolicyKpiTemplate(models.Model):
    """An appraisal template (考核方案): the indicators, their weights, targets and
    scoring, and the grade thresholds, per role / team (篇四 §23, §25).

    Quantitative lines read an indicator of the registry; qualitative lines are scored
    by the manager (定量考核和定性考核相结合). Weights sum to 100 %.
    """

    _name = "sales.policy.kpi.template"
    _description = "Appraisal Template"
    _inherit = ["mail.thread"]
    _order = "sequence, name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        default=lambda self: self.env.company,
        help="Leave empty to use the template in every company.",
    )
    role = fields.Selection(
        ROLES,
        help="The role this template is the default of: a salesperson whose team has no "
        "template of its own is appraised with the template of their role (a supervisor "
        "who is appraised too holds the supervisor role).",
    )
    team_ids = fields.Many2many(
        "crm.team",
        string="Sales Teams",
        check_company=True,
        help="The teams whose salespeople are appraised with this template: a team's "
        "template wins over the role's default (empty: the role's default).",
    )
    line_ids = fields.One2many(
        "sales.policy.kpi.template.line", "template_id", string="Items", copy=True
    )
    weight_total = fields.Float(
        string="Total Weight (%)",
        compute="_compute_weight_total",
        store=True,
        help="Sum of the weights of the items: it must be 100 %.",
    )
    grade_s_min = fields.Float(string="S from", default=95.0, help="Minimum total score for S.")
    grade_a_min = fields.Float(string="A from", default=85.0, help="Minimum total score for A.")
    grade_b_min = fields.Float(string="B from", default=70.0, help="Minimum total score for B.")
    grade_c_min = fields.Float(
        string="C from", default=60.0, help="Minimum total score for C; below it, D."
    )
    note = fields.Html(string="Notes")

    @api.depends("line_ids.weight")
    def _compute_weight_total(self):
        for template in self:
            template.weight_total = sum(template.line_ids.mapped("weight"))

    @api.constrains("weight_total")
    def _check_weight_total(self):
        for template in self:
            if template.line_ids and round(template.weight_total, 2) != 100.0:
                raise ValidationError(
                    self.env._(
                        "The weights of the template %(template)s add up to %(total)s %%: "
                        "they must add up to 100 %%.",
                        template=template.display_name,
                        total=round(template.weight_total, 2),
                    )
                )

    @api.constrains("grade_s_min", "grade_a_min", "grade_b_min", "grade_c_min")
    def _check_grades(self):
        for template in self:
            thresholds = [template[field] for _grade, field in GRADES]
            if thresholds != sorted(thresholds, reverse=True) or thresholds[-1] < 0:
                raise ValidationError(
                    self.env._(
                        "The grade thresholds of %(template)s must go down from S to C and "
                        "stay at 0 or above.",
                        template=template.display_name,
                    )
                )

    @api.model
    def _kpi_user_roles(self, users):
        """``{user_id: role}``: the appraisal role of each of ``users`` (their highest
        sales role). Extend it to add a role."""
        supervisor = self.env.ref("sales_policy.group_sales_supervisor")
        return {
            user.id: "supervisor" if supervisor in user.sudo().all_group_ids else "rep"
            for user in users
        }

    @api.model
    def _kpi_pick(self, members, company, default=None):
        """The template of each salesperson: ``{user_id: template}``.

        :param members: ``crm.team.member`` records (a salesperson and their team)
        :param default: the template of whoever has neither a team nor a role template

        A template of the salesperson's team (for their role, or any role) wins over the
        default template of their role, which wins over ``default``. Among several, the
        first by sequence. Two queries, whatever the number of salespeople.
        """
        templates = (
            self.sudo().search([("company_id", "in", [company.id, False])]).filtered("line_ids")
        )
        roles = self._kpi_user_roles(members.user_id)
        picked = {}
        for member in members:
            role = roles.get(member.user_id.id)
            team_templates = templates.filtered(lambda t, m=member: m.crm_team_id in t.team_ids)
            candidates = (
                team_templates.filtered(lambda t, r=role: t.role == r)
                or team_templates.filtered(lambda t: not t.role)
                or templates.filtered(lambda t, r=role: not t.team_ids and t.role == r)
            )
            picked[member.user_id.id] = candidates[:1] or default or self.browse()
        return picked

    def _grade(self, score):
        """The grade (S, A, B, C or D) of a total score."""
        self.ensure_one()
        for grade, field in GRADES:
            if score >= self[field]:
                return grade
        return "D"

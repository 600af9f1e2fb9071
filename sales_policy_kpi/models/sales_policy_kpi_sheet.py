from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.sales_policy.models.sales_policy_workflow_guard import ALL_FIELDS

STATES = [
    ("draft", "Draft"),
    ("scored", "Scored"),
    ("reviewed", "Reviewed"),
    ("confirmed", "Confirmed"),
    ("published", "Published"),
]


class SalesPolicyKpiSheet(models.Model):
    """The appraisal sheet (考核表) of one salesperson for one period (篇四 §23–26).

    Per item of the template: the actual, the target, the achievement and the score
    (capped); the manager's scores of the qualitative items and comments; the total, the
    grade and the rank in the team and the region; improvement suggestions (篇一 §6.3)
    followed up at the next period.

    States: draft (the supervisor scores) → scored → reviewed (the regional manager
    approved) → confirmed (the director approved; locked: recomputing never changes it)
    → published (the salesperson sees it and acknowledges it). The step from scored to
    confirmed is an instance of the approval engine (regional manager, then director,
    along the salesperson's chain); everything else is locked by the workflow guard.
    """

    _name = "sales.policy.kpi.sheet"
    _description = "Appraisal Sheet"
    _inherit = ["mail.thread", "mail.activity.mixin", "sales.policy.approval.mixin"]
    _order = "date_from desc, total_score desc, id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    run_id = fields.Many2one(
        "sales.policy.kpi.run",
        string="Appraisal Run",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
        check_company=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Salesperson", required=True, index=True, readonly=True
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        index=True,
        readonly=True,
        help="The team the salesperson belongs to at the end of the period: it appraises "
        "them, with the figures of the whole period.",
    )
    region_id = fields.Many2one(
        "sales.policy.region", string="Sales Region", index=True, readonly=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    template_id = fields.Many2one("sales.policy.kpi.template", readonly=True)
    period_type = fields.Selection(related="run_id.period_type", store=True)
    period_name = fields.Char(related="run_id.period_name", store=True)
    date_from = fields.Date(related="run_id.date_from", store=True)
    date_to = fields.Date(related="run_id.date_to", store=True)
    state = fields.Selection(
        STATES, required=True, default="draft", readonly=True, tracking=True, index=True
    )
    line_ids = fields.One2many("sales.policy.kpi.sheet.line", "sheet_id", string="Items")
    total_score = fields.Float(
        compute="_compute_total_score",
        store=True,
        aggregator="avg",
        digits=(16, 1),
        help="Weighted average of the items' scores. An indicator without a figure (e.g. "
        "no visit planned) is left out and the other weights count proportionally.",
    )
    grade = fields.Selection(
        [("S", "S"), ("A", "A"), ("B", "B"), ("C", "C"), ("D", "D")],
        compute="_compute_grade",
        store=True,
        help="From the total score and the thresholds of the template.",
    )
    rank_team = fields.Integer(string="Rank in Team", readonly=True, aggregator=False)
    rank_region = fields.Integer(string="Rank in Region", readonly=True, aggregator=False)
    supervisor_comment = fields.Text(string="Supervisor's Assessment")
    manager_comment = fields.Text(string="Regional Manager's Review")
    improvement = fields.Text(
        string="Improvement Suggestions",
        help="What the salesperson should improve (篇一 §6.3); followed up at the next period.",
    )
    previous_sheet_id = fields.Many2one(
        "sales.policy.kpi.sheet", compute="_compute_previous_sheet_id"
    )
    previous_improvement = fields.Text(
        string="Previous Suggestions", compute="_compute_previous_sheet_id"
    )
    improvement_followup = fields.Text(
        string="Follow-up of Previous Suggestions",
        help="How the salesperson acted on the suggestions of the previous sheet.",
    )
    acknowledged_date = fields.Datetime(string="Acknowledged On", readonly=True, copy=False)
    is_mine = fields.Boolean(compute="_compute_is_mine")

    _run_user_uniq = models.UniqueIndex(
        "(run_id, user_id)", "A salesperson has one sheet per appraisal run."
    )

    @api.depends("user_id.name", "period_name")
    def _compute_name(self):
        for sheet in self:
            sheet.name = f"{sheet.user_id.name or ''} {sheet.period_name or ''}".strip()

    @api.depends("line_ids.score", "line_ids.weight", "line_ids.applicable")
    def _compute_total_score(self):
        for sheet in self:
            lines = sheet.line_ids.filtered("applicable")
            weight = sum(lines.mapped("weight"))
            sheet.total_score = (
                sum(line.score * line.weight for line in lines) / weight if weight else 0.0
            )

    @api.depends("total_score")
    def _compute_grade(self):
        # depends on the score only: a later change of the template's thresholds does
        # not regrade sheets (confirmed ones stay as confirmed)
        for sheet in self:
            template = sheet.template_id or sheet.run_id.template_id
            sheet.grade = template._grade(sheet.total_score) if template else False

    def _compute_previous_sheet_id(self):
        """The salesperson's sheet of the previous period of the same type (its
        improvement suggestions are followed up on this one)."""
        dated = self.filtered("date_from")
        previous = self.search(
            [
                ("user_id", "in", dated.user_id.ids),
                ("date_to", "<", max(dated.mapped("date_from"), default=fields.Date.today())),
            ],
            order="date_to desc, id desc",
        )
        for sheet in self:
            sheet.previous_sheet_id = previous.filtered(
                lambda p, s=sheet: (
                    p.user_id == s.user_id
                    and p.period_type == s.period_type
                    and s.date_from
                    and p.date_to < s.date_from
                )
            )[:1]
            sheet.previous_improvement = sheet.previous_sheet_id.improvement

    @api.depends_context("uid")
    def _compute_is_mine(self):
        for sheet in self:
            sheet.is_mine = sheet.user_id == self.env.user

    # ------------------------------------------------------------------------------
    # Workflow guard and approval engine hooks
    # ------------------------------------------------------------------------------
    def _policy_guard_system_fields(self):
        return super()._policy_guard_system_fields() | {
            "run_id",
            "user_id",
            "team_id",
            "region_id",
            "company_id",
            "template_id",
            "state",
            "total_score",
            "grade",
            "rank_team",
            "rank_region",
            "acknowledged_date",
        }

    def _policy_guard_locked_fields(self):
        supervisor = {"supervisor_comment", "improvement", "improvement_followup"}
        return {
            "scored": frozenset(supervisor | {"line_ids"}),
            "reviewed": frozenset(supervisor | {"line_ids", "manager_comment"}),
            "confirmed": ALL_FIELDS,
            "published": ALL_FIELDS,
        }

    def _policy_guard_field_groups(self):
        return {
            "supervisor_comment": ("sales_policy.group_sales_supervisor",),
            "improvement": ("sales_policy.group_sales_supervisor",),
            "improvement_followup": ("sales_policy.group_sales_supervisor",),
            "manager_comment": ("sales_policy.group_regional_manager",),
        }

    def _policy_guard_deletable_states(self):
        return ("draft",)

    def _policy_approval_levels(self):
        return ["regional_manager", "director"]

    def _policy_approval_control(self):
        return "kpi_appraisal"

    def _policy_approval_snapshot(self):
        self.ensure_one()
        snapshot = {"total_score": round(self.total_score, 2), "grade": self.grade}
        for line in self.line_ids:
            snapshot[f"line.{line.id}"] = round(line.score, 2)
        return snapshot

    def _policy_approval_describe(self, keys):
        lines = {f"line.{line.id}": line.name for line in self.line_ids}
        return [
            lines.get(key)
            or (self._fields[key]._description_string(self.env) if key in self._fields else key)
            for key in keys
        ]

    def _policy_approval_check_submit(self):
        self.ensure_one()
        if self.state != "draft":
            raise UserError(
                self.env._(
                    "%(sheet)s is not a draft: it is already scored.", sheet=self.display_name
                )
            )
        missing = self.line_ids.filtered(
            lambda line: line.kind == "qualitative" and not line.manager_score
        )
        if missing:
            raise UserError(
                self.env._(
                    "Score the qualitative items of %(sheet)s first: %(items)s.",
                    sheet=self.display_name,
                    items=", ".join(missing.mapped("name")),
                )
            )

    def _on_policy_submitted(self):
        self.sudo().state = "scored"

    def _on_policy_next_level(self, step):
        self.sudo().state = "reviewed"

    def _on_policy_approved(self):
        self.sudo().state = "confirmed"

    def _on_policy_rejected(self):
        self.sudo().state = "draft"

    def _on_policy_voided(self, changed):
        self.sudo().state = "draft"

    # ------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------
    def action_score(self):
        """The supervisor has scored the sheet: send it to the regional manager's review
        and the director's confirmation (the approval engine)."""
        if not self.env.user.has_group("sales_policy.group_sales_supervisor"):
            raise AccessError(
                self.env._("Only the salesperson's supervisor or a manager scores a sheet.")
            )
        for sheet in self:
            if sheet.user_id == self.env.user:
                raise AccessError(
                    self.env._(
                        "Nobody scores their own appraisal (%(sheet)s).", sheet=sheet.display_name
                    )
                )
        return self.action_policy_submit()

    def action_publish(self):
        """Show the confirmed sheets to their salespeople."""
        if not self.env.user.has_group("sales_policy.group_regional_manager"):
            raise AccessError(
                self.env._("Only a regional manager or the director publishes sheets.")
            )
        for sheet in self:
            sheet.check_access("write")
            if sheet.state != "confirmed":
                raise UserError(
                    self.env._(
                        "Only confirmed sheets are published (%(sheet)s).", sheet=sheet.display_name
                    )
                )
        self.sudo().state = "published"
        for sheet in self:
            sheet.sudo().message_post(
                body=self.env._("Published to %(user)s.", user=sheet.user_id.name),
                partner_ids=sheet.user_id.partner_id.ids,
                subtype_xmlid="mail.mt_comment",
            )
        return True

    def action_acknowledge(self):
        """The salesperson acknowledges their published sheet."""
        for sheet in self:
            if sheet.user_id != self.env.user:
                raise AccessError(
                    self.env._("Only %(user)s acknowledges this sheet.", user=sheet.user_id.name)
                )
            if sheet.state != "published" or sheet.acknowledged_date:
                raise UserError(
                    self.env._(
                        "%(sheet)s is not waiting for your acknowledgement.",
                        sheet=sheet.display_name,
                    )
                )
        self.sudo().acknowledged_date = fields.Datetime.now()
        for sheet in self:
            sheet.sudo().message_post(
                body=self.env._("Acknowledged by %(user)s.", user=self.env.user.name),
                author_id=self.env.user.partner_id.id,
                subtype_xmlid="mail.mt_note",
            )
        return True

    # ------------------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------------------
    def _kpi_write_lines(self, template, figures, targets):
        """Write the items of the draft sheets ``self`` from the run's figures (sudo).

        :param figures: ``{(indicator, categ_id): {user_id: actual or None}}``
        :param targets: ``{(user_id, categ_id): sales target}``
        """
        to_create = []
        for sheet in self:
            existing = {line.template_line_id: line for line in sheet.line_ids}
            for item in template.line_ids:
                vals = {
                    "name": item.name,
                    "weight": item.weight,
                    "cap": item.cap,
                    "sequence": item.sequence,
                }
                if item.kind == "quantitative":
                    actual = figures[item.indicator, item.categ_id.id].get(sheet.user_id.id)
                    if item.target_source == "sales_target":
                        target = targets.get((sheet.user_id.id, item.categ_id.id), 0.0)
                    else:
                        target = item.target_value
                    vals.update(
                        actual=actual or 0.0,
                        has_actual=actual is not None,
                        target=target,
                    )
                line = existing.pop(item, None)
                if line:
                    line.write({k: v for k, v in vals.items() if line[k] != v})
                else:
                    to_create.append(self._kpi_new_line_vals(sheet, item, vals))
            for line in existing.values():
                line.unlink()
        self._kpi_insert_lines(to_create)
        self._kpi_copy_item_names()

    @api.model
    def _kpi_new_line_vals(self, sheet, item, vals):
        """Every stored column of a new item of ``sheet`` for the template item
        ``item`` (``vals``: its figures), as :meth:`_kpi_insert_lines` writes them:
        what the ORM would store (fields left empty are NULL, related and computed
        fields filled in)."""
        Line = self.env["sales.policy.kpi.sheet.line"]
        values = {
            "sheet_id": sheet.id,
            "template_line_id": item.id,
            "kind": item.kind,
            "indicator": item.indicator,
            "user_id": sheet.user_id.id,
            "company_id": sheet.company_id.id,
            "actual": None,
            "has_actual": True,
            "target": None,
            "manager_score": None,
            **vals,
        }

        def cached(fname):  # the value the ORM computes the score from: rounded
            return Line._fields[fname].convert_to_cache(values[fname], Line)

        values.update(
            Line._kpi_score_values(
                item.kind,
                cached("actual"),
                values["has_actual"],
                cached("target"),
                cached("cap"),
                0.0,
            )
        )
        return values

    def _kpi_insert_lines(self, vals_list):
        """Insert the new items ``vals_list`` of the sheets ``self`` in one query
        (thousands at 500 salespeople: the ORM would write 100 per INSERT and compute
        each one's score) and recompute what depends on them (totals, grades)."""
        Line = self.env["sales.policy.kpi.sheet.line"].sudo()
        if not vals_list:
            return Line
        # the rows need the sheets only (inserted at their creation): their pending
        # computed fields are written once, with the totals
        lines = Line._sales_policy_bulk_insert(vals_list)
        self.invalidate_recordset(["line_ids"])
        self.modified(["line_ids"])
        return lines

    def _kpi_copy_item_names(self):
        """The items' names in every language: copied from the template items (one query)."""
        self.env["sales.policy.kpi.sheet.line"].flush_model(
            ["name", "template_line_id", "sheet_id"]
        )
        self.env["sales.policy.kpi.template.line"].flush_model(["name"])
        self.env.cr.execute(
            SQL(
                """
                UPDATE sales_policy_kpi_sheet_line line
                   SET name = item.name
                  FROM sales_policy_kpi_template_line item
                 WHERE line.template_line_id = item.id AND line.sheet_id = ANY(%s)
                   AND line.name IS DISTINCT FROM item.name
                """,
                self.ids,
            )
        )
        self.env["sales.policy.kpi.sheet.line"].invalidate_model(["name"])

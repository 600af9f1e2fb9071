import io
from collections import defaultdict

import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

#: Sheets in these states are frozen: recomputing never changes them.
FROZEN_STATES = ("confirmed", "published")


class SalesPolicyKpiRun(models.Model):
    """An appraisal run (考核): one sheet per salesperson for a period, computed from
    the indicators of a template (篇四 §23–26).

    The salespeople are the members of the company's sales teams (of the run's region
    or teams, when given) holding the sales representative role, within the scope of
    the user who generates the run. Each is appraised by the team they belong to when
    the sheets are generated (the team at the period's end when the run is made after
    it), with the figures of the whole period, whatever team they were in before.
    """

    _name = "sales.policy.kpi.run"
    _description = "Appraisal Run"
    _inherit = ["mail.thread", "sales.policy.kpi.period.mixin"]
    _order = "date_from desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True, readonly=False, precompute=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    template_id = fields.Many2one(
        "sales.policy.kpi.template",
        string="Default Template",
        check_company=True,
        tracking=True,
        help="For the salespeople whose team and role have no template of their own. "
        "Each salesperson is appraised with their team's template, else their role's "
        "default template, else this one.",
    )
    region_id = fields.Many2one(
        "sales.policy.region",
        string="Sales Region",
        check_company=True,
        help="Appraise the salespeople of this region only (empty: every region).",
    )
    team_ids = fields.Many2many(
        "crm.team",
        string="Sales Teams",
        check_company=True,
        help="Appraise the salespeople of these teams only (empty: every team).",
    )
    sheet_ids = fields.One2many("sales.policy.kpi.sheet", "run_id", string="Sheets")
    sheet_count = fields.Integer(compute="_compute_sheet_count")
    computed_date = fields.Datetime(string="Last Computed", readonly=True, copy=False)

    _name_company_uniq = models.UniqueIndex(
        "(company_id, name)", "An appraisal run with this name already exists."
    )

    @api.depends("period_name", "template_id", "region_id")
    def _compute_name(self):
        for run in self:
            parts = [run.period_name, run.region_id.name, run.template_id.name]
            run.name = " ".join(part for part in parts if part) or False

    def _compute_sheet_count(self):
        counts = dict(
            self.env["sales.policy.kpi.sheet"]._read_group(
                [("run_id", "in", self.ids)], ["run_id"], ["__count"]
            )
        )
        for run in self:
            run.sheet_count = counts.get(run, 0)

    # ------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------
    def action_generate(self):
        """Create the missing sheets (one per salesperson, with their template) and
        compute the open ones (the sheets already there first follow their
        salesperson's current team and template)."""
        for run in self:
            run.check_access("write")
            members = run._kpi_members()
            templates = run._kpi_templates(members)
            sheets = run.sudo().sheet_ids
            run._kpi_refresh_teams(sheets, members, templates)
            existing = set(sheets.user_id.ids)
            # generated in bulk: no "created" message nor creator following every sheet
            self.env["sales.policy.kpi.sheet"].sudo().with_context(
                mail_create_nolog=True, mail_create_nosubscribe=True
            ).create(
                [
                    {
                        "run_id": run.id,
                        "user_id": member.user_id.id,
                        "team_id": member.crm_team_id.id,
                        "region_id": member.crm_team_id.region_id.id,
                        "company_id": run.company_id.id,
                        "template_id": templates[member.user_id.id].id,
                    }
                    for member in members
                    if member.user_id.id not in existing
                ]
            )
            run._kpi_compute()
        return True

    def action_recompute(self):
        """Recompute the figures of the sheets still open (confirmed sheets never change):
        they first follow their salesperson's current team and template."""
        for run in self:
            run.check_access("write")
            sheets = run.sudo().sheet_ids
            users = set(sheets.user_id.ids)
            members = run._kpi_members().filtered(lambda m, users=users: m.user_id.id in users)
            run._kpi_refresh_teams(sheets, members, run._kpi_templates(members))
            run._kpi_compute()
        return True

    def action_publish(self):
        """Publish every confirmed sheet of the run to its salesperson."""
        sheets = self.sheet_ids.filtered(lambda s: s.state == "confirmed")
        if sheets:
            sheets.action_publish()
        return True

    def action_export_xlsx(self):
        """Download the run's sheets as a spreadsheet (pay, promotion, rewards)."""
        self.ensure_one()
        self.check_access("read")
        content = self._kpi_export_xlsx()
        # the file holds the sheets this user reads: an attachment of no record, which
        # only its creator downloads (not one of the run, which all its readers would)
        attachment = self.env["ir.attachment"].create(
            {
                "name": self.env._("Appraisal %(run)s.xlsx", run=self.name),
                "raw": content,
                "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }

    def action_view_sheets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_policy_kpi.sales_policy_kpi_sheet_action"
        )
        action["domain"] = [("run_id", "=", self.id)]
        action["context"] = {"default_run_id": self.id}
        return action

    # ------------------------------------------------------------------------------
    # Export
    # ------------------------------------------------------------------------------
    def _kpi_export_columns(self, sheets):
        """The item columns of the export: ``[(key, header, field)]``, one per figure of
        each item of the sheets' templates (in the templates' order)."""
        columns = []
        seen = set()
        for line in sheets.line_ids.sorted(lambda line: (line.sequence, line.id)):
            key = (line.kind, line.indicator or line.name)
            if key in seen:
                continue
            seen.add(key)
            if line.kind == "quantitative":
                figures = [
                    ("actual", self.env._("Actual")),
                    ("target", self.env._("Target")),
                    ("achievement", self.env._("Achievement (%)")),
                    ("score", self.env._("Score")),
                ]
            else:
                figures = [("score", self.env._("Score"))]
            columns += [((*key, field), f"{line.name}: {label}", field) for field, label in figures]
        return columns

    def _kpi_export_xlsx(self):
        """The run's sheets (those the user reads) as an xlsx file: one row per
        salesperson (team, region, each item's actual / target / achievement / score,
        total, grade, ranks, state) and a summary by grade. Returns the file's bytes."""
        self.ensure_one()
        # the sheets the user reads (record rules), by region, team and rank
        sheets = (
            self.env["sales.policy.kpi.sheet"]
            .search([("run_id", "=", self.id)])
            .sorted(
                lambda s: (
                    s.region_id.name or "",
                    s.team_id.name or "",
                    s.rank_team,
                    s.user_id.name,
                )
            )
        )
        columns = self._kpi_export_columns(sheets)
        Sheet = self.env["sales.policy.kpi.sheet"]
        states = dict(Sheet._fields["state"]._description_selection(self.env))
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        bold = workbook.add_format({"bold": True, "text_wrap": True, "bg_color": "#e9ecef"})
        number = workbook.add_format({"num_format": "#,##0.00"})

        worksheet = workbook.add_worksheet(self.env._("Sheets")[:31])
        headers = [
            self.env._("Salesperson"),
            self.env._("Sales Team"),
            self.env._("Sales Region"),
            self.env._("Period"),
            self.env._("Template"),
            *(header for _key, header, _field in columns),
            self.env._("Total Score"),
            self.env._("Grade"),
            self.env._("Rank in Team"),
            self.env._("Rank in Region"),
            self.env._("State"),
            self.env._("Acknowledged"),
        ]
        worksheet.write_row(0, 0, headers, bold)
        worksheet.freeze_panes(1, 1)
        worksheet.set_column(0, 4, 22)
        worksheet.set_column(5, len(headers) - 1, 14)
        for row, sheet in enumerate(sheets, start=1):
            lines = {(line.kind, line.indicator or line.name): line for line in sheet.line_ids}
            values = [
                sheet.user_id.name,
                sheet.team_id.name or "",
                sheet.region_id.name or "",
                sheet.period_name or "",
                sheet.template_id.name or "",
            ]
            for key, _header, field in columns:
                line = lines.get(key[:2])
                applicable = line and (line.kind == "qualitative" or line.has_actual)
                values.append(line[field] if applicable else "")
            values += [
                sheet.total_score,
                sheet.grade or "",
                sheet.rank_team,
                sheet.rank_region,
                states.get(sheet.state, ""),
                self.env._("Yes") if sheet.acknowledged_date else "",
            ]
            for col, value in enumerate(values):
                worksheet.write(row, col, value, number if isinstance(value, float) else None)

        summary = workbook.add_worksheet(self.env._("Summary by Grade")[:31])
        summary.write_row(
            0,
            0,
            [self.env._("Grade"), self.env._("Salespeople"), self.env._("Average Total Score")],
            bold,
        )
        summary.set_column(0, 2, 20)
        by_grade = defaultdict(list)
        for sheet in sheets:
            by_grade[sheet.grade or "-"].append(sheet.total_score)
        grades = [code for code, _label in Sheet._fields["grade"].selection]
        for row, grade in enumerate([g for g in grades if g in by_grade], start=1):
            scores = by_grade[grade]
            summary.write_row(row, 0, [grade, len(scores), sum(scores) / len(scores)])
        workbook.close()
        return output.getvalue()

    # ------------------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------------------
    def _kpi_members(self):
        """The team memberships of the salespeople this run appraises, one per user:
        reps of the company's teams (of the run's region / teams), in the user's scope."""
        self.ensure_one()
        domain = [
            ("crm_team_id.company_id", "in", [self.company_id.id, False]),
            ("crm_team_id.active", "=", True),
            ("user_id.active", "=", True),
            ("user_id.group_ids", "in", self.env.ref("sales_policy.group_sales_rep").ids),
        ]
        if self.region_id:
            domain.append(("crm_team_id.region_id", "=", self.region_id.id))
        if self.team_ids:
            domain.append(("crm_team_id", "in", self.team_ids.ids))
        if self.env.user._sales_policy_scope() != "all" and not self.env.su:
            domain.append(("user_id", "in", self.env.user._sales_policy_scope_users().ids))
        members = self.env["crm.team.member"].sudo().search(domain, order="id desc")
        by_user = {}
        for member in members:
            # the latest membership: the team the salesperson belongs to now
            by_user.setdefault(member.user_id, member)
        return self.env["crm.team.member"].sudo().browse([m.id for m in by_user.values()])

    def _kpi_templates(self, members):
        """``{user_id: template}`` of the salespeople ``members`` (see
        :meth:`sales.policy.kpi.template._kpi_pick`); refuses when one has none."""
        self.ensure_one()
        templates = self.env["sales.policy.kpi.template"]._kpi_pick(
            members, self.company_id, default=self.template_id.sudo().filtered("line_ids")
        )
        missing = members.user_id.filtered(lambda user: not templates.get(user.id))
        if missing:
            raise UserError(
                self.env._(
                    "No appraisal template with items for %(users)s: give their team or "
                    "their role a template, or choose the run's default template.",
                    users=", ".join(missing.mapped("name")),
                )
            )
        return templates

    def _kpi_compute(self):
        """Compute the figures of the run's open sheets: one grouped query per
        indicator for all the salespeople, then scores, totals, grades and ranks."""
        self.ensure_one()
        sheets = self.sudo().sheet_ids.filtered(lambda s: s.state == "draft")
        if sheets:
            quantitative = sheets.template_id.line_ids.filtered(
                lambda line: line.kind == "quantitative"
            )
            figures = self.env["sales.policy.kpi.indicator"]._kpi_compute(
                [(line.indicator, line.categ_id) for line in quantitative],
                self.date_from,
                self.date_to,
                sheets.user_id,
                self.company_id,
            )
            targets = self._kpi_sales_targets(sheets.user_id, quantitative.categ_id)
            for template in sheets.template_id:
                sheets.filtered(lambda s, t=template: s.template_id == t)._kpi_write_lines(
                    template, figures, targets
                )
        self._kpi_update_ranks()
        self.sudo().computed_date = fields.Datetime.now()

    def _kpi_refresh_teams(self, sheets, members, templates):
        """The open sheets among ``sheets`` follow their salesperson's current team (the
        team at the period's end once the period is over) and the template that team or
        role has now.

        :param members: the run's team memberships (:meth:`_kpi_members`)
        :param templates: ``{user_id: template}`` of them (:meth:`_kpi_templates`)
        """
        by_user = {member.user_id.id: member for member in members}
        for sheet in sheets.filtered(lambda s: s.state == "draft"):
            member = by_user.get(sheet.user_id.id)
            if not member:
                continue
            vals = {
                "team_id": member.crm_team_id.id,
                "region_id": member.crm_team_id.region_id.id,
                "template_id": templates[member.user_id.id].id,
            }
            vals = {key: value for key, value in vals.items() if sheet[key].id != value}
            if vals:
                sheet.write(vals)

    def _kpi_sales_targets(self, users, categs):
        """``{(user_id, categ_id): amount}`` of the salesperson targets of the period."""
        groups = (
            self.env["sales.policy.kpi.target"]
            .sudo()
            ._read_group(
                [
                    ("company_id", "=", self.company_id.id),
                    ("level", "=", "salesperson"),
                    ("user_id", "in", users.ids),
                    ("period_type", "=", self.period_type),
                    ("date_from", "=", self.date_from),
                    ("categ_id", "in", [*categs.ids, False]),
                ],
                ["user_id", "categ_id"],
                ["amount:sum"],
            )
        )
        return {(user.id, categ.id): amount for user, categ, amount in groups}

    def _kpi_update_ranks(self):
        """Rank the open sheets by total score in their team and region (dense ranks,
        among all the run's sheets); confirmed sheets keep the rank they were confirmed
        with. One query, whatever the number of sheets."""
        self.ensure_one()
        Sheet = self.env["sales.policy.kpi.sheet"]
        Sheet.flush_model(["run_id", "team_id", "region_id", "total_score", "state"])
        self.env.cr.execute(
            SQL(
                """
                UPDATE sales_policy_kpi_sheet sheet
                   SET rank_team = ranked.rank_team, rank_region = ranked.rank_region
                  FROM (
                        SELECT id,
                               DENSE_RANK() OVER (
                                   PARTITION BY team_id
                                   ORDER BY ROUND(total_score::numeric, 2) DESC
                               ) AS rank_team,
                               DENSE_RANK() OVER (
                                   PARTITION BY region_id
                                   ORDER BY ROUND(total_score::numeric, 2) DESC
                               ) AS rank_region
                          FROM sales_policy_kpi_sheet
                         WHERE run_id = %(run)s
                       ) ranked
                 WHERE ranked.id = sheet.id
                   AND sheet.state NOT IN %(frozen)s
                   AND (sheet.rank_team IS DISTINCT FROM ranked.rank_team
                        OR sheet.rank_region IS DISTINCT FROM ranked.rank_region)
                """,
                run=self.id,
                frozen=FROZEN_STATES,
            )
        )
        Sheet.invalidate_model(["rank_team", "rank_region"])

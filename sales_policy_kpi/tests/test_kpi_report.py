import io
from datetime import date

import openpyxl

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import KpiCommon


@tagged("post_install", "-at_install")
class TestKpiTargetReport(KpiCommon):
    """Target vs actual at every level, live, in one query; the rep's own targets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Target = cls.env["sales.policy.kpi.target"].sudo()
        period = {"period_type": "quarter", "year": 2025, "quarter": "1"}
        cls.targets = {
            "company": Target.create({**period, "level": "company", "amount": 5000.0}),
            "north": Target.create(
                {**period, "level": "region", "region_id": cls.region_north.id, "amount": 3000.0}
            ),
            "n1": Target.create(
                {**period, "level": "team", "team_id": cls.team_n1.id, "amount": 2000.0}
            ),
            "n1a": Target.create(
                {**period, "level": "salesperson", "user_id": cls.rep_n1a.id, "amount": 1000.0}
            ),
            "n1b": Target.create(
                {**period, "level": "salesperson", "user_id": cls.rep_n1b.id, "amount": 1000.0}
            ),
        }
        invoice = cls._invoice(cls.rep_n1a, 800.0, date(2025, 2, 10), date(2025, 2, 10))
        cls._credit_note(invoice, 100.0, date(2025, 3, 1))
        cls._invoice(cls.rep_n1b, 300.0, date(2025, 1, 20), date(2025, 1, 20))
        cls._invoice(cls.rep_n2, 500.0, date(2025, 3, 20), date(2025, 3, 20))
        cls._invoice(cls.rep_s1, 250.0, date(2025, 2, 2), date(2025, 2, 2))
        cls._invoice(cls.rep_n1a, 999.0, date(2025, 4, 2), date(2025, 4, 2))  # Q2

    def _rows(self, user=None, domain=()):
        Report = self.env["sales.policy.kpi.target.report"]
        Report = Report.with_user(user) if user else Report.sudo()
        return {row.target_id: row for row in Report.search(list(domain))}

    def test_actual_at_every_level_in_one_query(self):
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        rows = self._rows()
        self.assertLessEqual(self.env.cr.sql_log_count - before, 2)
        expected = {
            "n1a": 700.0,  # 800 invoiced, 100 credited; Q2 left out
            "n1b": 300.0,
            "n1": 1000.0,  # the team's members
            "north": 1500.0,  # N1 and N2
            "company": 1750.0,  # every region
        }
        for key, actual in expected.items():
            target = self.targets[key]
            self.assertEqual(rows[target].actual_amount, actual, key)
            # the target's own live column agrees with the report
            self.assertEqual(target.actual_amount, actual, key)
        self.assertAlmostEqual(rows[self.targets["n1a"]].achievement, 70.0)
        self.assertEqual(rows[self.targets["n1a"]].gap_amount, 300.0)
        self.assertEqual(rows[self.targets["company"]].gap_amount, 3250.0)

    def test_live_and_grouped_for_the_pivot(self):
        self._invoice(self.rep_n1b, 700.0, date(2025, 3, 30), date(2025, 3, 30))
        groups = (
            self.env["sales.policy.kpi.target.report"]
            .sudo()
            ._read_group(
                [("level", "=", "salesperson")],
                ["team_id", "period_name"],
                ["target_amount:sum", "actual_amount:sum"],
            )
        )
        self.assertEqual(groups, [(self.team_n1, "2025 Q1", 2000.0, 1700.0)])

    def test_visibility_follows_the_targets(self):
        keys = {target: key for key, target in self.targets.items()}
        visible = {
            user: {keys[target] for target in self._rows(user)}
            for user in (self.rep_n1a, self.sup_n1, self.rm_north, self.rm_south, self.director)
        }
        self.assertEqual(visible[self.rep_n1a], {"n1a"})
        self.assertEqual(visible[self.sup_n1], {"n1", "n1a", "n1b"})
        self.assertEqual(visible[self.rm_north], {"company", "north", "n1", "n1a", "n1b"})
        self.assertEqual(visible[self.rm_south], {"company"})
        self.assertEqual(visible[self.director], set(self.targets))

    def test_my_targets_one_click_from_sales(self):
        menu = self.env.ref("sales_policy_kpi.sales_policy_kpi_my_target_menu")
        self.assertEqual(menu.parent_id.parent_id, self.env.ref("sale.sale_menu_root"))
        visible = self.env["ir.ui.menu"].with_user(self.rep_n1a)._visible_menu_ids()
        self.assertIn(menu.id, visible)
        self.assertIn(menu.parent_id.id, visible)
        action = menu.action.sudo()
        rows = (
            self.env["sales.policy.kpi.target.report"]
            .with_user(self.sup_n1)
            .search(eval_domain(action.domain, self.sup_n1))
        )
        self.assertFalse(rows, "a supervisor's own targets only: none here")
        rows = (
            self.env["sales.policy.kpi.target.report"]
            .with_user(self.rep_n1a)
            .search(eval_domain(action.domain, self.rep_n1a))
        )
        self.assertEqual(rows.target_id, self.targets["n1a"])
        self.assertEqual(rows.actual_amount, 700.0)


def eval_domain(domain, user):
    return safe_eval(domain, {"uid": user.id})


@tagged("post_install", "-at_install")
class TestKpiExportAndTemplates(KpiCommon):
    """The spreadsheet per run, the summary by grade, the template per team and role,
    and the translated item names."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_target_and_sales()

    def _workbook(self, run, user=None):
        run = run.with_user(user) if user else run
        return openpyxl.load_workbook(io.BytesIO(run._kpi_export_xlsx()), read_only=True)

    def test_export_per_run(self):
        run = self._run()
        for line in run.sheet_ids.line_ids.filtered(lambda line: line.kind == "qualitative"):
            line.sudo().manager_score = 90.0
        sheet = self._sheet(run, self.rep_n1a)
        action = run.with_user(self.director).action_export_xlsx()
        self.assertEqual(action["type"], "ir.actions.act_url")
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/")[3].split("?")[0])
        )
        self.assertEqual(attachment.create_uid, self.director)
        self.assertFalse(attachment.res_model, "not shared with every reader of the run")
        # another reader of the run cannot download it
        with self.assertRaises(AccessError):
            attachment.with_user(self.sup_n1).datas  # noqa: B018

        book = self._workbook(run, self.director)
        self.assertEqual(book.sheetnames, ["Sheets", "Summary by Grade"])
        rows = list(book["Sheets"].values)
        header = rows[0]
        for column in (
            "Salesperson",
            "Sales Team",
            "Sales Region",
            "Sales Amount: Actual",
            "Sales Amount: Target",
            "Sales Amount: Achievement (%)",
            "Sales Amount: Score",
            "Collection Rate: Score",
            "Work Attitude: Score",
            "Total Score",
            "Grade",
            "Rank in Team",
            "Rank in Region",
        ):
            self.assertIn(column, header)
        self.assertEqual(len(rows) - 1, len(self.reps))
        row = dict(zip(header, next(r for r in rows[1:] if r[0] == self.rep_n1a.name), strict=True))
        self.assertEqual(row["Sales Team"], self.team_n1.name)
        self.assertEqual(row["Sales Region"], self.region_north.name)
        self.assertEqual(row["Sales Amount: Actual"], 800.0)
        self.assertEqual(row["Sales Amount: Target"], 1000.0)
        self.assertEqual(row["Sales Amount: Achievement (%)"], 80.0)
        self.assertEqual(row["Work Attitude: Score"], 90.0)
        self.assertAlmostEqual(row["Total Score"], sheet.total_score)
        self.assertEqual(row["Grade"], sheet.grade)
        self.assertEqual(row["Rank in Team"], sheet.rank_team)
        # no figure (nothing due for rep_n1b): an empty cell, not a zero
        other = dict(
            zip(header, next(r for r in rows[1:] if r[0] == self.rep_n1b.name), strict=True)
        )
        self.assertIsNone(other["Collection Rate: Actual"])
        self.assertEqual(row["Collection Rate: Actual"], 0.0, "due and not collected")

        summary = list(book["Summary by Grade"].values)
        self.assertEqual(summary[0], ("Grade", "Salespeople", "Average Total Score"))
        counts = {grade: count for grade, count, _avg in summary[1:]}
        self.assertEqual(sum(counts.values()), len(self.reps))
        self.assertEqual(
            counts[sheet.grade], len(run.sheet_ids.filtered(lambda s: s.grade == sheet.grade))
        )

    def test_export_shows_only_what_the_user_reads(self):
        run = self._run()
        rows = list(self._workbook(run, self.sup_n1)["Sheets"].values)[1:]
        self.assertEqual({row[0] for row in rows}, {self.rep_n1a.name, self.rep_n1b.name})

    def _template(self, name, **vals):
        return (
            self.env["sales.policy.kpi.template"]
            .sudo()
            .create(
                {
                    "name": name,
                    "line_ids": [
                        Command.create(
                            {
                                "kind": "quantitative",
                                "indicator": "sales_amount",
                                "weight": 100,
                                "target_source": "fixed",
                                "target_value": 400.0,
                            }
                        )
                    ],
                    **vals,
                }
            )
        )

    def test_template_per_team_and_role(self):
        team_template = self._template("N1 Key Accounts", team_ids=[Command.set(self.team_n1.ids)])
        supervisor_default = self._template("Supervisors", role="supervisor")
        # the supervisor of N2 is appraised too (member of the S1 team as a seller)
        self.sup_n2.sudo().group_ids = [
            Command.link(self.env.ref("sales_policy.group_sales_rep").id)
        ]
        self.team_s1.sudo().crm_team_member_ids = [Command.create({"user_id": self.sup_n2.id})]
        run = self._run()
        templates = {sheet.user_id: sheet.template_id for sheet in run.sheet_ids}
        # the team's template wins over the role's default
        self.assertEqual(templates[self.rep_n1a], team_template)
        self.assertEqual(templates[self.rep_n1b], team_template)
        # no team template: the role's default
        self.assertEqual(templates[self.rep_n2], self.template)
        self.assertEqual(templates[self.rep_s1], self.template)
        self.assertEqual(templates[self.sup_n2], supervisor_default)
        # each sheet is computed with its own template's items
        sheet = self._sheet(run, self.rep_n1a)
        self.assertEqual(sheet.line_ids.mapped("name"), ["Sales Amount"])
        self.assertEqual(sheet.line_ids.achievement, 200.0)
        self.assertEqual(
            len(self._sheet(run, self.rep_n2).line_ids), len(self.template.sudo().line_ids)
        )
        # a draft sheet follows its team's template when it changes
        team_template.sudo().team_ids = [Command.clear()]
        run.action_recompute()
        self.assertEqual(sheet.template_id, self.template)
        self.assertEqual(len(sheet.line_ids), len(self.template.sudo().line_ids))

    def test_no_template_refused(self):
        self.template.sudo().role = False
        with self.assertRaisesRegex(UserError, "No appraisal template"):
            self.env["sales.policy.kpi.run"].sudo().create(
                {"period_type": "quarter", "year": 2025, "quarter": "1"}
            ).action_generate()
        # the run's default template serves whoever has none
        run = self._run()
        self.assertEqual(run.sheet_ids.template_id, self.template)

    def test_item_names_translated(self):
        items = self.template.sudo().line_ids
        self.assertEqual(len(items), 10)
        data = self.env["ir.model.data"].search(
            [("model", "=", items._name), ("res_id", "in", items.ids)]
        )
        self.assertEqual(len(data), 10, "each item of the default template is a data record")
        self.env["res.lang"]._activate_lang("zh_CN")
        attitude = items.filtered(lambda item: item.name == "Work Attitude")
        attitude.sudo().update_field_translations("name", {"zh_CN": "工作态度"})
        run = self._run()
        line = self._line(self._sheet(run, self.rep_n1a), name="Work Attitude")
        self.assertEqual(line.with_context(lang="zh_CN").name, "工作态度")
        self.assertEqual(line.with_context(lang="en_US").name, "Work Attitude")

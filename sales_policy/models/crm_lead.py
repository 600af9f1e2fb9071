from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL, split_every

#: The alert rule of the follow-up duty (篇四 §9): assigned open leads without contact.
LEAD_FOLLOW_UP = "lead_follow_up"
#: Messages that count as a contact when the lead's salesperson writes them.
CONTACT_MESSAGE_TYPES = ("comment", "email", "email_outgoing")


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "sales.policy.workflow.guard"]

    #: what a user sends is checked before Odoo's own create / write read it (base.py)
    _sales_policy_check_input_first = True

    # --- Needs analysis and solution (篇四 §11) -------------------------------------
    sales_policy_needs_analysis = fields.Html(
        string="Needs Analysis",
        help="The customer's needs, analysed in detail (需求分析).",
    )
    sales_policy_proposed_solution = fields.Html(
        string="Proposed Solution",
        help="The solution proposed to the customer (解决方案).",
    )
    sales_policy_solution_attachment_ids = fields.Many2many(
        "ir.attachment",
        "sales_policy_crm_lead_solution_attachment_rel",
        "lead_id",
        "attachment_id",
        string="Solution Documents",
        help="Proposal, drawings, presentations shown to the customer.",
    )
    sales_policy_support_request_ids = fields.One2many(
        "sales.policy.support.request", "lead_id", string="Pre-sales Support Requests"
    )
    sales_policy_support_request_count = fields.Integer(
        string="Support Requests", compute="_compute_sales_policy_support_request_count"
    )
    sales_policy_visit_ids = fields.One2many(
        "sales.policy.visit", "lead_id", string="Customer Visits"
    )
    sales_policy_visit_count = fields.Integer(
        string="Visits", compute="_compute_sales_policy_visit_count"
    )

    @api.depends("sales_policy_support_request_ids")
    def _compute_sales_policy_support_request_count(self):
        counts = dict(
            self.env["sales.policy.support.request"]._read_group(
                [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]
            )
        )
        for lead in self:
            lead.sales_policy_support_request_count = counts.get(lead._origin, 0)

    @api.depends("sales_policy_visit_ids")
    def _compute_sales_policy_visit_count(self):
        counts = dict(
            self.env["sales.policy.visit"]._read_group(
                [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]
            )
        )
        for lead in self:
            lead.sales_policy_visit_count = counts.get(lead._origin, 0)

    def action_sales_policy_support_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_policy.sales_policy_support_request_action"
        )
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"default_lead_id": self.id}
        return action

    def action_sales_policy_visits(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_policy.sales_policy_visit_action"
        )
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {
            "default_lead_id": self.id,
            "default_partner_id": self.partner_id.commercial_partner_id.id,
            "default_user_id": self.user_id.id or self.env.uid,
        }
        return action

    # --- Leads: channel, screening and assignment, follow-up duty (篇四 §9) ----------
    sales_policy_channel = fields.Selection(
        [("online", "Online"), ("offline", "Offline")],
        string="Channel",
        tracking=True,
        index=True,
        help="Where the lead was found (线上渠道 / 线下渠道); the concrete source is the "
        "UTM source and medium.",
    )
    sales_policy_assigned_by_id = fields.Many2one(
        "res.users",
        string="Assigned By",
        readonly=True,
        copy=False,
        tracking=True,
        help="The supervisor or manager who screened the lead and gave it to the salesperson.",
    )
    sales_policy_last_contact_date = fields.Datetime(
        string="Last Contact",
        readonly=True,
        copy=False,
        index=True,
        help="The latest of: an activity marked done on the lead, a message or note logged "
        "by its salesperson, a change of stage.",
    )
    sales_policy_follow_up_overdue = fields.Boolean(
        string="Follow-up Overdue",
        compute="_compute_sales_policy_follow_up_overdue",
        search="_search_sales_policy_follow_up_overdue",
        help="Assigned, open, and no contact logged within the days of the lead follow-up "
        "alert rule.",
    )
    sales_policy_can_assign = fields.Boolean(compute="_compute_sales_policy_can_assign")

    def _compute_sales_policy_follow_up_overdue(self):
        rule = self._sales_policy_follow_up_rule()
        overdue = set()
        if rule:
            overdue = set(self.filtered_domain(self._sales_policy_follow_up_domain(rule)).ids)
        for lead in self:
            lead.sales_policy_follow_up_overdue = lead.id in overdue

    def _search_sales_policy_follow_up_overdue(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        rule = self._sales_policy_follow_up_rule()
        domain = self._sales_policy_follow_up_domain(rule) if rule else Domain.FALSE
        return domain if (operator == "in") == (True in value) else ~domain

    def _compute_sales_policy_can_assign(self):
        self.sales_policy_can_assign = self._sales_policy_is_assigner()

    @api.model
    def _sales_policy_checks_input(self):
        return True

    @api.model_create_multi
    def create(self, vals_list):
        self._sales_policy_check_input(vals_list, create=True)
        if not self.env.su:
            for vals in vals_list:
                if vals.get("user_id") and vals["user_id"] != self.env.uid:
                    self.browse()._sales_policy_check_assignment(vals["user_id"])
        leads = super().create(vals_list)
        assigner = self._sales_policy_assigner_id()
        assigned = self.browse(
            lead.id
            for lead, vals in zip(leads, vals_list, strict=True)
            if vals.get("user_id")
            and vals["user_id"] != self.env.uid
            and "sales_policy_assigned_by_id" not in vals
        )
        if assigner and assigned:
            # the workflow records the assigner (a system field the user cannot send)
            assigned.sudo().with_context(mail_notrack=True).write(
                {"sales_policy_assigned_by_id": assigner}
            )
        return leads

    def write(self, vals):
        self._sales_policy_check_input([vals])
        reassigned = self.browse()
        if "user_id" in vals:
            reassigned = self.filtered(lambda lead: lead.user_id.id != (vals["user_id"] or False))
            if reassigned and not self.env.su:
                reassigned._sales_policy_check_assignment(vals["user_id"])
        restaged = self.browse()
        if "stage_id" in vals:
            restaged = self.filtered(lambda lead: lead.stage_id.id != vals["stage_id"])
        res = super().write(vals)
        if reassigned:
            assigner = self._sales_policy_assigner_id() if vals["user_id"] else False
            reassigned.sudo().write({"sales_policy_assigned_by_id": assigner})
        if restaged:
            # moving the lead along the pipeline is a contact with the customer
            restaged.sudo().write({"sales_policy_last_contact_date": fields.Datetime.now()})
        return res

    # --- Workflow guard: the last contact and the assigner are the system's ---------
    def _policy_guard_system_fields(self):
        return super()._policy_guard_system_fields() | {
            "sales_policy_last_contact_date",
            "sales_policy_assigned_by_id",
        }

    def _policy_guard_control(self):
        return LEAD_FOLLOW_UP

    @api.model
    def _sales_policy_assigner_id(self):
        """Who is recorded as assigner: the current internal user (not a portal or
        public user on whose behalf the system creates the lead)."""
        return self.env.uid if not self.env.user.share else False

    @api.model
    def _sales_policy_is_assigner(self):
        """Supervisors, regional managers, the director and sales administrators screen
        and assign leads (篇四 §9.3); sales reps work the leads given to them."""
        user = self.env.user
        return (
            self.env.su
            or user.has_group("sales_policy.group_sales_supervisor")
            or user.has_group("sales_team.group_sale_manager")
        )

    def _sales_policy_check_assignment(self, user_id):
        """Raise unless the current user may give the leads ``self`` (or a new lead) to
        ``user_id``: assigners within their scope (team, region, all); nobody else."""
        article = self.env["sales.policy.control"]._cite("lead_assignment")
        if not self._sales_policy_is_assigner():
            raise UserError(
                self.env._(
                    "Leads are screened and assigned by a sales supervisor or manager: you "
                    "cannot give a lead to someone else or take it from its salesperson "
                    "(%(article)s).",
                    article=article,
                )
            )
        user = self.env.user
        if not user_id or self.env.su or user._sales_policy_scope() == "all":
            return
        if user_id not in user._sales_policy_scope_users().ids:
            target = self.env["res.users"].sudo().browse(user_id)
            raise UserError(
                self.env._(
                    "You assign leads within your team or region only: %(user)s is not one "
                    "of your salespeople (%(article)s).",
                    user=target.name,
                    article=article,
                )
            )

    def _message_post_after_hook(self, message, msg_vals):
        res = super()._message_post_after_hook(message, msg_vals)
        if self._sales_policy_is_contact(message):
            self.sudo()._sales_policy_touch(message.date)
        return res

    def _sales_policy_is_contact(self, message):
        """A done activity (by anyone), or a message or note by the lead's salesperson."""
        self.ensure_one()
        if message.mail_activity_type_id:
            return True
        return bool(
            message.message_type in CONTACT_MESSAGE_TYPES
            and self.user_id
            and message.author_id == self.user_id.partner_id
        )

    def _sales_policy_touch(self, when):
        when = when or fields.Datetime.now()
        leads = self.filtered(
            lambda lead: (
                not lead.sales_policy_last_contact_date
                or lead.sales_policy_last_contact_date < when
            )
        )
        if leads:
            leads.write({"sales_policy_last_contact_date": when})

    def _sales_policy_recompute_last_contact(self):
        """Recompute the last contact of the leads ``self`` from their history, in batch:
        two grouped queries on the chatter plus the stored date of the last stage change
        (``date_last_stage_update`` when later than the creation)."""
        leads = (
            self.sudo()
            .with_context(active_test=False)
            .search_fetch(
                [("id", "in", self.ids)],
                [
                    "user_id",
                    "create_date",
                    "date_last_stage_update",
                    "sales_policy_last_contact_date",
                ],
            )
        )
        if not leads:
            return
        Message = self.env["mail.message"].sudo()
        base = [("model", "=", "crm.lead"), ("res_id", "in", leads.ids)]
        done = dict(
            Message._read_group(
                [*base, ("mail_activity_type_id", "!=", False)], ["res_id"], ["date:max"]
            )
        )
        written = {
            (res_id, author.id): when
            for res_id, author, when in Message._read_group(
                [
                    *base,
                    ("message_type", "in", CONTACT_MESSAGE_TYPES),
                    ("author_id", "!=", False),
                ],
                ["res_id", "author_id"],
                ["date:max"],
            )
        }
        partners = {
            user.id: user.partner_id.id
            for user in leads.user_id.sudo().with_context(active_test=False)
        }
        for lead in leads:
            staged = lead.date_last_stage_update
            if staged and lead.create_date and staged <= lead.create_date:
                staged = False
            dates = [
                date
                for date in (
                    done.get(lead.id),
                    written.get((lead.id, partners.get(lead.user_id.id))),
                    staged,
                )
                if date
            ]
            value = max(dates) if dates else False
            if value != lead.sales_policy_last_contact_date:
                lead.sales_policy_last_contact_date = value

    @api.model
    def _sales_policy_init_last_contact(self):
        """At installation: the last contact of every lead from its history."""
        leads = self.sudo().with_context(active_test=False).search([("user_id", "!=", False)])
        for ids in split_every(10000, leads.ids):
            self.browse(ids)._sales_policy_recompute_last_contact()

    @api.model
    def _sales_policy_follow_up_rule(self):
        return (
            self.env["sales.policy.alert.rule"]
            .sudo()
            .search([("code", "=", LEAD_FOLLOW_UP)], limit=1)
        )

    @api.model
    def _sales_policy_follow_up_domain(self, rule):
        """Assigned open leads without contact for the rule's N days: the assignment
        (else the creation) and the last contact are both at or before the cutoff."""
        cutoff = rule._alert_cutoff()
        return rule._get_record_domain() & Domain(
            [
                ("user_id", "!=", False),
                ("won_status", "=", "pending"),
                "|",
                ("date_open", "<=", cutoff),
                "&",
                ("date_open", "=", False),
                ("create_date", "<=", cutoff),
                "|",
                ("sales_policy_last_contact_date", "=", False),
                ("sales_policy_last_contact_date", "<=", cutoff),
            ]
        )

    @api.model
    def _sales_policy_alert_lead_follow_up(self, rule):
        """Alert rule ``lead_follow_up``: leads counted from their last contact, else
        their assignment (else their creation). One query."""
        Lead = self.sudo()
        query = Lead._search(Lead._sales_policy_follow_up_domain(rule))
        Lead.flush_model(["user_id", "date_open", "create_date", "sales_policy_last_contact_date"])
        return query.select(
            SQL("crm_lead.id AS res_id"),
            SQL("crm_lead.user_id"),
            SQL(
                "GREATEST(COALESCE(crm_lead.date_open, crm_lead.create_date),"
                " crm_lead.sales_policy_last_contact_date) AS since"
            ),
        )

    def action_sales_policy_assign(self):
        """Open the assignment dialog (supervisors, managers, director)."""
        self.ensure_one()
        if not self._sales_policy_is_assigner():
            self._sales_policy_check_assignment(False)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Assign Lead"),
            "res_model": "crm.lead",
            "res_id": self.id,
            "view_mode": "form",
            "views": [
                (self.env.ref("sales_policy.crm_lead_view_form_sales_policy_assign").id, "form")
            ],
            "target": "new",
        }

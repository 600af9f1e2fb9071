from odoo import api, fields, models
from odoo.exceptions import UserError

#: Who must acknowledge the policy: the salespeople (篇四 §2, 篇五 §2).
ACK_GROUPS = (
    "sales_policy.group_sales_rep",
    "sales_policy.group_sales_assistant",
    "sales_policy.group_presales",
)
#: What a published version keeps unchanged (a change needs a new version).
PUBLISHED_FIELDS = {"name", "version", "effective_date", "text", "article_ids", "company_id"}


class SalesPolicyPolicy(models.Model):
    """The sales management policy (销售管理制度及流程) as published in the system.

    A version is drafted, then published by the sales director (or a sales
    administrator); it takes effect on its effective date (本制度自发布之日起施行).
    Publishing archives the previous version of the company and asks every
    salesperson to acknowledge the new one (``sales.policy.policy.ack``): each gets a
    To-Do activity and a pending acknowledgement that their managers see in the
    "Unacknowledged" list, and that the alert engine escalates (rule
    ``policy_unacknowledged``). A published text never changes: publish a new
    version.
    """

    _name = "sales.policy.policy"
    _description = "Sales Policy Document"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "effective_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Title", required=True, tracking=True)
    version = fields.Char(required=True, tracking=True)
    effective_date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        tracking=True,
        help="The policy takes effect on the day it is published (篇一 §20, 篇四 §28).",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("published", "Published"), ("archived", "Archived")],
        required=True,
        default="draft",
        readonly=True,
        tracking=True,
        index=True,
    )
    date_published = fields.Date(string="Published On", readonly=True)
    published_by_id = fields.Many2one("res.users", readonly=True)
    text = fields.Html(sanitize_style=True)
    article_ids = fields.Many2many(
        "sales.policy.article",
        "sales_policy_policy_article_rel",
        "policy_id",
        "article_id",
        string="Articles",
        help="The articles of this version: the controls of the product cite them.",
    )
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Leave empty for the policy of every company; a company's own published "
        "version takes precedence for its users.",
    )
    ack_ids = fields.One2many("sales.policy.policy.ack", "policy_id", string="Acknowledgements")
    ack_done_count = fields.Integer(string="Acknowledged", compute="_compute_ack_counts")
    ack_pending_count = fields.Integer(string="Unacknowledged", compute="_compute_ack_counts")
    my_ack_state = fields.Selection(
        [("pending", "To Acknowledge"), ("done", "Acknowledged"), ("none", "Not Concerned")],
        string="My Acknowledgement",
        compute="_compute_my_ack_state",
    )

    _version_uniq = models.UniqueIndex(
        "(company_id, version)", "This version of the policy already exists."
    )

    def _compute_ack_counts(self):
        counts = {
            (policy.id, state): count
            for policy, state, count in self.env["sales.policy.policy.ack"]
            .sudo()
            ._read_group([("policy_id", "in", self.ids)], ["policy_id", "state"], ["__count"])
        }
        for policy in self:
            policy.ack_done_count = counts.get((policy.id, "done"), 0)
            policy.ack_pending_count = counts.get((policy.id, "pending"), 0)

    @api.depends_context("uid")
    def _compute_my_ack_state(self):
        acks = (
            self.env["sales.policy.policy.ack"]
            .sudo()
            .search([("policy_id", "in", self.ids), ("user_id", "=", self.env.uid)])
        )
        state_by_policy = {ack.policy_id.id: ack.state for ack in acks}
        concerned = self._sales_policy_is_concerned(self.env.user)
        for policy in self:
            state = state_by_policy.get(policy.id)
            if state in ("pending", "done"):
                policy.my_ack_state = state
            elif policy.state == "published" and concerned:
                policy.my_ack_state = "pending"
            else:
                policy.my_ack_state = "none"

    def write(self, vals):
        if "state" in vals and not self.env.su:
            raise UserError(self.env._("Use the buttons to publish or archive a policy."))
        if not self.env.su and PUBLISHED_FIELDS & set(vals):
            published = self.filtered(lambda p: p.state != "draft")
            if published:
                raise UserError(
                    self.env._(
                        "The published policy %(version)s cannot be changed: publish a new "
                        "version instead (%(article)s).",
                        version=", ".join(published.mapped("version")),
                        article=self.env["sales.policy.control"]._cite("policy_document"),
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_published(self):
        if not self.env.su and any(policy.state != "draft" for policy in self):
            raise UserError(
                self.env._(
                    "A published policy is kept on record (%(article)s).",
                    article=self.env["sales.policy.control"]._cite("policy_document"),
                )
            )

    # ------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------
    def action_publish(self):
        """Publish this version: it becomes the company's current policy."""
        self.ensure_one()
        self.check_access("write")
        if not (
            self.env.user.has_group("sales_policy.group_sales_director")
            or self.env.user.has_group("sales_team.group_sale_manager")
        ):
            raise UserError(
                self.env._(
                    "Only the sales director publishes the sales policy (%(article)s).",
                    article=self.env["sales.policy.control"]._cite("policy_document"),
                )
            )
        if self.state != "draft":
            raise UserError(self.env._("Only a draft policy can be published."))
        if not self.text or not self.effective_date:
            raise UserError(
                self.env._(
                    "Write the text and the effective date of the policy before publishing "
                    "it (%(article)s).",
                    article=self.env["sales.policy.control"]._cite("policy_document"),
                )
            )
        previous = self.sudo().search(
            [("state", "=", "published"), ("company_id", "=", self.company_id.id)]
        )
        previous._sales_policy_archive()
        self.sudo().write(
            {
                "state": "published",
                "date_published": fields.Date.context_today(self),
                "published_by_id": self.env.uid,
            }
        )
        self._sales_policy_sync_acks()
        return True

    def action_archive_version(self):
        self.check_access("write")
        if not self.env.user.has_group("sales_policy.group_sales_director") and not (
            self.env.user.has_group("sales_team.group_sale_manager")
        ):
            raise UserError(
                self.env._(
                    "Only the sales director archives the sales policy (%(article)s).",
                    article=self.env["sales.policy.control"]._cite("policy_document"),
                )
            )
        self._sales_policy_archive()
        self._sales_policy_sync_acks()
        return True

    def _sales_policy_archive(self):
        if not self:
            return
        self.sudo().write({"state": "archived"})
        self.env["sales.policy.policy.ack"].sudo().search(
            [("policy_id", "in", self.ids), ("state", "=", "pending")]
        ).write({"state": "superseded"})
        self.sudo().activity_unlink(["mail.mail_activity_data_todo"])

    def action_acknowledge(self):
        """The current user has read this version and will follow it."""
        self.ensure_one()
        return self.env["sales.policy.policy.ack"]._sales_policy_acknowledge(self)

    def action_view_unacknowledged(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_policy.sales_policy_policy_ack_action_pending"
        )
        action["domain"] = [("policy_id", "=", self.id)]
        return action

    @api.model
    def action_open_current(self):
        """Menu "Sales Policy": the current policy of the user's company."""
        policy = self._sales_policy_current()
        action = {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "name": self.env._("Sales Policy"),
            "views": [(False, "form")],
        }
        if policy:
            action["res_id"] = policy.id
        else:
            action.update(
                views=[(False, "list"), (False, "form")],
                domain=[("state", "=", "published")],
            )
        return action

    # ------------------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------------------
    @api.model
    def _sales_policy_current(self, company=None):
        """The published policy of ``company`` (default: the current company)."""
        company = company or self.env.company
        return self.sudo().search(
            [("state", "=", "published"), ("company_id", "in", [company.id, False])],
            order="company_id, effective_date desc, id desc",
            limit=1,
        )

    @api.model
    def _sales_policy_ack_users(self, companies=None):
        """Internal users who must acknowledge the policy (the salespeople)."""
        groups = self.env["res.groups"]
        for xmlid in ACK_GROUPS:
            groups |= self.env.ref(xmlid)
        domain = [("share", "=", False), ("all_group_ids", "in", groups.ids)]
        if companies is not None:
            domain.append(("company_id", "in", companies.ids))
        return self.env["res.users"].sudo().search(domain)

    @api.model
    def _sales_policy_is_concerned(self, user):
        return not user.share and any(user.has_group(xmlid) for xmlid in ACK_GROUPS)

    @api.model
    def _sales_policy_sync_acks(self):
        """Every concerned user has a pending or done acknowledgement of the current
        policy of their company, and no pending one of another version.

        A constant number of queries per company: the users (one search), their
        pending acknowledgements of other versions (one search, one write, one unlink
        of their activities), the known acknowledgements of the current version (one
        grouped query) and the missing ones (one create each for the acknowledgements
        and the activities).
        """
        Ack = self.env["sales.policy.policy.ack"].sudo()
        users = self._sales_policy_ack_users()
        for company, company_users in users.grouped("company_id").items():
            policy = self._sales_policy_current(company)
            outdated = Ack.search(
                [
                    ("user_id", "in", company_users.ids),
                    ("state", "=", "pending"),
                    ("policy_id", "!=", policy.id),
                ]
            )
            if outdated:
                outdated.write({"state": "superseded"})
                self.env["mail.activity"].sudo().search(
                    [
                        ("res_model", "=", self._name),
                        ("res_id", "in", outdated.policy_id.ids),
                        ("user_id", "in", company_users.ids),
                    ]
                ).unlink()
            if policy:
                policy._sales_policy_request_acks(company_users)

    def _sales_policy_request_acks(self, users):
        """Ask ``users`` who have no acknowledgement of this version for one: a pending
        ``sales.policy.policy.ack`` and a To-Do activity on the policy."""
        self.ensure_one()
        Ack = self.env["sales.policy.policy.ack"].sudo()
        known = {
            user.id
            for (user,) in Ack._read_group(
                [("policy_id", "=", self.id), ("user_id", "in", users.ids)], ["user_id"]
            )
        }
        missing = [uid for uid in users.ids if uid not in known]
        if not missing:
            return
        today = fields.Date.context_today(self)
        Ack.create(
            [{"policy_id": self.id, "user_id": uid, "date_requested": today} for uid in missing]
        )
        self._sales_policy_schedule_acks(missing)

    def _sales_policy_schedule_acks(self, user_ids):
        self.ensure_one()
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": self.id,
                    "activity_type_id": todo.id,
                    "user_id": uid,
                    "date_deadline": fields.Date.context_today(self),
                    "summary": self.env._("Read and acknowledge the sales policy"),
                    "note": self.env._(
                        "Read version %(version)s of the sales policy and acknowledge it "
                        "(%(article)s).",
                        version=self.version,
                        article=self.env["sales.policy.control"]._cite("policy_acknowledgement"),
                    ),
                }
                for uid in user_ids
            ]
        )

    @api.model
    def _cron_request_acks(self):
        """Daily: users who joined the sales force (or changed company) since the
        publication are asked too."""
        self.sudo()._sales_policy_sync_acks()
        return True

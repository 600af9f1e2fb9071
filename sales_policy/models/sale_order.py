from contextlib import contextmanager

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .sales_policy_contract import APPROVED_STATES as CONTRACT_APPROVED_STATES

#: Cursor marks (see ``sale.order._policy_mark``): orders whose confirmation gates
#: action_confirm checked, orders to which Odoo's invoicing adds its down payment lines.
CONFIRM_CHECKED = "sales_policy_confirm_checked"
DOWN_PAYMENT = "sales_policy_down_payment"


class SaleOrder(models.Model):
    """Quotation approval (篇四 §12, 篇一 §9): an instance of the approval engine.

    Every quotation is approved before it takes effect: the approval matrix decides the
    levels (special discounts and large amounts escalate), the salesperson's chain
    approves in order. Until then it cannot be confirmed, sent, signed or paid online,
    and prints marked "not approved". A change of the approved content voids it.
    """

    _name = "sale.order"
    _inherit = ["sale.order", "sales.policy.approval.mixin"]

    #: what a user sends is checked before Odoo's own create / write read it (base.py)
    _sales_policy_check_input_first = True

    policy_max_discount = fields.Float(
        string="Effective Price Cut (%)",
        compute="_compute_policy_max_discount",
        digits="Discount",
        help="The reduction granted against the pricelist prices: the larger of the "
        "largest cut on a product line (discount and unit price below the pricelist "
        "price) and the cut of the whole order (global discount, negative and down "
        "payment lines included). With the amount, it decides the approval levels.",
    )
    policy_confirm_missing = fields.Char(
        string="Missing to Confirm",
        compute="_compute_policy_confirm_missing",
        help="What the quotation still lacks before it can be confirmed.",
    )
    policy_change_ids = fields.One2many(
        "sales.policy.order.change", "order_id", string="Change Requests", copy=False
    )
    policy_change_count = fields.Integer(
        string="Change Request Count", compute="_compute_policy_change_count"
    )
    # Sales contract (篇四 §13): see sales.policy.contract
    sales_policy_contract_ids = fields.One2many(
        "sales.policy.contract",
        "order_id",
        string="Contracts",
        groups="sales_team.group_sale_salesman",
    )
    sales_policy_contract_state = fields.Selection(
        related="sales_policy_contract_ids.state",
        string="Contract",
        groups="sales_team.group_sale_salesman",
    )
    sales_policy_amount_in_capitals = fields.Char(
        string="Total in Capitals",
        compute="_compute_sales_policy_amount_in_capitals",
        help="The total in capital Chinese numerals (人民币…元整), for orders in renminbi.",
    )

    @api.depends(
        "order_line.price_unit",
        "order_line.discount",
        "order_line.product_uom_qty",
        "order_line.is_downpayment",
        "pricelist_id",
        "date_order",
    )
    def _compute_policy_max_discount(self):
        for order in self:
            order.policy_max_discount = order._policy_effective_cut()

    def _policy_effective_cut(self):
        """The effective price cut (%) against the pricelist prices (篇四 §12).

        A line pays ``unit price × (1 - discount) × quantity``. Each product line with a
        positive quantity and unit price has a list value: ``max(pricelist price, unit
        price) × quantity``; its cut is ``1 - paid / list value``. The order's cut is
        ``1 - Σ paid / Σ list values`` over every line, so global discount lines,
        negative lines and lines flagged as down payment (which have no list value)
        reduce it too. The larger of the largest line cut and the order's cut counts.
        """
        self.ensure_one()
        listed = paid = 0.0
        largest = 0.0
        for line in self.order_line.filtered(lambda line: not line.display_type):
            # in unit price terms (taxes included in prices stay in on both sides)
            line_paid = line.price_unit * (1 - line.discount / 100) * line.product_uom_qty
            paid += line_paid
            if (
                line.is_downpayment
                or not line.product_id
                or line.product_uom_qty <= 0
                or line.price_unit < 0
                or line.product_type == "combo"  # priced on its combo item lines
            ):
                continue
            listed_unit = (
                line._get_display_price() if line.combo_item_id else line._get_pricelist_price()
            )
            unit = max(listed_unit, line.price_unit, 0.0)
            value = unit * line.product_uom_qty
            if not value:
                continue
            listed += value
            largest = max(largest, 1 - line_paid / value)
        if listed > 0:
            largest = max(largest, 1 - paid / listed)
        elif paid < 0:
            largest = 1.0
        return round(min(max(largest, 0.0), 1.0) * 100, 2)

    @api.depends("amount_total", "currency_id")
    def _compute_sales_policy_amount_in_capitals(self):
        for order in self:
            currency = order.currency_id
            order.sales_policy_amount_in_capitals = (
                currency._sales_policy_amount_in_capitals(order.amount_total) if currency else ""
            )

    @api.depends("policy_change_ids")
    def _compute_policy_change_count(self):
        counts = dict(
            self.env["sales.policy.order.change"]._read_group(
                [("order_id", "in", self.ids)], ["order_id"], ["__count"]
            )
        )
        for order in self:
            order.policy_change_count = counts.get(order._origin, 0)

    # ------------------------------------------------------------------------------
    # Approval engine hooks
    # ------------------------------------------------------------------------------
    def _policy_approval_control(self):
        return "quotation_approval"

    def _policy_approval_is_watched(self):
        return self.state in ("draft", "sent")

    def _policy_approval_levels(self):
        self.ensure_one()
        matrix = self.env["sales.policy.approval.matrix"].sudo()._for_company(self.company_id)
        if not matrix:
            return ["supervisor"]
        return matrix._levels_for(self.policy_max_discount, self._policy_amount_company())

    def _policy_amount_company(self):
        self.ensure_one()
        company = self.company_id or self.env.company
        return self.currency_id._convert(
            self.amount_untaxed,
            company.currency_id,
            company,
            self.date_order or fields.Date.context_today(self),
        )

    def _policy_approval_snapshot(self):
        """Prices, discounts, quantities, products, lines, pricelist and payment terms."""
        self.ensure_one()
        snapshot = {
            "pricelist_id": self.pricelist_id.id,
            "payment_term_id": self.payment_term_id.id,
            "currency_id": self.currency_id.id,
            "order_line": sorted(self.order_line.ids),
        }
        for line in self.order_line:
            for fname in self.order_line._policy_approval_line_fields():
                value = line[fname]
                if isinstance(value, models.BaseModel):
                    value = sorted(value.ids)
                snapshot[f"order_line.{line.id}.{fname}"] = value
        return snapshot

    def _policy_approval_describe(self, keys):
        labels = []
        for key in keys:
            if key.startswith("order_line."):
                _prefix, line_id, fname = key.split(".")
                line = self.order_line.browse(int(line_id)).exists()
                field_label = self.order_line._fields[fname]._description_string(self.env)
                line_label = line.name.splitlines()[0] if line and line.name else line_id
                labels.append(f"{field_label} ({line_label})")
            else:
                labels.append(self._fields[key]._description_string(self.env))
        return labels

    def _policy_check_ordered_by(self, partner):
        """Raise a ValidationError when this order is not an order of ``partner``
        (compared on the commercial entity); an empty order passes."""
        customer = self.partner_id.commercial_partner_id
        if customer and customer != partner.commercial_partner_id:
            raise ValidationError(
                self.env._(
                    "The order %(order)s is not an order of %(customer)s.",
                    order=self.display_name,
                    customer=partner.display_name,
                )
            )

    def _policy_approval_check_submit(self):
        self.ensure_one()
        if self.state not in ("draft", "sent"):
            raise UserError(self.env._("Only quotations are submitted for approval."))
        if not self.order_line.filtered(lambda line: not line.display_type):
            raise UserError(self.env._("Add the products or services before submitting."))
        if not self.payment_term_id:
            raise UserError(
                self.env._(
                    "A quotation states its payment terms (%(article)s): set the payment "
                    "terms before submitting %(order)s.",
                    article=self.env["sales.policy.control"]._cite("quotation_clear_terms"),
                    order=self.display_name,
                )
            )

    # ------------------------------------------------------------------------------
    # Gates
    # ------------------------------------------------------------------------------
    def _policy_quotation_unapproved_error(self):
        """The error of an unapproved quotation, or False when it may take effect."""
        self.ensure_one()
        if self.state in ("draft", "sent") and self.policy_approval_state != "approved":
            return self.env._(
                "Quotation %(order)s is not approved yet: every quotation needs the sales "
                "manager's approval before it takes effect (%(article)s).",
                order=self.display_name,
                article=self.env["sales.policy.control"]._cite("quotation_approval"),
            )
        return False

    def _policy_check_quotation_approved(self):
        for order in self:
            error = order._policy_quotation_unapproved_error()
            if error:
                raise UserError(error)

    def _confirmation_error_message(self):
        return (
            super()._confirmation_error_message()
            or self._policy_quotation_unapproved_error()
            or self._policy_order_incomplete_error()
            or self._policy_contract_error()
        )

    def _policy_contract_error(self):
        """The contract gate of the confirmation (篇四 §13): the error, or False. Legal
        approved the order's contract (and the director a major one), unless the order
        is below the company's exemption amount."""
        self.ensure_one()
        order = self
        company = order.company_id or self.env.company
        exempt = company.sales_policy_contract_exempt_amount
        if exempt > 0:
            amount = order.currency_id._convert(
                order.amount_total,
                company.currency_id,
                company,
                order.date_order or fields.Date.context_today(self),
            )
            if company.currency_id.compare_amounts(amount, exempt) < 0:
                return False
        cite = self.env["sales.policy.control"]._cite
        contract = (
            self.env["sales.policy.contract"].sudo().search([("order_id", "=", order.id)], limit=1)
        )
        if not contract:
            return self.env._(
                "%(order)s needs a sales contract approved by legal before it is confirmed: "
                "make the contract from the company's template and submit it to legal "
                "review (%(article)s).",
                order=order.display_name,
                article=cite("contract_legal_review"),
            )
        if contract.state not in CONTRACT_APPROVED_STATES:
            return self.env._(
                "The contract %(contract)s of %(order)s is not approved by legal (%(state)s): "
                "the order is confirmed once legal approved its contract (%(article)s).",
                contract=contract.name,
                order=order.display_name,
                state=contract._sales_policy_state_label(),
                article=cite("contract_legal_review"),
            )
        if contract.state == "approved":
            changed = contract._sales_policy_changes()
            if changed:
                return self.env._(
                    "The contract %(contract)s changed after legal approved it "
                    "(%(changes)s): submit it to legal review again (%(article)s).",
                    contract=contract.name,
                    changes=", ".join(contract._policy_approval_describe(changed)),
                    article=cite("contract_legal_review"),
                )
            if contract.is_major and contract.policy_approval_state != "approved":
                return self.env._(
                    "The contract %(contract)s is a major contract: the director approves it "
                    "before %(order)s is confirmed (%(article)s).",
                    contract=contract.name,
                    order=order.display_name,
                    article=cite("contract_major_approval"),
                )
        return False

    def _policy_approval_recheck(self):
        res = super()._policy_approval_recheck()
        # a change of the amount or customer sends an approved contract back to legal
        self.env["sales.policy.contract"]._sales_policy_order_changed(self)
        return res

    def action_sales_policy_contract(self):
        self.ensure_one()
        return self.env["sales.policy.contract"]._action_open_for_order(self)

    def action_quotation_send(self):
        self._policy_check_quotation_approved()
        return super().action_quotation_send()

    def action_quotation_sent(self):
        self._policy_check_quotation_approved()
        return super().action_quotation_sent()

    def message_post(self, **kwargs):
        if self.env.context.get("mark_so_as_sent"):
            self._policy_check_quotation_approved()
        subtype = self._policy_message_subtype(kwargs)
        self._policy_check_customer_unreached(
            kwargs.get("partner_ids"), to_followers=not subtype.internal
        )
        return super().message_post(**kwargs)

    def message_notify(self, **kwargs):
        self._policy_check_customer_unreached(kwargs.get("partner_ids"))
        return super().message_notify(**kwargs)

    def _policy_message_subtype(self, kwargs):
        """The subtype message_post will use (a note unless told otherwise)."""
        if kwargs.get("subtype_id"):
            return self.env["mail.message.subtype"].sudo().browse(kwargs["subtype_id"])
        return self.env.ref(kwargs.get("subtype_xmlid") or "mail.mt_note")

    def _policy_check_customer_unreached(self, partner_ids, to_followers=False):
        """Nothing addressed to the customer of an unapproved quotation leaves (篇四 §12):
        no message to its contacts, whether named as recipients or following the order.
        Covers every path that posts on the order (the mail composer, the portal share,
        RPC); the workflow (sudo) and the customer themself on the portal are not users
        sending it."""
        if self.env.su or not self.env.user._is_internal():
            return
        for order in self:
            error = order._policy_quotation_unapproved_error()
            if not error:
                continue
            recipients = self.env["res.partner"].browse(partner_ids or []).sudo()
            if to_followers:
                recipients |= order.sudo().message_partner_ids
            customer = order.sudo().partner_id.commercial_partner_id
            if any(r.commercial_partner_id == customer for r in recipients):
                raise UserError(error)

    # The portal offers the customer to sign or pay only a quotation that could then be
    # confirmed (approved, complete, its contract approved by legal, within credit…):
    # the portal confirms it right after, and a refusal there would reach the customer
    # as an error (篇四 §12–§14).
    def _has_to_be_signed(self):
        return super()._has_to_be_signed() and not self._confirmation_error_message()

    def _has_to_be_paid(self):
        return super()._has_to_be_paid() and not self._confirmation_error_message()

    # ------------------------------------------------------------------------------
    # Orders (篇四 §14): complete before confirmation; once confirmed, changed or
    # cancelled only through an approved request (sales.policy.order.change)
    # ------------------------------------------------------------------------------
    @api.depends(
        "state",
        "policy_approval_state",
        "payment_term_id",
        "partner_shipping_id.street",
        "partner_shipping_id.city",
        "commitment_date",
        "order_line.product_type",
        "amount_total",
        "sales_policy_contract_state",
    )
    def _compute_policy_confirm_missing(self):
        for order in self:
            missing = []
            if order.state in ("draft", "sent") and order.id:
                if order._policy_quotation_unapproved_error():
                    missing.append(self.env._("the approval of the quotation"))
                missing += order._policy_order_missing_information()
                if order._policy_contract_error():
                    missing.append(self.env._("a contract approved by legal"))
            order.policy_confirm_missing = ", ".join(missing)

    def _policy_order_missing_information(self):
        """The information the order lacks to be confirmed (labels; empty when complete).

        Payment terms always; for goods also a delivery address (street and city) and
        the delivery date promised to the customer.
        """
        self.ensure_one()
        missing = []
        if not self.payment_term_id:
            missing.append(self.env._("the payment terms"))
        if any(line.product_type == "consu" for line in self.order_line):
            shipping = self.partner_shipping_id
            if not (shipping.street and shipping.city):
                missing.append(self.env._("a delivery address (street and city)"))
            if not self.commitment_date:
                missing.append(self.env._("the delivery date"))
        return missing

    def _policy_order_incomplete_error(self):
        self.ensure_one()
        missing = self._policy_order_missing_information()
        if not missing:
            return False
        return self.env._(
            "Order %(order)s is incomplete: set %(missing)s before confirming it; the "
            "order information must be accurate and complete (%(article)s).",
            order=self.display_name,
            missing=", ".join(missing),
            article=self.env["sales.policy.control"]._cite("order_information_complete"),
        )

    def _policy_check_confirmed_unchanged(self):
        """Refuse a user changing the status of (e.g. cancelling) a confirmed order.

        Only the approval engine applies an approved request, with sudo; no context key
        opens this gate.
        """
        if self.env.su:
            return
        confirmed = self.filtered(lambda order: order.state == "sale")
        if confirmed:
            raise UserError(
                self.env._(
                    "%(orders)s: a confirmed order is changed or cancelled only through an "
                    "approved request, with its reason and the record of the communication "
                    "with the customer (%(article)s). Use Request Change or Request "
                    "Cancellation on the order.",
                    orders=confirmed.mapped("display_name"),
                    article=self.env["sales.policy.control"]._cite("order_change_approval"),
                )
            )

    def action_confirm(self):
        # Odoo's action_confirm checks the gates (_confirmation_error_message) of every
        # order, then writes the state: mark these orders as checked for that write so
        # that write() does not check them twice.
        with self._policy_mark(CONFIRM_CHECKED):
            return super().action_confirm()

    @contextmanager
    def _policy_mark(self, key):
        """Mark the orders ``self`` under ``key`` for the length of a block of server
        code. The mark lives on the cursor: no client can set it (no context key)."""
        marked = self.env.cr.cache.setdefault(key, set())
        ids = set(self.ids) - marked
        marked.update(ids)
        try:
            yield
        finally:
            marked.difference_update(ids)

    @api.model
    def _policy_marked(self, key):
        return self.env.cr.cache.get(key, set())

    @api.model
    def _sales_policy_checks_input(self):
        return True

    @api.model_create_multi
    def create(self, vals_list):
        self._sales_policy_check_input(vals_list, create=True)
        # a new order is an unapproved quotation: it starts in draft (篇四 §12)
        if not self.env.su and any(
            vals.get("state", "draft") not in ("draft", "cancel") for vals in vals_list
        ):
            raise UserError(
                self.env._(
                    "A new order starts as a quotation in draft: it takes effect once "
                    "approved (%(article)s).",
                    article=self.env["sales.policy.control"]._cite("quotation_approval"),
                )
            )
        return super().create(vals_list)

    @api.model
    def _policy_confirmed_locked_fields(self):
        """Order fields a user cannot change on a confirmed order: what the customer pays
        or owes (the lines follow sale.order.line._policy_confirmed_locked_fields)."""
        return {
            "partner_id",
            "partner_invoice_id",
            "payment_term_id",
            "pricelist_id",
            "fiscal_position_id",
            "currency_id",
            "company_id",
        }

    def _policy_check_confirmed_terms(self, vals):
        if self.env.su:
            return
        fnames = self._policy_confirmed_locked_fields() & set(vals)
        refused = self.browse()
        for order in self.sudo().filtered(lambda o: o.state == "sale"):
            for fname in fnames:
                field = self._fields[fname]
                if field.convert_to_cache(vals[fname], order) != field.convert_to_cache(
                    order[fname], order
                ):
                    refused |= order
        if refused:
            raise UserError(
                self.env._(
                    "%(orders)s: the customer, payment terms, pricelist, fiscal position and "
                    "currency of a confirmed order change only through an approved change "
                    "request (%(article)s). Use Request Change on the order.",
                    orders=refused.mapped("display_name"),
                    article=self.env["sales.policy.control"]._cite("order_change_approval"),
                )
            )

    def write(self, vals):
        self._sales_policy_check_input([vals])
        self._policy_check_confirmed_terms(vals)
        if "state" in vals and vals["state"] != "sale":
            self._policy_check_confirmed_unchanged()
        if vals.get("state") not in (None, "draft", "cancel", "sale") and not self.env.su:
            # no customer-facing state (e.g. sent) before approval, by any path
            self._policy_check_quotation_approved()
        if vals.get("state") == "sale" and not self.env.su:
            # a user writing the state directly (e.g. over RPC) passes the same gates as
            # action_confirm, which writes it after checking them
            checked = self._policy_marked(CONFIRM_CHECKED)
            for order in self.filtered(
                lambda o: o.state in ("draft", "sent") and o.id not in checked
            ):
                error = order._confirmation_error_message()
                if error:
                    raise UserError(error)
        return super().write(vals)

    def _action_cancel(self):
        self._policy_check_confirmed_unchanged()
        return super()._action_cancel()

    def _create_down_payment_lines_from_base_lines(self, down_payment_base_lines):
        # Odoo's invoicing wizard adds its down payment lines to the confirmed order, as
        # the user: the line gate lets in the lines of this private path (not callable
        # over RPC), and only these (sale_order_line.py)
        with self._policy_mark(DOWN_PAYMENT):
            return super()._create_down_payment_lines_from_base_lines(down_payment_base_lines)

    def action_policy_request_change(self):
        return self._policy_open_change_request("change")

    def action_policy_request_cancel(self):
        return self._policy_open_change_request("cancel")

    def _policy_open_change_request(self, change_type):
        self.ensure_one()
        if self.state != "sale":
            raise UserError(
                self.env._("Only a confirmed order is changed or cancelled through a request.")
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Change Request")
            if change_type == "change"
            else self.env._("Cancellation Request"),
            "res_model": "sales.policy.order.change",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {"default_order_id": self.id, "default_change_type": change_type},
        }

    def action_view_policy_changes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_policy.sales_policy_order_change_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"default_order_id": self.id}
        return action

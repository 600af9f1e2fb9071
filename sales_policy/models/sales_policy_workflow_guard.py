from odoo import api, models
from odoo.exceptions import AccessError, UserError

#: Stands for "every field a user edits" in :meth:`_policy_guard_locked_fields`.
ALL_FIELDS = "__all__"


class SalesPolicyWorkflowGuard(models.AbstractModel):
    """The workflow guard (mechanism 2 of the design, beside the approval engine).

    A model with a state machine inherits it and declares, through small hooks, what a
    user may change; the guard refuses everything else on every path a user has (create,
    write, unlink: buttons, RPC, import, Odoo's wizards), with one translated message
    naming the field, the state and the policy article. The server's own code (sudo)
    is not guarded: it is the workflow.

    * :meth:`_policy_guard_system_fields` — fields only the workflow writes, in every
      state (a user never sets them, not even on create);
    * :meth:`_policy_guard_locked_fields` — ``{state: fields}``: fields a user may not
      change while the record is in ``state`` (:data:`ALL_FIELDS` for all of them);
    * :meth:`_policy_guard_transitions` — ``{from_state: to_states}`` a user may write
      to the state field (only relevant when the state is not a system field);
    * :meth:`_policy_guard_field_groups` — ``{field: group xmlids}``: fields only the
      members of one of those groups may write;
    * :meth:`_policy_guard_deletable_states` — the states a user may delete in;
    * :meth:`_policy_guard_control` — the control (article) the messages cite.
    """

    _name = "sales.policy.workflow.guard"
    _description = "Sales Policy Workflow Guard"

    #: The field holding the record's state.
    _policy_guard_state_field = "state"

    # ------------------------------------------------------------------------------
    # Hooks
    # ------------------------------------------------------------------------------
    def _policy_guard_system_fields(self):
        """Fields written by the workflow only (server code, with sudo)."""
        return frozenset()

    def _policy_guard_locked_fields(self):
        """``{state: frozenset of field names or ALL_FIELDS}`` locked in that state."""
        return {}

    def _policy_guard_transitions(self):
        """``{from_state: iterable of to_states}`` a user may make by writing the state.

        ``None``: users write the state freely (when it is not a system field).
        """
        return None

    def _policy_guard_field_groups(self):
        """``{field: tuple of group xmlids}``: who may write these fields."""
        return {}

    def _policy_guard_deletable_states(self):
        """The states in which a user may delete a record (``None``: any state)."""
        return None

    def _policy_guard_control(self):
        """Code of the sales.policy.control cited in the guard's messages."""
        return ""

    def _policy_guard_free_fields(self):
        """Fields a lock never covers: the chatter's and activities' bookkeeping."""
        return frozenset(
            name
            for name in self._fields
            if name.startswith(("message_", "activity_", "website_message", "rating_"))
        )

    # ------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                self._policy_guard_check_vals(vals, self.browse())
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._policy_guard_check_vals(vals, self)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _policy_guard_unlink(self):
        if self.env.su:
            return
        states = self._policy_guard_deletable_states()
        if states is None:
            return
        for record in self:
            state = record._policy_guard_state()
            if state not in states:
                raise UserError(self._policy_guard_message(record, "", state, deleted=True))

    # ------------------------------------------------------------------------------
    # The guard
    # ------------------------------------------------------------------------------
    def _policy_guard_state(self):
        self.ensure_one()
        state_field = self._policy_guard_state_field
        return self[state_field] if state_field in self._fields else False

    def _policy_guard_check_vals(self, vals, records):
        """Refuse ``vals`` for ``records`` (empty: a new record) unless allowed."""
        keys = set(vals)
        system = self._policy_guard_system_fields() & keys
        if system:
            raise AccessError(
                self._policy_guard_message(records[:1], self._policy_guard_labels(system), None)
            )
        for field, groups in self._policy_guard_field_groups().items():
            if field in keys and not any(self.env.user.has_group(g) for g in groups):
                raise AccessError(
                    self._policy_guard_message(
                        records[:1], self._policy_guard_labels({field}), None
                    )
                )
        state_field = self._policy_guard_state_field
        transitions = self._policy_guard_transitions()
        locks = self._policy_guard_locked_fields()
        free = self._policy_guard_free_fields()
        for record in records:
            state = record._policy_guard_state()
            locked = locks.get(state, frozenset())
            if locked == ALL_FIELDS:
                blocked = keys - free - {state_field}
            else:
                blocked = keys & set(locked)
            if blocked:
                raise UserError(
                    self._policy_guard_message(record, self._policy_guard_labels(blocked), state)
                )
            if (
                state_field in keys
                and transitions is not None
                and vals[state_field] != state
                and vals[state_field] not in transitions.get(state, ())
            ):
                raise UserError(
                    self._policy_guard_message(
                        record, self._policy_guard_labels({state_field}), state
                    )
                )

    def _policy_guard_labels(self, names):
        return ", ".join(
            sorted(
                self._fields[name]._description_string(self.env) if name in self._fields else name
                for name in names
            )
        )

    def _policy_guard_message(self, record, what, state, deleted=False):
        """The guard's one message: what is refused, on which document, in which state,
        under which article."""
        state_field = self._policy_guard_state_field
        if record and state_field and state is None:
            state = record._policy_guard_state()
        state_label = self.env._("new")
        if state and state_field in self._fields:
            selection = self._fields[state_field]._description_selection(self.env)
            state_label = dict(selection).get(state, state)
        params = {
            "what": what,
            "document": record.display_name if record else self._description,
            "state": state_label,
            "article": self.env["sales.policy.control"]._cite(self._policy_guard_control()) or "-",
        }
        if deleted:
            return self.env._(
                "%(document)s is %(state)s: it cannot be deleted, it stays on record "
                "(%(article)s).",
                **params,
            )
        return self.env._(
            "%(document)s is %(state)s: %(what)s cannot be changed by hand; the workflow "
            "records it (%(article)s).",
            **params,
        )

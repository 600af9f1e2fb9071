import calendar
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import ValidationError

PERIOD_TYPES = [("year", "Year"), ("quarter", "Quarter"), ("month", "Month")]
QUARTERS = [("1", "Q1"), ("2", "Q2"), ("3", "Q3"), ("4", "Q4")]
MONTHS = [(str(number), calendar.month_abbr[number]) for number in range(1, 13)]


def period_dates(period_type, year, quarter=None, month=None):
    """First and last day of a period (year, quarter or month)."""
    if period_type == "quarter":
        first = (int(quarter or 1) - 1) * 3 + 1
        last = first + 2
    elif period_type == "month":
        first = last = int(month or 1)
    else:
        first, last = 1, 12
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


class SalesPolicyKpiPeriodMixin(models.AbstractModel):
    """A period of the appraisal (篇四 §24: monthly, quarterly, yearly).

    The period is chosen as a type and a year (plus the quarter or the month); the
    first and last days are computed, so two records of the same period always have
    the same dates.
    """

    _name = "sales.policy.kpi.period.mixin"
    _description = "Sales Policy Appraisal Period"

    period_type = fields.Selection(
        PERIOD_TYPES,
        required=True,
        default="quarter",
        help="Appraisal periods are monthly, quarterly or yearly (篇四 §24).",
    )
    year = fields.Integer(
        required=True,
        default=lambda self: fields.Date.context_today(self).year,
        aggregator=False,
    )
    quarter = fields.Selection(
        QUARTERS,
        default=lambda self: str((fields.Date.context_today(self).month - 1) // 3 + 1),
    )
    month = fields.Selection(
        MONTHS, default=lambda self: str(fields.Date.context_today(self).month)
    )
    date_from = fields.Date(
        string="From", compute="_compute_period_dates", store=True, index=True, precompute=True
    )
    date_to = fields.Date(
        string="To", compute="_compute_period_dates", store=True, index=True, precompute=True
    )
    period_name = fields.Char(
        string="Period", compute="_compute_period_dates", store=True, precompute=True
    )

    @api.depends("period_type", "year", "quarter", "month")
    def _compute_period_dates(self):
        for record in self:
            if not record.year or record.year < 1900 or not record.period_type:
                record.date_from = record.date_to = record.period_name = False
                continue
            record.date_from, record.date_to = period_dates(
                record.period_type, record.year, record.quarter, record.month
            )
            if record.period_type == "quarter":
                record.period_name = f"{record.year} Q{record.quarter or 1}"
            elif record.period_type == "month":
                record.period_name = f"{record.year}-{int(record.month or 1):02d}"
            else:
                record.period_name = str(record.year)

    @api.constrains("period_type", "year", "quarter", "month")
    def _check_period(self):
        for record in self:
            if not 1900 <= record.year <= 9999:
                raise ValidationError(
                    self.env._("The year must be a year, e.g. %(year)s.", year=date.today().year)
                )
            if record.period_type == "quarter" and not record.quarter:
                raise ValidationError(self.env._("Choose the quarter of a quarterly period."))
            if record.period_type == "month" and not record.month:
                raise ValidationError(self.env._("Choose the month of a monthly period."))

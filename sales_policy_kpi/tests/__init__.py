from . import test_kpi_indicators
from . import test_kpi_sheet
from . import test_kpi_target
from . import test_kpi_rpc
from . import test_screenshots
from . import test_kpi_report

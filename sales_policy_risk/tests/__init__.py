from . import test_credit
from . import test_credit_rpc

from . import portal
from . import satisfaction

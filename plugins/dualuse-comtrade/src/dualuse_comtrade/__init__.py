"""UN Comtrade API connector for dualuse.

Install it next to dualuse and the ``comtrade`` connector appears in ``dualuse plugins``::

    dualuse fetch comtrade --set reporters=KZ --set partners=RU --set hs_codes=8542 --set periods=2023

Examples:
    >>> from dualuse_comtrade import ComtradeQuery
    >>> ComtradeQuery(reporters=["CN"], partners=["KZ"], hs_codes=["8806"], periods=[2023]).params()["reporterCode"]
    '156'
"""

from __future__ import annotations

from dualuse_comtrade.client import KEY_HEADER, ComtradeClient, RetryPolicy, retry_after_seconds
from dualuse_comtrade.connector import API_KEY_ENV, ROW_CAPS, ComtradeConfig, ComtradeConnector
from dualuse_comtrade.mapping import FLOW_NAMES, HS_VERSIONS, Answer, Mapped, hs_version, map_records, parse_response
from dualuse_comtrade.query import ComtradeQuery, area_code, plan, split
from dualuse_comtrade.store import CallBudget, ResponseCache, call_key

__all__ = [
    "API_KEY_ENV",
    "FLOW_NAMES",
    "HS_VERSIONS",
    "KEY_HEADER",
    "ROW_CAPS",
    "Answer",
    "CallBudget",
    "ComtradeClient",
    "ComtradeConfig",
    "ComtradeConnector",
    "ComtradeQuery",
    "Mapped",
    "ResponseCache",
    "RetryPolicy",
    "area_code",
    "call_key",
    "hs_version",
    "map_records",
    "parse_response",
    "plan",
    "retry_after_seconds",
    "split",
]

__version__ = "0.1.0"

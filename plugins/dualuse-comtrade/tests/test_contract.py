"""dualuse's connector contract kit, run against the local test server."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from dualuse.testing import ConnectorContract
from pytest_httpserver import HTTPServer

from dualuse_comtrade import ComtradeConnector


def _record(partner: int, flow: str, value: float) -> dict[str, Any]:
    return {
        "freqCode": "A",
        "period": "2023",
        "reporterCode": 156,
        "partnerCode": partner,
        "flowCode": flow,
        "cmdCode": "880622",
        "classificationCode": "H6",
        "primaryValue": value,
        "cifvalue": None,
        "fobvalue": value,
        "netWgt": 310.0,
        "qty": 212.0,
        "qtyUnitCode": 5,
        "qtyUnitAbbr": "u",
        "isReported": True,
        "isAggregate": False,
    }


ANSWER = {
    "elapsedTime": "0.1 secs",
    "count": 2,
    "data": [_record(398, "X", 5.9e6), _record(417, "X", 1.1e6)],
    "error": "",
}


class TestComtradeContract(ConnectorContract):
    connector = ComtradeConnector
    bad_settings: ClassVar[list[dict[str, Any]]] = [
        {"hs_codes": "TOTAL", "periods": "2023"},
        {"hs_codes": "8806", "periods": "23"},
        {"hs_codes": "8806", "periods": "2023", "flows": "Z"},
        {"hs_codes": "8806", "periods": "2023", "row_cap": 0},
    ]
    secrets: ClassVar[dict[str, str]] = {"api_key": "contract-s3cret-key"}
    min_rows = 2

    def get_settings(self, request: pytest.FixtureRequest) -> dict[str, Any]:
        server: HTTPServer = request.getfixturevalue("httpserver")
        for path in ("/data/v1/get/C/A/HS", "/public/v1/preview/C/A/HS"):
            server.expect_request(path).respond_with_json(ANSWER)
        return {
            "base_url": server.url_for("/"),
            "reporters": "CN",
            "partners": "KZ,KG",
            "hs_codes": "880622",
            "flows": "X",
            "periods": "2023",
        }

"""The connector against a real HTTP server on 127.0.0.1: recorded answers and crafted failures."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
import socketserver
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from dualuse.connectors import FetchContext
from dualuse.errors import ConfigError, ConnectorError
from dualuse.schema import validate
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from dualuse_comtrade import KEY_HEADER, CallBudget, ComtradeConnector

Make = Callable[..., ComtradeConnector]
GET_PATH = "/data/v1/get/C/A/HS"
PREVIEW_PATH = "/public/v1/preview/C/A/HS"


def fake_record(reporter: int, partner: int, cmd: str, flow: str, period: str) -> dict[str, Any]:
    """One record as Comtrade writes it, with a value that encodes its keys (so tests can check them)."""
    value = float(reporter * 1_000_000 + partner * 1_000 + int(period[-2:]) + (0.5 if flow == "M" else 0.0))
    return {
        "typeCode": "C",
        "freqCode": "M" if len(period) == 6 else "A",
        "refPeriodId": int(period + ("0101" if len(period) == 4 else "01")),
        "period": period,
        "reporterCode": reporter,
        "flowCode": flow,
        "partnerCode": partner,
        "partner2Code": 0,
        "classificationCode": "H6",
        "cmdCode": cmd,
        "customsCode": "C00",
        "motCode": 0,
        "qtyUnitCode": 8,
        "qtyUnitAbbr": "kg",
        "qty": 10.0,
        "netWgt": 10.0,
        "cifvalue": value if flow in ("M", "RM") else None,
        "fobvalue": value if flow in ("X", "RX") else None,
        "primaryValue": value,
        "isReported": True,
        "isAggregate": False,
    }


def _codes(request: Request, name: str, default: list[str]) -> list[str]:
    value = request.args.get(name)
    return value.split(",") if value else default


def simulate(request: Request) -> Response:
    """Answer like Comtrade: one record per asked combination, cut at ``maxRecords``."""
    combos = itertools.product(
        _codes(request, "reporterCode", ["398", "417"]),
        _codes(request, "partnerCode", ["0", "643"]),
        _codes(request, "cmdCode", ["8542"]),
        _codes(request, "flowCode", ["M", "X"]),
        _codes(request, "period", ["2023"]),
    )
    records = [fake_record(int(r), int(p), c, f, t) for r, p, c, f, t in combos]
    cap = int(request.args.get("maxRecords", "100000"))
    body = {"elapsedTime": "0.01 secs", "count": min(len(records), cap), "data": records[:cap], "error": ""}
    return Response(json.dumps(body), content_type="application/json")


class Calls:
    """Counts the requests a fake server answered, keeping their query strings."""

    def __init__(self) -> None:
        self.queries: list[dict[str, str]] = []

    def __call__(self, request: Request) -> Response:
        self.queries.append(dict(request.args))
        return simulate(request)


def fetch_all(connector: ComtradeConnector, context: FetchContext) -> pl.DataFrame:
    return pl.concat(list(connector.fetch(context)))


def answered(httpserver: HTTPServer) -> list[dict[str, str]]:
    return [dict(request.args) for request, _ in httpserver.log]


def test_recorded_response_served_by_a_local_server(
    httpserver: HTTPServer, make_connector: Make, context: FetchContext, recorded_body: bytes
) -> None:
    httpserver.expect_request(GET_PATH, method="GET", headers={KEY_HEADER: "test-key"}).respond_with_data(
        recorded_body, content_type="application/json"
    )
    connector = make_connector(reporters=[156], partners=[32, 280, 276], hs_codes=["AG2"], periods=[2010])
    frames = list(connector.fetch(context))
    # The recorded rows are all cmdCode TOTAL: quarantined with their reason, none passed as flows.
    assert [f.height for f in frames] == [0]
    rejected = pl.concat(context.rejected)
    assert rejected.select("row", "reporter", "partner", "flow", "value_usd").rows() == [
        (0, "CN", "AR", "import", "6804128143.0"),
        (1, "CN", "DE", "import", "74251272075.0"),
        (2, "CN", "AR", "export", "6115764185.0"),
        (3, "CN", "DE", "export", "68047133397.0"),
    ]
    (request,) = answered(httpserver)
    assert request == {
        "reporterCode": "156",
        "partnerCode": "32,280,276",
        "period": "2010",
        "cmdCode": "AG2",
        "flowCode": "M,X",
        "partner2Code": "0",
        "motCode": "0",
        "customsCode": "C00",
        "maxRecords": "100000",
        "includeDesc": "false",
    }


def test_recorded_records_with_hs_codes_become_flows(
    httpserver: HTTPServer, make_connector: Make, context: FetchContext, recorded_body: bytes
) -> None:
    payload = json.loads(recorded_body)
    payload["data"] = [{**r, "cmdCode": "85"} for r in payload["data"]]
    httpserver.expect_request(GET_PATH).respond_with_json(payload)
    flows = fetch_all(make_connector(reporters=[156], partners=[32, 276], hs_codes=["85"], periods=[2010]), context)
    assert flows.select("period", "reporter", "partner", "flow", "hs_code", "value_usd", "valuation").rows() == [
        (dt.date(2010, 1, 1), "CN", "AR", "import", "85", 6_804_128_143.0, "CIF"),
        (dt.date(2010, 1, 1), "CN", "DE", "import", "85", 74_251_272_075.0, "CIF"),
        (dt.date(2010, 1, 1), "CN", "AR", "export", "85", 6_115_764_185.0, "FOB"),
        (dt.date(2010, 1, 1), "CN", "DE", "export", "85", 68_047_133_397.0, "FOB"),
    ]
    assert flows["source"].unique().to_list() == ["comtrade:data/v1/get/C/A/HS"]
    assert validate(flows, "flows").ok


def test_keyless_preview(
    httpserver: HTTPServer, make_connector: Make, context: FetchContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COMTRADE_API_KEY", raising=False)
    monkeypatch.delenv("DUALUSE_COMTRADE_API_KEY", raising=False)
    httpserver.expect_request(PREVIEW_PATH).respond_with_handler(simulate)
    flows = fetch_all(make_connector(api_key=None), context)
    assert flows.select("reporter", "partner", "flow", "value_usd").rows() == [
        ("KZ", "RU", "import", 398_643_023.5),
        ("KZ", "RU", "export", 398_643_023.0),
    ]
    assert flows["source"].unique().to_list() == ["comtrade:public/v1/preview/C/A/HS"]
    request, _ = httpserver.log[0]
    assert KEY_HEADER not in request.headers
    assert request.args["maxRecords"] == "500"


def test_monthly_periods(httpserver: HTTPServer, make_connector: Make, context: FetchContext) -> None:
    httpserver.expect_request("/data/v1/get/C/M/HS").respond_with_handler(simulate)
    flows = fetch_all(make_connector(freq="M", periods=["202301", "202312"], flows=["X"]), context)
    assert flows.select("period", "freq").rows() == [(dt.date(2023, 1, 1), "M"), (dt.date(2023, 12, 1), "M")]


def test_429_honours_retry_after_seconds(
    httpserver: HTTPServer, make_connector: Make, context: FetchContext, sleeps: list[float]
) -> None:
    httpserver.expect_ordered_request(GET_PATH).respond_with_data("slow down", status=429, headers={"Retry-After": "7"})
    httpserver.expect_ordered_request(GET_PATH).respond_with_handler(simulate)
    assert fetch_all(make_connector(), context).height == 2
    assert sleeps == [7.0]


def test_429_honours_retry_after_as_an_http_date(
    httpserver: HTTPServer, context: FetchContext, sleeps: list[float], make_connector: Make
) -> None:
    httpserver.expect_ordered_request(GET_PATH).respond_with_data(
        "", status=429, headers={"Retry-After": "Sun, 29 Nov 2026 05:00:42 GMT"}
    )
    httpserver.expect_ordered_request(GET_PATH).respond_with_handler(simulate)
    config = make_connector().config
    connector = ComtradeConnector(
        config, sleep=sleeps.append, now=lambda: dt.datetime(2026, 11, 29, 5, 0, 0, tzinfo=dt.UTC)
    )
    assert fetch_all(connector, context).height == 2
    assert sleeps == [42.0]


def test_retry_after_beyond_the_limit_stops_clearly(
    httpserver: HTTPServer, make_connector: Make, context: FetchContext, sleeps: list[float]
) -> None:
    httpserver.expect_request(GET_PATH).respond_with_data("", status=429, headers={"Retry-After": "86400"})
    with pytest.raises(ConnectorError, match=r"throttled; the API asks to wait 86400 s, more than max_retry_after"):
        list(make_connector().fetch(context))
    assert sleeps == []


def test_500_then_success(
    httpserver: HTTPServer, make_connector: Make, context: FetchContext, sleeps: list[float]
) -> None:
    httpserver.expect_ordered_request(GET_PATH).respond_with_data("upstream down", status=500)
    httpserver.expect_ordered_request(GET_PATH).respond_with_data("still down", status=503)
    httpserver.expect_ordered_request(GET_PATH).respond_with_handler(simulate)
    assert fetch_all(make_connector(backoff=0.5), context).height == 2
    assert sleeps == [0.5, 1.0]


def test_503_with_retry_after_waits_as_asked(
    httpserver: HTTPServer, make_connector: Make, context: FetchContext, sleeps: list[float]
) -> None:
    httpserver.expect_ordered_request(GET_PATH).respond_with_data("busy", status=503, headers={"Retry-After": "3"})
    httpserver.expect_ordered_request(GET_PATH).respond_with_handler(simulate)
    assert fetch_all(make_connector(), context).height == 2
    assert sleeps == [3.0]


def test_5xx_retries_are_bounded(
    httpserver: HTTPServer, make_connector: Make, context: FetchContext, sleeps: list[float]
) -> None:
    httpserver.expect_request(GET_PATH).respond_with_data("down", status=502)
    with pytest.raises(ConnectorError, match=r"gave up after 4 attempts; last problem: HTTP 502 \(down\)"):
        list(make_connector(max_retries=3, backoff=1, max_backoff=3).fetch(context))
    assert sleeps == [1.0, 2.0, 3.0]
    assert len(httpserver.log) == 4


def test_slow_response_past_the_timeout_is_retried(
    httpserver: HTTPServer, make_connector: Make, context: FetchContext, sleeps: list[float]
) -> None:
    # No race with the clock: the first answer is held until the client has given up and asks to
    # wait, and the timeout is long enough for the second answer on a loaded machine.
    gave_up = threading.Event()

    def slow(request: Request) -> Response:
        gave_up.wait(timeout=30)
        return simulate(request)

    def wait_for_the_server(seconds: float) -> None:
        sleeps.append(seconds)
        gave_up.set()

    httpserver.expect_ordered_request(GET_PATH).respond_with_handler(slow)
    httpserver.expect_ordered_request(GET_PATH).respond_with_handler(simulate)
    connector = ComtradeConnector(make_connector(timeout=1.0).config, sleep=wait_for_the_server)
    assert fetch_all(connector, context).height == 2
    assert sleeps == [1.0]
    assert len(httpserver.log) == 2


def test_client_errors_are_not_retried(
    httpserver: HTTPServer, make_connector: Make, context: FetchContext, sleeps: list[float]
) -> None:
    httpserver.expect_request(GET_PATH).respond_with_data("Access denied due to invalid subscription key.", status=401)
    with pytest.raises(ConnectorError, match=r"HTTP 401 \(is the API key right\?\): Access denied"):
        list(make_connector().fetch(context))
    assert (sleeps, len(httpserver.log)) == ([], 1)


def test_redirects_are_not_followed_with_the_key(
    httpserver: HTTPServer, make_connector: Make, context: FetchContext
) -> None:
    httpserver.expect_request(GET_PATH).respond_with_data(
        "", status=302, headers={"Location": "http://elsewhere.test/"}
    )
    with pytest.raises(ConnectorError, match=r"HTTP 302 redirect to http://elsewhere.test/; check base_url"):
        list(make_connector().fetch(context))
    assert len(httpserver.log) == 1


def test_truncated_body_names_the_query_and_is_not_cached(
    httpserver: HTTPServer, make_connector: Make, context: FetchContext
) -> None:
    whole = json.dumps({"count": 1, "data": [{"reporterCode": 398}], "error": ""})
    httpserver.expect_request(GET_PATH).respond_with_data(whole[: len(whole) // 2], content_type="application/json")
    with pytest.raises(ConnectorError) as caught:
        list(make_connector().fetch(context))
    assert str(caught.value).startswith(
        "Comtrade query freq=A reporters=398 partners=643 hs=8542 flows=M,X periods=2023: "
        "the response is not valid JSON (truncated?)"
    )
    assert not list((context.cache_dir / "responses").glob("*.json"))


def test_body_cut_before_its_content_length_is_retried(
    make_connector: Make, context: FetchContext, sleeps: list[float]
) -> None:
    whole = json.dumps({"count": 1, "data": [fake_record(398, 643, "8542", "X", "2023")], "error": ""}).encode()
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(whole)}\r\n\r\n".encode()
    answers = [head + whole[:40], head + whole]  # the first connection drops after 40 bytes of the body

    class Raw(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            while self.rfile.readline() not in (b"\r\n", b""):
                pass
            self.wfile.write(answers.pop(0))

    with socketserver.TCPServer(("127.0.0.1", 0), Raw) as server:
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        connector = make_connector(base_url=f"http://127.0.0.1:{server.server_address[1]}", flows=["X"])
        flows = fetch_all(connector, context)
        server.shutdown()
    assert flows.select("reporter", "partner", "value_usd").rows() == [("KZ", "RU", 398_643_023.0)]
    assert sleeps == [1.0]  # one retry after "connection failed (RemoteProtocolError ...)"


def test_error_field_names_the_query(httpserver: HTTPServer, make_connector: Make, context: FetchContext) -> None:
    httpserver.expect_request(GET_PATH).respond_with_json(
        {"elapsedTime": "0 secs", "count": 0, "data": None, "error": "Invalid reporterCode: 9999"}
    )
    with pytest.raises(ConnectorError, match=r"reporters=398 .*: the API answered with an error: Invalid reporterCode"):
        list(make_connector().fetch(context))


def test_answer_at_the_row_cap_is_split_and_stitched(
    httpserver: HTTPServer, make_connector: Make, context: FetchContext
) -> None:
    calls = Calls()
    httpserver.expect_request(GET_PATH).respond_with_handler(calls)
    connector = make_connector(reporters=[398, 417], partners=[643, 0], row_cap=3)
    flows = fetch_all(connector, context)
    # 8 cells; the first answer (3 rows = the cap) is split by reporter (4 cells, again capped), then by partner.
    assert [(q.get("reporterCode"), q.get("partnerCode")) for q in calls.queries] == [
        ("398,417", "643,0"),
        ("398", "643,0"),
        ("398", "643"),
        ("398", "0"),
        ("417", "643,0"),
        ("417", "643"),
        ("417", "0"),
    ]
    assert flows.select("reporter", "partner", "flow").rows() == [
        ("KZ", "RU", "import"), ("KZ", "RU", "export"), ("KZ", "XW", "import"), ("KZ", "XW", "export"),
        ("KG", "RU", "import"), ("KG", "RU", "export"), ("KG", "XW", "import"), ("KG", "XW", "export"),
    ]  # fmt: skip
    assert flows["source_row"].to_list() == list(range(8))


def test_answer_at_the_row_cap_that_cannot_be_split_is_an_error(
    httpserver: HTTPServer, make_connector: Make, context: FetchContext
) -> None:
    httpserver.expect_request(GET_PATH).respond_with_handler(simulate)
    with pytest.raises(ConnectorError, match=r"has 1 rows, the row cap, so it may be incomplete, and the query cannot"):
        list(make_connector(flows=["X"], row_cap=1).fetch(context))


def test_answer_counting_more_rows_than_it_sent_is_split(
    httpserver: HTTPServer, make_connector: Make, context: FetchContext
) -> None:
    def cut(request: Request) -> Response:
        whole = json.loads(simulate(request).get_data())
        if request.args["partnerCode"] == "643,0":  # the API says 4 but sends 2 (below the row cap of 100,000)
            whole["data"] = whole["data"][:2]
        return Response(json.dumps(whole), content_type="application/json")

    httpserver.expect_request(GET_PATH).respond_with_handler(cut)
    flows = fetch_all(make_connector(partners=[643, 0]), context)
    assert [dict(r.args)["partnerCode"] for r, _ in httpserver.log] == ["643,0", "643", "0"]
    assert flows.select("partner", "flow").rows() == [
        ("RU", "import"),
        ("RU", "export"),
        ("XW", "import"),
        ("XW", "export"),
    ]


def test_preview_row_cap_cannot_exceed_500(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COMTRADE_API_KEY", raising=False)
    monkeypatch.delenv("DUALUSE_COMTRADE_API_KEY", raising=False)
    connector = ComtradeConnector.from_settings({"hs_codes": "8542", "periods": "2023", "row_cap": 1000})
    with pytest.raises(ConfigError, match="row_cap 1000 is above the preview endpoint's 500 rows"):
        connector.plan()


def test_budget_is_checked_before_the_first_call(
    httpserver: HTTPServer, make_connector: Make, context: FetchContext
) -> None:
    httpserver.expect_request(GET_PATH).respond_with_handler(simulate)
    connector = make_connector(periods=range(1995, 2025), daily_budget=2)  # 30 years: 3 calls of 12
    with pytest.raises(ConnectorError, match=r"3 call\(s\) planned, 0 of 2 already used today"):
        list(connector.fetch(context))
    assert httpserver.log == []


def test_budget_counts_calls_per_utc_day_on_disk(
    httpserver: HTTPServer, make_connector: Make, context: FetchContext, sleeps: list[float]
) -> None:
    httpserver.expect_ordered_request(GET_PATH).respond_with_data("", status=500)
    httpserver.expect_request(GET_PATH).respond_with_handler(simulate)
    config = make_connector(daily_budget=3).config
    day = [dt.date(2026, 11, 29)]
    connector = ComtradeConnector(config, sleep=sleeps.append, today=lambda: day[0])
    fetch_all(connector, context)
    budget = CallBudget(context.cache_dir, limit=3, today=lambda: day[0])
    assert budget.used() == 2  # the failed attempt counts: the API counted it too
    fetch_all(connector, context)  # cached: no call
    assert budget.used() == 2
    wider = make_connector(partners=["KG", "BY"], daily_budget=3, row_cap=3).config
    other = ComtradeConnector(wider, sleep=sleeps.append, today=lambda: day[0])
    with pytest.raises(ConnectorError, match="1 call"):
        list(other.fetch(context))  # the first answer (4 rows) hits the cap: its split has no budget left
    day[0] = dt.date(2026, 11, 30)
    assert budget.used() == 0
    assert fetch_all(other, context).height == 4  # a new UTC day: the fetch resumes from the cached first answer


def test_interrupted_fetch_resumes_where_it_stopped(
    httpserver: HTTPServer, make_connector: Make, tmp_path: Path
) -> None:
    periods = [str(year) for year in range(2000, 2025)]  # 25 years: calls of 12, 12 and 1 periods
    broken = Calls()

    def fail_third(request: Request) -> Response:
        if request.args["period"] == "2024":
            return Response("maintenance", status=503)
        return broken(request)

    httpserver.expect_request(GET_PATH).respond_with_handler(fail_third)
    connector = make_connector(periods=periods, flows=["X"], max_retries=0)
    context = FetchContext(tmp_path / "cache")
    got: list[pl.DataFrame] = []
    with pytest.raises(ConnectorError, match="gave up after 1 attempt; last problem: HTTP 503"):
        got.extend(connector.fetch(context))
    assert [f.height for f in got] == [12, 12]

    httpserver.clear()
    healthy = Calls()
    httpserver.expect_request(GET_PATH).respond_with_handler(healthy)
    resumed = fetch_all(connector, FetchContext(tmp_path / "cache"))
    assert [q["period"] for q in healthy.queries] == ["2024"]  # only the missing call
    assert resumed["period"].dt.year().to_list() == list(range(2000, 2025))
    assert resumed["source_row"].to_list() == list(range(25))

    fresh = fetch_all(connector, FetchContext(tmp_path / "fresh"))  # the same as a fetch in one go
    assert resumed.equals(fresh)


def test_refresh_ignores_the_cache(httpserver: HTTPServer, make_connector: Make, tmp_path: Path) -> None:
    calls = Calls()
    httpserver.expect_request(GET_PATH).respond_with_handler(calls)
    connector = make_connector()
    fetch_all(connector, FetchContext(tmp_path / "cache"))
    fetch_all(connector, FetchContext(tmp_path / "cache"))
    fetch_all(connector, FetchContext(tmp_path / "cache", refresh=True))
    assert len(calls.queries) == 2


def test_progress_is_reported_per_planned_call(httpserver: HTTPServer, make_connector: Make, tmp_path: Path) -> None:
    httpserver.expect_request(GET_PATH).respond_with_handler(simulate)
    steps: list[tuple[int, int | None, str]] = []
    context = FetchContext(tmp_path, on_progress=lambda a, t, d: steps.append((a, t, d)))
    fetch_all(make_connector(periods=range(2000, 2014)), context)
    assert steps == [(1, 2, "Comtrade call 1/2"), (1, 2, "Comtrade call 2/2")]


def test_the_key_never_leaks(
    httpserver: HTTPServer, make_connector: Make, context: FetchContext, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "s3cret-key-0123456789"
    httpserver.expect_request(GET_PATH, headers={KEY_HEADER: secret}).respond_with_handler(simulate)
    connector = make_connector(api_key=secret)
    with caplog.at_level(logging.DEBUG):
        fetch_all(connector, context)
    assert len(httpserver.log) == 1
    assert secret not in caplog.text
    assert "GET data/v1/get/C/A/HS" in caplog.text
    assert secret not in repr(connector)
    assert secret not in json.dumps(connector.config.public_dump())
    for path in context.cache_dir.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes()


def test_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMTRADE_API_KEY", "env-key")
    connector = ComtradeConnector.from_settings({"reporters": "KZ", "hs_codes": "8542", "periods": "2023"})
    assert connector.endpoint() == "get"
    key = connector.api_key()
    assert key is not None
    assert key.get_secret_value() == "env-key"
    assert connector.row_cap() == 100_000


def test_get_without_a_key_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COMTRADE_API_KEY", raising=False)
    monkeypatch.delenv("DUALUSE_COMTRADE_API_KEY", raising=False)
    connector = ComtradeConnector.from_settings({"endpoint": "get", "hs_codes": "8542", "periods": "2023"})
    with pytest.raises(ConfigError, match="endpoint 'get' needs a key: set COMTRADE_API_KEY"):
        connector.plan()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"hs_codes": "TOTAL", "periods": "2023"}, "hs_codes: Value error, 'TOTAL' (all commodities)"),
        ({"hs_codes": "8542", "periods": "2023", "daily_budget": 0}, "daily_budget: Input should be greater than"),
        ({"hs_codes": "8542", "periods": "2023", "max_periods": 13}, "max_periods: Input should be less than"),
        ({"hs_codes": "8542", "periods": "2023", "base_url": "ftp://x"}, "expected an http:// or https:// URL"),
        ({"periods": "2023"}, "hs_codes: Field required"),
    ],
)
def test_bad_settings_are_config_errors(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        ComtradeConnector.from_settings(settings)
    assert message in str(caught.value)


def test_store_query_resolves_the_endpoint_and_leaves_the_key_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COMTRADE_API_KEY", raising=False)
    monkeypatch.delenv("DUALUSE_COMTRADE_API_KEY", raising=False)
    settings = {"reporters": "KZ", "hs_codes": "8542", "periods": "2023"}
    keyless = ComtradeConnector.from_settings(settings).query()
    keyed = ComtradeConnector.from_settings({**settings, "api_key": "k3y"}).query()
    assert (keyless["endpoint"], keyless["row_cap"]) == ("preview", 500)
    assert (keyed["endpoint"], keyed["row_cap"]) == ("get", 100_000)
    assert "api_key" not in keyed
    assert "k3y" not in json.dumps(keyed)

"""A small stub of Amazon Connect's own API (not the Participant Service) on loopback, for
``connect-participant flows pull``: ListContactFlows, ListContactFlowModules,
DescribeContactFlow and DescribeContactFlowModule, in Connect's REST-JSON wire format
(paths, query parameters, ``x-amzn-ErrorType`` errors) as botocore's service model has them.

botocore talks to it for real, over TCP, signing with dummy credentials (the stub refuses a
request without a SigV4 Authorization header). Pages are small (``page_size``) so that every
pull crosses pages. ``throttle`` answers the next N Describe calls with ThrottlingException.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from _scripted_server import Recorded, ScriptedServer
from aiohttp import web

REGION = "us-east-1"
ACCOUNT = "123456789012"


@dataclass
class StubFlow:
    id: str
    name: str
    content: str  # the Flow-language document, as Connect stores it: a string
    type: str | None = "CONTACT_FLOW"  # None: a module
    state: str = "ACTIVE"
    status: str = "PUBLISHED"
    description: str = ""
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class StubInstance:
    id: str
    flows: list[StubFlow] = field(default_factory=list)

    def arn(self, flow: StubFlow) -> str:
        kind = "flow-module" if flow.type is None else "contact-flow"
        return f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/{self.id}/{kind}/{flow.id}"


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"Message": message}, status=status, headers={"x-amzn-ErrorType": code})


class ConnectStub(ScriptedServer):
    def __init__(self, *instances: StubInstance, page_size: int = 2) -> None:
        super().__init__()
        self.instances = {i.id: i for i in instances}
        self.page_size = page_size
        self.throttle = 0

    def operations(self) -> list[str]:
        return [r.raw_path.split("?")[0].split("/")[1] for r in self.requests]

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_get("/contact-flows-summary/{instance}", self._list_flows)
        app.router.add_get("/contact-flow-modules-summary/{instance}", self._list_modules)
        app.router.add_get("/contact-flows/{instance}/{flow}", self._describe_flow)
        app.router.add_get("/contact-flow-modules/{instance}/{flow}", self._describe_module)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    # -- the API ---------------------------------------------------------------------------

    def _admit(self, request: web.Request) -> StubInstance | web.Response:
        self.requests.append(Recorded(request.method, request.raw_path, dict(request.headers), b""))
        if not request.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 Credential="):
            return _error(403, "AccessDeniedException", "the request is not signed")
        instance = self.instances.get(request.match_info["instance"])
        if instance is None:
            return _error(404, "ResourceNotFoundException", "Instance not found")
        return instance

    def _page(self, request: web.Request, entries: list[dict[str, Any]], key: str) -> web.Response:
        try:
            start = int(request.query.get("nextToken", "page-0").removeprefix("page-"))
            size = min(int(request.query.get("maxResults", "100")), self.page_size)
        except ValueError:
            return _error(400, "InvalidParameterException", "bad nextToken or maxResults")
        page: dict[str, Any] = {key: entries[start : start + size]}
        if start + size < len(entries):
            page["NextToken"] = f"page-{start + size}"
        return web.json_response(page)

    async def _list_flows(self, request: web.Request) -> web.Response:
        instance = self._admit(request)
        if isinstance(instance, web.Response):
            return instance
        types = set(request.query.getall("contactFlowTypes", []))
        summaries = [
            {
                "Id": f.id,
                "Arn": instance.arn(f),
                "Name": f.name,
                "ContactFlowType": f.type,
                "ContactFlowState": f.state,
                "ContactFlowStatus": f.status,
            }
            for f in instance.flows
            if f.type is not None and (not types or f.type in types)
        ]
        return self._page(request, summaries, "ContactFlowSummaryList")

    async def _list_modules(self, request: web.Request) -> web.Response:
        instance = self._admit(request)
        if isinstance(instance, web.Response):
            return instance
        state = request.query.get("state")
        summaries = [
            {"Id": f.id, "Arn": instance.arn(f), "Name": f.name, "State": f.state}
            for f in instance.flows
            if f.type is None and (state is None or f.state == state)
        ]
        return self._page(request, summaries, "ContactFlowModulesSummaryList")

    def _find(self, instance: StubInstance, flow_id: str, module: bool) -> StubFlow | None:
        for flow in instance.flows:
            if flow.id == flow_id and (flow.type is None) == module:
                return flow
        return None

    async def _describe(self, request: web.Request, module: bool) -> web.Response:
        instance = self._admit(request)
        if isinstance(instance, web.Response):
            return instance
        if self.throttle > 0:
            self.throttle -= 1
            return _error(429, "ThrottlingException", "Rate exceeded")
        flow = self._find(instance, request.match_info["flow"], module)
        if flow is None:
            return _error(404, "ResourceNotFoundException", "Flow not found")
        described: dict[str, Any] = {
            "Arn": instance.arn(flow),
            "Id": flow.id,
            "Name": flow.name,
            "Description": flow.description,
            "Content": flow.content,
            "State": flow.state,
            "Status": flow.status,
            "Tags": flow.tags,
            "LastModifiedTime": 1765000000.5,
        }
        if module:
            return web.json_response({"ContactFlowModule": described})
        if flow.status != "PUBLISHED":
            return _error(400, "ContactFlowNotPublishedException", "The flow has not been published")
        return web.json_response({"ContactFlow": {**described, "Type": flow.type}})

    async def _describe_flow(self, request: web.Request) -> web.Response:
        return await self._describe(request, module=False)

    async def _describe_module(self, request: web.Request) -> web.Response:
        return await self._describe(request, module=True)


def content_of(document: dict[str, Any]) -> str:
    """A flow document as Connect returns it in ``Content``: compact JSON text."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)

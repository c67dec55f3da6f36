"""Amazon Connect contact flows (Flow language 2019-10-30), run offline by the emulator.

``ContactFlows`` loads exported flows and holds the plug-ins their runs reach (Lambda
functions, Lex bots, queues and agents, hours of operation, views, the clock); give it to
the emulator: ``LocalParticipantService(flows=ContactFlows("tests/flows"))``. A chat started
with a loaded flow's id, ARN or name as ``ContactFlowId`` runs that flow as Connect does;
``svc.flow_trace(contact_id)`` lists the actions it ran.

``FlowRun`` is the interpreter itself, pure (no I/O, times given by the caller): usable
without the emulator to step a flow in a unit test.
"""

from ._flows._document import (
    FLOW_VERSION,
    NO_OP_TYPES,
    SUPPORTED_TYPES,
    Flow,
    FlowError,
    FlowProblem,
    parse_flow,
)
from ._flows._interpreter import (
    CallFailed,
    CallResult,
    CheckHours,
    ContactState,
    CustomerMessage,
    Disconnect,
    FlowEnded,
    FlowRun,
    FlowStep,
    InvokeLambda,
    LexTurn,
    ParticipantLeft,
    QueueContact,
    Ref,
    SendMessage,
    ShowView,
    StartAuthentication,
)
from ._flows._library import ContactFlows
from ._flows._plugins import Agent, AgentSession, FlowClock, Intent, ScriptedBot

__all__ = [
    "FLOW_VERSION",
    "NO_OP_TYPES",
    "SUPPORTED_TYPES",
    "Agent",
    "AgentSession",
    "CallFailed",
    "CallResult",
    "CheckHours",
    "ContactFlows",
    "ContactState",
    "CustomerMessage",
    "Disconnect",
    "Flow",
    "FlowClock",
    "FlowEnded",
    "FlowError",
    "FlowProblem",
    "FlowRun",
    "FlowStep",
    "Intent",
    "InvokeLambda",
    "LexTurn",
    "ParticipantLeft",
    "QueueContact",
    "Ref",
    "ScriptedBot",
    "SendMessage",
    "ShowView",
    "StartAuthentication",
    "parse_flow",
]

"""Messages: one kind for every element that sends or waits for one, as designers draw them.

SpiffWorkflow's Camunda parser gives catch and throw events one message class and receive tasks
another (which the Camunda serializer cannot store), and its throw needs a `camunda:expression`
or fails. Here every message event and receive task gets this class, so any of them can catch what
any other throws, and what arrives from outside (engine.Instance.deliver_message) the same way:

* what a message carries is kept in the process's data under the message's variable
  (parsing.message_variable: its name, as a plain name), never merged over other data;
* a message thrown inside the process carries the value of its `camunda:expression` when it has
  one, else a copy of the thrower's data; nothing waiting for it is not an error.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from SpiffWorkflow.bpmn.serializer.default.event_definition import MessageEventDefinitionConverter
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.util import BpmnEvent

TYPENAME = "PatenMessageEventDefinition"


def message_variable(name: str) -> str:
    """The data name a message's content is kept under: its name when that is a plain name, else
    the name in lower case with every other character an underscore ("Rekomendasi desa" ->
    "rekomendasi_desa"); lint makes sure a service's messages have plain names."""
    if name.isidentifier() and name.isascii():
        return name
    cleaned = "".join(c if c.isascii() and c.isalnum() else "_" for c in name.strip().lower()).strip("_")
    return cleaned if cleaned and not cleaned[0].isdigit() else f"pesan_{cleaned}"


class Message(MessageEventDefinition):
    """A message event definition: caught into the message's variable, thrown with its expression's value."""

    def __init__(self, name: str, correlation_properties: Any = None, expression: str | None = None, **kwargs: Any):
        super().__init__(name, correlation_properties, **kwargs)
        self.expression = expression

    def throw(self, my_task: Any) -> None:
        if self.expression:
            payload = my_task.workflow.script_engine.evaluate(my_task, self.expression)
        else:
            payload = deepcopy(my_task.data)
        correlations = self.get_correlations(my_task, payload if isinstance(payload, dict) else {})
        my_task.workflow.correlations.update(correlations)
        my_task.workflow.top_workflow.catch(BpmnEvent(self, payload=payload, correlations=correlations))

    def update_internal_data(self, my_task: Any, event: Any) -> None:
        my_task.internal_data[self.name] = event.payload

    def update_task_data(self, my_task: Any) -> None:
        if self.name in my_task.internal_data:
            my_task.data[message_variable(self.name)] = my_task.internal_data[self.name]


class MessageConverter(MessageEventDefinitionConverter):
    """Stores a Message with its expression."""

    def to_dict(self, event_definition: Any) -> dict[str, Any]:
        dct: dict[str, Any] = super().to_dict(event_definition)
        dct["expression"] = event_definition.expression
        return dct


class MessagesParsed:
    """Parser mixin: every message event definition (and receive task) read as a Message."""

    def parse_message_event(self, message_event: Any) -> Message:
        parser: Any = self
        message_ref = message_event.get("messageRef")
        if message_ref:
            found = [m for m in parser.doc_xpath(".//bpmn:message") if m.get("id") == message_ref]
            name = (found[0].get("name") if found else None) or message_ref
            correlations = parser.get_message_correlations(message_ref)
        else:
            name = message_event.getparent().get("name") or message_event.getparent().get("id")
            correlations = []
        expression = parser.attribute("expression", "camunda", message_event)
        return Message(str(name), correlations, expression or None)

"""A transition of `imagejobs.models.transitions`, as one conditional UpdateItem of the job.

The condition is the transition's: the job exists, is in one of its source states, and carries
(or lacks) a cancel request as the transition requires. The update sets the target state, keeps
the sparse `open-jobs` index in step (`open_status` is the state while the job is open, and is
removed when it ends), writes each field as the transition declares, and records the webhook
event's delivery unless the job already has one (the outbox).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from imagejobs.models.storage import delivery_attribute, delivery_to_dynamodb, field_attributes
from imagejobs.models.transitions import JobChange, Write

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import UpdateTypeDef

_TRUE = {"BOOL": True}


@dataclass
class _Expression:
    """An UpdateExpression and ConditionExpression with their placeholders."""

    sets: list[str] = field(default_factory=list)
    adds: list[str] = field(default_factory=list)
    removes: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=lambda: ["attribute_exists(job_id)"])
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    def name(self, attribute: str) -> str:
        self.names[f"#{attribute}"] = attribute
        return f"#{attribute}"

    def value(self, placeholder: str, value: Any) -> str:
        self.values[f":{placeholder}"] = value
        return f":{placeholder}"

    def update(self) -> str:
        clauses = [
            f"{keyword} {', '.join(parts)}"
            for keyword, parts in (("SET", self.sets), ("ADD", self.adds), ("REMOVE", self.removes))
            if parts
        ]
        return " ".join(clauses)


def job_update(table: str, change: JobChange) -> UpdateTypeDef:
    """The UpdateItem parameters (without ReturnValues) that make `change`, conditionally."""
    transition = change.transition
    expression = _Expression()
    status = expression.name("status")
    sources = [
        expression.value(f"from_{source.value}", {"S": source.value})
        for source in sorted(transition.sources)
    ]
    expression.conditions.append(f"{status} IN ({', '.join(sources)})")
    if transition.cancel_requested is True:
        flag = expression.name("cancel_requested")
        expression.conditions.append(f"{flag} = {expression.value('flag', _TRUE)}")
    elif transition.cancel_requested is False:
        expression.conditions.append("attribute_not_exists(cancel_requested)")
    if transition.target is not None:
        target = expression.value("target", {"S": transition.target.value})
        expression.sets.append(f"{status} = {target}")
        if transition.target.is_terminal:
            expression.removes.append("open_status")
        else:
            expression.sets.append(f"open_status = {target}")
    for name, how in transition.writes.items():
        if how is Write.ADD and not change.values.get(name):
            continue  # nothing to add
        _write(expression, name, how, change)
    if change.delivery is not None:
        delivery = expression.name(delivery_attribute(change.delivery.event))
        entry = expression.value("delivery", delivery_to_dynamodb(change.delivery))
        expression.sets.append(f"{delivery} = if_not_exists({delivery}, {entry})")
    return {
        "TableName": table,
        "Key": {"job_id": {"S": change.job_id}},
        "UpdateExpression": expression.update(),
        "ConditionExpression": " AND ".join(expression.conditions),
        "ExpressionAttributeNames": expression.names,
        "ExpressionAttributeValues": expression.values,
    }


def _write(expression: _Expression, name: str, how: Write, change: JobChange) -> None:
    if how is Write.INCREMENT:
        expression.adds.append(f"{expression.name(name)} {expression.value('one', {'N': '1'})}")
        return
    if how is Write.ADD:
        [(attribute, typed)] = field_attributes(name, change.values[name]).items()
        expression.adds.append(f"{expression.name(attribute)} {expression.value(attribute, typed)}")
        return
    value = {
        Write.NOW: change.now,
        Write.NOW_ONCE: change.now,
        Write.FLAG: True,
    }.get(how, change.values.get(name))
    for attribute, typed in field_attributes(name, value).items():
        placeholder = expression.name(attribute)
        given = expression.value(attribute, typed)
        if how is Write.NOW_ONCE:
            expression.sets.append(f"{placeholder} = if_not_exists({placeholder}, {given})")
        else:
            expression.sets.append(f"{placeholder} = {given}")

"""Stack updates and deletes whose template joins a list parameter, as CloudFormation does them.

LocalStack 2026.3.0's CloudFormation engine (`engine/v2/change_set_model_preproc.py`,
`ChangeSetModelPreproc.visit_node_parameter`) turns a parameter's new value into its type (a
`CommaDelimitedList` or `List<...>` into a list, a `Number` into a number) but leaves the value
the stack was deployed with a string. Every change set computes both sides, so an update or a
delete of a stack that uses `!Join [",", !Ref SomeList]` fails with a 500 ("Invalid arguments
list definition for Fn::Join") before anything changes, and a `Number` looks changed on every
update. template.yaml keeps `Models` a String (split where it needs a list) so that it deploys
on a stock LocalStack in Docker too; this hook still spares every `make up` the resources a
`Number` parameter would mark changed, and any other template its list parameters' failure.

This hook types the deployed value the same way.
"""

from __future__ import annotations

import re
from typing import Any

from localstack.runtime import hooks

_LIST = re.compile(r"List<[^>]+>")


def typed(value: Any, type_: Any) -> Any:
    """A parameter's value as its type makes it, as LocalStack types the new value."""
    if not isinstance(value, str) or not isinstance(type_, str):
        return value
    if type_ == "CommaDelimitedList" or _LIST.fullmatch(type_):
        return [item.strip() for item in value.split(",")]
    if type_ == "Number":
        from localstack.utils.numbers import to_number

        return to_number(value)
    return value


@hooks.on_infra_start()
def type_deployed_parameter_values() -> None:
    from localstack.services.cloudformation.engine.v2 import change_set_model_preproc as preproc

    visit = preproc.ChangeSetModelPreproc.visit_node_parameter

    def visit_node_parameter(self: Any, node_parameter: Any) -> Any:
        delta = visit(self, node_parameter)
        if preproc.is_nothing(delta.before):
            return delta
        type_before = self.visit(node_parameter.type_).before
        return preproc.PreprocEntityDelta(
            before=typed(delta.before, type_before), after=delta.after
        )

    preproc.ChangeSetModelPreproc.visit_node_parameter = visit_node_parameter  # type: ignore[method-assign]

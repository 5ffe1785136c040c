"""Every variable-reading field of LANGUAGE.md §5.1 is collected, with the right kind."""

from __future__ import annotations

from scope_kit import model_of

from ojlang.parser import interpolation as ip
from ojlang.parser.expressions import Expr, free_names
from ojlang.parser.patterns import EventPattern
from ojlang.validator.scoped_fields import Field, collect
from ojlang.validator.scopes import ScopeModel

# One marker variable per field: `{sN}` in shell templates, `{tN}` in text templates,
# `eN` in expressions, `{pN}` in patterns.
EVERYTHING = """
[command.c]
run = "echo {s1}"

[worker.w]
queue = "q"
handler = "p"
wake_on = ["build:{p1}"]

[cron.c]
interval = "1m"
run = "echo {s2}"

[queue.q]
source = "echo {s3}"
filter = "e1 == 1"
dead = { on_add = "echo {s4}" }

[pipeline.p]
defaults = { a = "{t1}", n = 3 }
group = "{t2}"
notify = { on_start = "{t3}", on_done = "{t4}", on_fail = "{t5}", on_escalate = "{t6}" }
phase = [
  { name = "x", run = "echo {s5}", cwd = "{t7}", task = "t", pre = ["g"], strategy = "s" },
]

[task.t]
command = "agent {s6}"
checkpoint = "echo {s7}"
prime = ["echo {s8}", "echo {s9}"]
env = { K = "{t8}" }
vars = [{ name = "v", source = "echo {s10}" }]
cwd = "{t9}"
nudge_message = "{t10}"
prompt = "{{ j1 }}"

[guard.g]
condition = { type = "file_exists", path = "{t11}" }
on_timeout = "echo {s11}"
wake_on = ["build:{p2}"]

[strategy.s]
checkpoint = "echo {s12}"
attempt = [{ name = "a", run = "echo {s13}", rollback = "echo {s14}" }]

[watcher.w]
source = { type = "events", pattern = "build:{p3}" }
condition = "echo {s15}"
check_interval = "1m"
wake_on = ["build:{p4}"]
response = [{ action = "act", args = { m = "{t12}", n = 1 } }]

[watcher.cmd]
source = { type = "command", command = "echo {s16}" }
check_interval = "1m"

[scanner.sc]
source = "echo {s17}"
condition = "echo {s18}"
cleanup = { type = "archive", destination = "{t13}" }
interval = "1h"

[action.act]
cooldown = "1m"
command = "echo {s19}"
args = { m = "{t14}", n = 2 }

[action.rules]
cooldown = "1m"
rules = [{ if = "e2 > 1", then = "escalate" }]

[events]
on_complete = "echo {s20}"
"build:{p5}" = "echo {s21}"

[notify]
webhook = "https://x/{t15}"
on = ["build:{p6}"]
ignore = ["build:{p7}"]
rule = [{ on = "build:{p8}", title = "{t16}", message = "{t17}" }]

[functions]
f = "echo {s22}"
g = { params = ["x"], run = "echo {s23}" }
"""


def roots(field: Field) -> set[str]:
    value = field.value
    if isinstance(value, ip.Template):
        return {i.path.root.text for i in value.interps}
    if isinstance(value, EventPattern):
        return {p.root for p in value.placeholders}
    if field.kind == "expression":
        expr: Expr = value  # type: ignore[assignment]
        return {p.root for p in free_names(expr)}
    return {"j1"}  # the task of a Jinja field


def test_every_field_of_section_5_1_is_collected() -> None:
    model = model_of(r=EVERYTHING)
    fields = collect(ScopeModel(model), model.runbooks["r"])
    seen: dict[str, str] = {}
    for field in fields:
        for root in roots(field):
            seen[root] = field.kind
    expected = {f"s{n}": "template" for n in range(1, 24)}
    expected |= {f"t{n}": "template" for n in range(1, 18)}
    expected |= {f"p{n}": "pattern" for n in range(1, 9)}
    expected |= {"e1": "expression", "e2": "expression", "j1": "jinja"}
    assert seen == expected


def test_shell_templates_are_marked_as_shell() -> None:
    model = model_of(r=EVERYTHING)
    fields = collect(ScopeModel(model), model.runbooks["r"])
    shell = {r for f in fields if f.shell for r in roots(f)}
    assert shell == {f"s{n}" for n in range(1, 24)}

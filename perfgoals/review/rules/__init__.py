"""The quality review (自动审核): every check a finance-bureau reviewer would make.

This is the one module of rules; no rule is written anywhere else. Pages, the submit
step, the importer and the JSON export read a document's review through
`perfgoals.review.outcome.review_document`, which runs `review_table` / `review_plan`
and adds the hints the clerk kept. A check the editor's forms make too (the budget sum,
the spending plan, a value's missing part) is a pure function in perfgoals.goals.checks
that the rule reports. The registry (Problem, rule, the crash-safe runner) is in
registry.py; the rules themselves are grouped by what they look at:

- completeness.py  完整性: header fields, goals, every level-1 / level-2 category, values filled
- value_rules.py   indicator values: units, percentages, growth rates, counts, direction
- text.py          wording: descriptions, repeats, short texts, typos
- fit.py           an indicator under the level-2 category its words belong to (a rate
                   under 数量指标, a benefit under 成本)
- money.py         totals, the spending plan, cost indicators (and the 101号 cost block),
                   amounts in the prose, the department's income and expense
- plans.py         department plans
- weights.py       权重 add up to 100 where the framework has a 权重 column

Each rule is on or off per framework (registry.py: `default_on`, review.models.RuleSwitch).
"""

from perfgoals.review.rules.registry import (  # noqa: F401
    APPROPRIATENESS, COMPLETENESS, ERROR, FEASIBILITY, FIELD, GOAL, HINT, INDICATOR, PLAN_ITEM, RELEVANCE,
    RULES, SEVERITY_LABELS, TABLE, Problem, Rule, review_plan, review_table, rule,
)

# Importing the modules registers their rules, in this order on the explain page.
from perfgoals.review.rules import completeness, money, value_rules, text, fit, plans, weights  # noqa: E402, F401, I001

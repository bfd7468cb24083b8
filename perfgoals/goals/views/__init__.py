"""Pages where clerks write goal tables and department plans, one module per area.

- home: 我的绩效目标 and the template library
- tables: new tables, copies, the editor page, its header and goals
- copies: a copy into another framework, with the preview of where each indicator goes
- indicators: the editor's indicator rows, suggestions, the value preview
- plans: department plans (new, copy, the plan editor)
- previews: read-only previews in the printed layout
- editor (the table editor's context) and common (what all of them share)

Every page works as plain form posts; with htmx the same views answer with the part of
the page that changed (`edit.html#row`, `#grid`, …). Every document is found through
`perfgoals.goals.access.get_document_for_user`: another unit's table is not found (404), a
table that may not be changed now (submitted, approved, a template, a role without 填报)
is refused (403). An edit looks its document up and writes inside one transaction
(`common.editing`), so the row stays locked until the write commits.
"""

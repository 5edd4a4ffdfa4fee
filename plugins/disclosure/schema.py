"""JSON Schema of a published disclosure's payload (merged into /api/v1/openapi.json as Payload.disclosure.disclosure).

The payload is the public record: everything the public page, the downloads and the JSON API
show comes from it. Money is integer fen (1 yuan = 100 fen).
"""

MONTH = {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$", "example": "2026-10"}
PERIOD = {"type": ["string", "null"], "pattern": r"^\d{4}-((0[1-9]|1[0-2])|Q[1-4])$",
          "description": "A month (2026-10) or a quarter (2026-Q4) for a regular disclosure; null otherwise."}
DATE = {"type": "string", "format": "date"}
TIMESTAMP = {"type": "string", "format": "date-time", "description": "UTC, ISO 8601."}

STATEMENT_LINE = {
    "type": "object",
    "description": "One line of the month's cash book.",
    "required": ["date", "voucher", "account_code", "account", "direction", "summary", "amount_fen"],
    "properties": {
        "date": DATE,
        "voucher": {"type": "string", "description": "Voucher number (凭证号), unique within the statement."},
        "account_code": {"type": "string", "description": "Account code in the 2023 chart."},
        "account": {"type": "string", "description": "Account name in the 2023 chart (e.g. 管理费用)."},
        "direction": {"type": "string", "enum": ["income", "expense"]},
        "summary": {"type": "string", "description": "Summary (摘要)."},
        "amount_fen": {"type": "integer", "minimum": 1},
    },
}

STATEMENT = {
    "type": ["object", "null"],
    "description": "The monthly finance statement (财务收支明细), for finance disclosures.",
    "required": ["month", "chart", "opening_fen", "income_fen", "expense_fen", "closing_fen", "lines"],
    "properties": {
        "month": MONTH,
        "chart": {"type": "string", "description": "Chart of accounts of 农村集体经济组织会计制度: 2023."},
        "opening_fen": {"type": "integer"},
        "income_fen": {"type": "integer", "minimum": 0},
        "expense_fen": {"type": "integer", "minimum": 0},
        "closing_fen": {"type": "integer", "description": "opening + income − expense."},
        "lines": {"type": "array", "items": STATEMENT_LINE},
    },
}

PAYLOAD_SCHEMA = {
    "type": "object",
    "description": "A village-affairs disclosure (村务公开), reviewed by the supervision committee.",
    "required": ["category", "disclosure_kind", "period", "body", "attachments", "statement", "review"],
    "properties": {
        "category": {"type": "string", "enum": ["party", "village", "finance", "government"],
                     "description": "党务 / 村务 / 财务 / 政务."},
        "disclosure_kind": {"type": "string", "enum": ["regular", "immediate", "on_request"],
                            "description": "Regular (for a period), immediate (即时公开), on request (点题公开)."},
        "period": PERIOD,
        "body": {"type": "string", "description": "Markdown."},
        "attachments": {"type": "array", "items": {
            "type": "object", "required": ["key", "name", "mime", "size"],
            "description": "A published file, at /files/<key>/<name>.",
            "properties": {"key": {"type": "string"}, "name": {"type": "string"}, "mime": {"type": "string"},
                           "size": {"type": "integer", "minimum": 0}}}},
        "statement": STATEMENT,
        "review": {"type": "object", "properties": {
            "countersigned_at": TIMESTAMP, "approved_at": TIMESTAMP,
            "reviewed_by": {"type": "string", "description": "村务监督委员会."}}},
        "due": {"type": ["string", "null"], "format": "date",
                "description": "The date the disclosure was due, for regular disclosures."},
    },
}

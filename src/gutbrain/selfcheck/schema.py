"""JSON Schema of a question bank (assets/questions/<lesson>.yaml)."""

_FEEDBACK = {"type": "string", "minLength": 1}
_TAG = {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"}

_OPTION = {
    "type": "object",
    "required": ["id", "text", "feedback"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": "^[a-z0-9_-]+$"},
        "text": {"type": "string", "minLength": 1},
        "correct": {"type": "boolean"},
        "feedback": _FEEDBACK,
        "misconception": _TAG,
    },
}

_WRONG_NUMBER = {
    "type": "object",
    "required": ["value", "feedback", "misconception"],
    "additionalProperties": False,
    "properties": {
        "value": {"type": "number"},
        "tolerance": {"type": "number", "minimum": 0},
        "feedback": _FEEDBACK,
        "misconception": _TAG,
    },
}

_WRONG_TEXT = {
    "type": "object",
    "required": ["text", "feedback", "misconception"],
    "additionalProperties": False,
    "properties": {"text": {"type": "string"}, "feedback": _FEEDBACK, "misconception": _TAG},
}

_COMMON = {
    "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"},
    "type": {"enum": ["single_choice", "multiple_choice", "numeric", "short_text"]},
    "prompt": {"type": "string", "minLength": 1},
    "hint": {"type": "string", "minLength": 1},
    "explanation": {"type": "string", "minLength": 1},
    "references": {"type": "array", "items": {"type": "string"}},
    "section": {"type": "string"},
    # Optional, for the review notebook: ``review: false`` keeps a question that needs its
    # lesson's demo out of review; ``demo`` says what to reopen (Markdown, may hold a link),
    # shown with the card in review.
    "review": {"type": "boolean"},
    "demo": {"type": "string", "minLength": 1},
}

QUESTION_SCHEMA = {
    "type": "object",
    "required": ["id", "type", "prompt", "hint", "explanation"],
    "properties": _COMMON,
    "allOf": [
        {
            "if": {"properties": {"type": {"enum": ["single_choice", "multiple_choice"]}}},
            "then": {
                "required": ["options"],
                "properties": {
                    **_COMMON,
                    "options": {"type": "array", "minItems": 2, "items": _OPTION},
                },
                "additionalProperties": False,
            },
        },
        {
            "if": {"properties": {"type": {"const": "numeric"}}},
            "then": {
                "required": ["answer", "tolerance", "unit"],
                "properties": {
                    **_COMMON,
                    "answer": {"type": "number"},
                    "tolerance": {"type": "number", "exclusiveMinimum": 0},
                    "unit": {"type": "string"},
                    "correct_feedback": _FEEDBACK,
                    "wrong_answers": {"type": "array", "items": _WRONG_NUMBER},
                    "default_misconception": _TAG,
                },
                "additionalProperties": False,
            },
        },
        {
            "if": {"properties": {"type": {"const": "short_text"}}},
            "then": {
                "required": ["accepted"],
                "properties": {
                    **_COMMON,
                    "accepted": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
                    "correct_feedback": _FEEDBACK,
                    "wrong_answers": {"type": "array", "items": _WRONG_TEXT},
                    "default_misconception": _TAG,
                },
                "additionalProperties": False,
            },
        },
    ],
}

BANK_SCHEMA = {
    "type": "object",
    "required": ["lesson", "questions"],
    "additionalProperties": False,
    "properties": {
        "lesson": {"type": "string"},
        "questions": {"type": "array", "minItems": 1, "items": {"type": "object"}},
    },
}

"""A self-contained HTML page rendered from the OpenAPI document: no scripts, no CDN."""

from __future__ import annotations

from html import escape

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}
h2{border-bottom:1px solid #ccc;margin-top:2rem}
details{margin:.5rem 0;border:1px solid #ddd;border-radius:4px;padding:.4rem .8rem}
summary{cursor:pointer}
code,pre{background:#f5f5f5;padding:.1rem .3rem}
.m{display:inline-block;min-width:4rem;font-weight:bold}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left}
"""


def render(spec: dict) -> str:
    info = spec.get("info", {})
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{escape(info.get('title', 'API'))}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(info.get('title', 'API'))} {escape(str(info.get('version', '')))}</h1>",
        f"<p>{escape(info.get('description', ''))}</p>",
        "<p>Machine-readable: <a href='openapi.json'>openapi.json</a>. "
        "Authenticate with <code>Authorization: Bearer &lt;token&gt;</code>.</p>",
        "<h2>Operations</h2>",
    ]
    for path, operations in spec.get("paths", {}).items():
        for method, op in operations.items():
            if method == "parameters":
                continue
            parts.append(_operation(path, method, op))
    parts.append("<h2>Schemas</h2>")
    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        parts.append(f"<details><summary>{escape(name)}</summary>{_properties(schema)}</details>")
    parts.append("</body></html>")
    return "".join(parts)


def _operation(path: str, method: str, op: dict) -> str:
    head = (
        f"<span class='m'>{escape(method.upper())}</span> <code>{escape(path)}</code> "
        f"{escape(op.get('summary', ''))}"
    )
    rows = [f"<p>{escape(op.get('description', ''))}</p>"]
    params = op.get("parameters", [])
    if params:
        rows.append("<table><tr><th>parameter</th><th>in</th><th>type</th><th>required</th></tr>")
        for p in params:
            rows.append(
                f"<tr><td>{escape(p.get('name', ''))}</td><td>{escape(p.get('in', ''))}</td>"
                f"<td>{escape(_type(p.get('schema', {})))}</td>"
                f"<td>{'yes' if p.get('required') else 'no'}</td></tr>"
            )
        rows.append("</table>")
    body = op.get("requestBody", {}).get("content", {})
    for content_type, media in body.items():
        rows.append(
            f"<p>Body <code>{escape(content_type)}</code>: {escape(_type(media.get('schema', {})))}"
            "</p>"
        )
    rows.append("<table><tr><th>status</th><th>answer</th></tr>")
    for code, response in op.get("responses", {}).items():
        label = response.get("$ref", "").rsplit("/", 1)[-1] or response.get("description", "")
        rows.append(f"<tr><td>{escape(str(code))}</td><td>{escape(label)}</td></tr>")
    rows.append("</table>")
    return f"<details><summary>{head}</summary>{''.join(rows)}</details>"


def _properties(schema: dict) -> str:
    required = set(schema.get("required", []))
    rows = ["<table><tr><th>field</th><th>type</th><th>required</th></tr>"]
    for name, prop in schema.get("properties", {}).items():
        rows.append(
            f"<tr><td>{escape(name)}</td><td>{escape(_type(prop))}</td>"
            f"<td>{'yes' if name in required else 'no'}</td></tr>"
        )
    rows.append("</table>")
    return "".join(rows)


def _type(schema: dict) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    kind = schema.get("type", "any")
    if kind == "array":
        kind = f"array of {_type(schema.get('items', {}))}"
    if "format" in schema:
        kind += f" ({schema['format']})"
    if "enum" in schema:
        kind += " one of " + ", ".join(str(v) for v in schema["enum"])
    if schema.get("nullable"):
        kind += " or null"
    return kind

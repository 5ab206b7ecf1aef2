"""Check HTTP exchanges against the official OpenAPI files in ``docs/spec/openapi/``.

One :class:`SpecChecker` per standard. It finds the operation of a request by its path (the part after
the standard's API root, e.g. ``/zaken/api/v1``) and method, then reports :class:`Violation` s:

- requests (what a client sends): unknown operation, unknown or missing query parameters, header
  parameters (``Accept-Crs``, ``Content-Crs``, ``Content-Type``), path parameters and the body,
  validated with the spec's *write* rules (``readOnly`` fields may be left out);
- responses (what a server answers): undocumented status code or media type, 405 on an offered
  operation, documented headers and the body, validated with the *read* rules (every ``required``
  field, ``readOnly`` included).

Bodies and parameters are validated with ``openapi-schema-validator`` (OpenAPI 3.0 with ``nullable``
and ``readOnly``/``writeOnly``, 3.1 as JSON Schema 2020-12); parameter texts are first read as their
schema type (``style: form``/``simple``). Every violation names the field (``results[0].rollen``)
and the absolute schema path in the spec
(``#/components/schemas/Zaak/required``), so drift on either side points at the exact place.

Two 3.0 details are applied as the specs' generators (drf-spectacular) mean them: ``nullable: true``
next to ``allOf``/``oneOf`` admits ``null``, and a ``discriminator`` that sits beside ``properties``
(ZGW ``Rol``, BRP ``AbstractDatum``) selects the subtype schema from its ``mapping``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import yaml
from jsonschema import RefResolver, ValidationError, validators
from jsonschema.exceptions import best_match
from openapi_schema_validator import (
    OAS30ReadValidator,
    OAS30WriteValidator,
    OAS31Validator,
    oas30_format_checker,
    oas31_format_checker,
)

SPEC_DIR = Path(__file__).resolve().parents[2] / "docs/spec/openapi"
_REQUIRED = re.compile(r"^'(?P<name>[^']+)' is a required property$")


@dataclass(frozen=True)
class Standard:
    """A published API standard: its name, spec file and the API root under which it is served."""

    key: str
    title: str
    spec_file: str
    root: str


STANDARDS: tuple[Standard, ...] = (
    Standard("zaken", "Zaken API 1.5.1", "zaken-1.5.1.yaml", "/zaken/api/v1"),
    Standard(
        "klantinteracties",
        "Klantinteracties API 0.9.0",
        "klantinteracties-0.9.0.yaml",
        "/klantinteracties/api/v1",
    ),
    Standard("catalogi", "Catalogi API 1.3.1", "catalogi-1.3.1.yaml", "/catalogi/api/v1"),
    Standard("brp", "BRP API Personen 2.2.0", "brp-personen-2.2.0.yaml", "/haalcentraal/api/brp"),
    Standard(
        "reisdocumenten",
        "BRP API Reisdocumenten 2.0.0",
        "reisdocumenten-2.0.0.yaml",
        "/haalcentraal/api/reisdocumenten",
    ),
)


@dataclass(frozen=True)
class Violation:
    """One place where an exchange does not follow the standard."""

    standard: str
    direction: str  # "request" (client side) or "response" (server side)
    operation: str  # e.g. "GET /zaken/{uuid} -> 200"
    field: str  # e.g. "body: results[0].rollen", "query: status", "header: Accept-Crs"
    schema_path: str  # e.g. "#/components/schemas/Zaak/required"
    message: str

    def __str__(self) -> str:
        return (
            f"[{self.standard} {self.direction}] {self.operation}: {self.field} "
            f"({self.schema_path}): {self.message}"
        )


def _escape(token: Any) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def _pointer(*tokens: Any) -> str:
    return "#/" + "/".join(_escape(t) for t in tokens)


def _resolve(spec: Mapping[str, Any], pointer: str) -> Any:
    node: Any = spec
    for token in pointer.lstrip("#/").split("/"):
        if token:
            token = token.replace("~1", "/").replace("~0", "~")
            node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def _cast(schema: Mapping[str, Any], raw: Any, explode: bool) -> Any:
    """Read a parameter's text as its schema type (style ``form``/``simple``; arrays comma-separated)."""
    kind = schema.get("type")
    if kind == "array":
        values = raw if isinstance(raw, list) else [raw]
        if not explode:
            values = [part for value in values for part in str(value).split(",")]
        return [_cast(schema.get("items", {}), value, explode) for value in values]
    if isinstance(raw, list):
        raw = raw[-1]
    if kind == "integer":
        return int(raw)
    if kind == "number":
        return float(raw)
    if kind == "boolean":
        if raw not in ("true", "false"):
            raise ValueError(f"{raw!r} is not true/false")
        return raw == "true"
    return raw


def _media_type(header: str, documented: Iterable[str]) -> str | None:
    """Return the documented media type key that ``header`` matches, or ``None``.

    Parameters are compared too, except that ``charset=utf-8`` counts as the default of JSON
    (RFC 8259 defines no parameters; Haal Centraal writes ``application/json; charset=utf-8``).
    """

    def norm(value: str) -> tuple[str, frozenset[str]]:
        base, *params = [part.strip().lower() for part in value.split(";")]
        return base, frozenset(
            p.replace(" ", "") for p in params if p and p.replace(" ", "") != "charset=utf-8"
        )

    wanted = norm(header)
    for key in documented:
        if norm(key) == wanted:
            return key
    return None


def _field(tokens: Iterable[Any]) -> str:
    out = ""
    for token in tokens:
        out += f"[{token}]" if isinstance(token, int) else (f".{token}" if out else str(token))
    return out


def _nullable(keyword_validator: Any) -> Any:
    """Let ``null`` pass a schema object that says ``nullable: true`` (3.0 intent for allOf/oneOf)."""

    def check(validator: Any, value: Any, instance: Any, schema: Mapping[str, Any]) -> Iterator[Any]:
        if instance is None and schema.get("nullable") is True:
            return
        yield from keyword_validator(validator, value, instance, schema)

    return check


def _discriminator(
    validator: Any, discriminator: Any, instance: Any, schema: Mapping[str, Any]
) -> Iterator[Any]:
    """Validate the subtype part of a polymorphic object whose discriminator sits beside ``properties``.

    With ``allOf``/``oneOf``/``anyOf`` next to it the validator's own discriminator handling applies.
    The mapped schema is ``allOf: [<this schema>, <subtype part>]``; only the parts that are not this
    schema are checked here (the base is checked by the schema's own keywords).
    """
    if any(k in schema for k in ("allOf", "oneOf", "anyOf")) or not isinstance(instance, dict):
        return
    value = instance.get(discriminator.get("propertyName", ""))
    ref = (discriminator.get("mapping") or {}).get(value) if isinstance(value, str) else None
    if not ref:
        return
    _, mapped = validator.resolver.resolve(ref)
    for index, part in enumerate(mapped.get("allOf", [mapped])):
        resolved = validator.resolver.resolve(part["$ref"])[1] if "$ref" in part else part
        if resolved is schema or resolved == schema:
            continue
        for error in validator.descend(instance, {"$ref": part["$ref"]} if "$ref" in part else part):
            error.schema_path.appendleft(index)
            error.schema_path.appendleft("allOf")
            error.schema_path.appendleft(ref)
            error.schema_path.appendleft("discriminator:mapping")
            yield error


def _extend(base: Any) -> Any:
    keywords = base.VALIDATORS
    changes = {k: _nullable(keywords[k]) for k in ("allOf", "oneOf", "anyOf", "enum") if k in keywords}
    changes["discriminator"] = _discriminator
    return validators.extend(base, changes)


READ_30, WRITE_30, ANY_31 = _extend(OAS30ReadValidator), _extend(OAS30WriteValidator), _extend(OAS31Validator)


def _absolute_schema_path(spec: Mapping[str, Any], start: str, relative: Iterable[Any]) -> str:
    """Turn a jsonschema ``schema_path`` into an absolute JSON pointer into the spec.

    jsonschema leaves ``$ref`` hops out of ``schema_path``; they are followed here whenever the next
    keyword is not in the current schema object itself.
    """
    pointer, node = start, _resolve(spec, start)
    tokens = list(relative)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == "discriminator" and tokens[i + 1 : i + 2] == ["discriminator:mapping"]:
            i += 1
            continue
        if token == "discriminator:mapping":  # inserted by _discriminator: the next token is the ref
            pointer, node = tokens[i + 1], _resolve(spec, tokens[i + 1])
            i += 2
            continue
        while isinstance(node, dict) and "$ref" in node and token not in node:
            pointer, node = node["$ref"], _resolve(spec, node["$ref"])
        try:
            node = node[token]
        except (KeyError, IndexError, TypeError):
            return f"{pointer}/{_escape(token)}"
        pointer = f"{pointer}/{_escape(token)}"
        i += 1
    while isinstance(node, dict) and "$ref" in node and len(node) == 1:
        pointer, node = node["$ref"], _resolve(spec, node["$ref"])
    return pointer


@cache
def load_spec(spec_file: str) -> dict[str, Any]:
    """Load (once) a vendored OpenAPI file."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load((SPEC_DIR / spec_file).read_text(encoding="utf-8"), Loader=loader)


@dataclass(frozen=True)
class Operation:
    """A matched operation: its path template, method and the path parameters' values."""

    template: str
    method: str
    path_params: dict[str, str]

    def label(self, status: int | None = None) -> str:
        text = f"{self.method.upper()} {self.template}"
        return f"{text} -> {status}" if status is not None else text


class SpecChecker:
    """Validates requests and responses of one standard against its OpenAPI file.

    Args:
        standard: The standard (spec file and API root).
    """

    def __init__(self, standard: Standard) -> None:
        self.standard = standard
        self.spec = load_spec(standard.spec_file)
        self.version = str(self.spec.get("openapi", "3.0"))
        self._resolver = RefResolver("", self.spec)
        self._templates = [
            (
                template,
                re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$"),
            )
            for template in self.spec["paths"]
        ]

    # ------------------------------------------------------------------ matching
    def local_path(self, url: httpx.URL | str) -> str | None:
        """Return the path after the standard's API root, or ``None`` when the URL is not under it."""
        path = urlsplit(str(url)).path
        index = path.find(self.standard.root)
        if index < 0:
            return None
        return path[index + len(self.standard.root) :] or "/"

    def covers(self, url: httpx.URL | str) -> bool:
        """Whether ``url`` lies under this standard's API root."""
        return self.local_path(url) is not None

    def find(self, method: str, url: httpx.URL | str) -> Operation | None:
        """Find the operation for ``method`` and ``url`` (literal templates win over variables)."""
        local = self.local_path(url)
        if local is None:
            return None
        matches = []
        for template, pattern in self._templates:
            found = pattern.match(local.rstrip("/") or "/")
            if found and method.lower() in self.spec["paths"][template]:
                matches.append((template.count("{"), template, found.groupdict()))
        if not matches:
            return None
        _, template, params = min(matches)
        return Operation(template, method.lower(), params)

    # ------------------------------------------------------------------ helpers
    def _violation(
        self, direction: str, operation: str, field: str, schema_path: str, message: str
    ) -> Violation:
        return Violation(self.standard.title, direction, operation, field, schema_path, message)

    def _locate(self, pointer: str) -> tuple[str, Any]:
        """Return the pointer and node at ``pointer`` after following ``$ref`` s."""
        node = _resolve(self.spec, pointer)
        while isinstance(node, dict) and "$ref" in node:
            pointer = node["$ref"]
            node = _resolve(self.spec, pointer)
        return pointer, node

    def _deref(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            node = _resolve(self.spec, node["$ref"])
        return node

    def _validator(self, direction: str, pointer: str) -> Any:
        if self.version.startswith("3.1"):
            cls, formats = ANY_31, oas31_format_checker
        else:
            cls, formats = (WRITE_30 if direction == "request" else READ_30), oas30_format_checker
        return cls({"$ref": pointer}, resolver=self._resolver, format_checker=formats)

    def _body_violations(self, direction: str, operation: str, pointer: str, value: Any) -> list[Violation]:
        found: dict[tuple[str, str], Violation] = {}  # one per field and keyword (no echoes)
        for error in self._validator(direction, pointer).iter_errors(value):
            for violation in self._from_error(direction, operation, pointer, error):
                found.setdefault((violation.field, violation.schema_path), violation)
        return list(found.values())

    def _from_error(
        self, direction: str, operation: str, pointer: str, error: ValidationError
    ) -> list[Violation]:
        tokens = list(error.absolute_path)
        message = error.message
        missing = _REQUIRED.match(message) if error.validator == "required" else None
        if missing:
            tokens.append(missing.group("name"))
        elif error.context:
            detail = best_match(error.context)
            where = _field(detail.absolute_path) or "value"
            message = f"{message[:200]} (closest: {where}: {detail.message[:200]})"
        schema_path = _absolute_schema_path(self.spec, pointer, error.schema_path)
        return [
            self._violation(direction, operation, f"body: {_field(tokens) or '(root)'}", schema_path, message)
        ]

    def _parameters(self, op: Operation) -> list[tuple[str, dict[str, Any]]]:
        path_item = self.spec["paths"][op.template]
        params: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
        for base, items in (
            (_pointer("paths", op.template, "parameters"), path_item.get("parameters", [])),
            (
                _pointer("paths", op.template, op.method, "parameters"),
                path_item[op.method].get("parameters", []),
            ),
        ):
            for index, item in enumerate(items):
                pointer = item["$ref"] if "$ref" in item else f"{base}/{index}"
                param = self._deref(item)
                params[(param["in"], param["name"].lower())] = (pointer, param)
        return list(params.values())

    # ------------------------------------------------------------------ requests
    def check_request(self, request: httpx.Request) -> list[Violation]:
        """Return the violations of a request a client sent."""
        op = self.find(request.method, request.url)
        if op is None:
            return [
                self._violation(
                    "request",
                    f"{request.method} {self.local_path(request.url)}",
                    "path",
                    "#/paths",
                    "no such operation in the standard",
                )
            ]
        label = op.label()
        found: list[Violation] = []
        query = parse_qs(request.url.query.decode(), keep_blank_values=True)
        sources = {"query": query, "header": request.headers, "path": op.path_params}
        known_query = set()
        for pointer, param in self._parameters(op):
            where, name = param["in"], param["name"]
            if where == "query":
                known_query.add(name)
            source = sources.get(where)
            if source is None:
                continue
            present = name in source if where != "header" else name.lower() in source
            if not present:
                if param.get("required"):
                    found.append(
                        self._violation(
                            "request",
                            label,
                            f"{where}: {name}",
                            f"{pointer}/required",
                            "required parameter missing",
                        )
                    )
                continue
            raw = source[name]
            found.extend(self._param_violations(label, pointer, param, raw))
        for name in query:
            if name not in known_query:
                found.append(
                    self._violation(
                        "request",
                        label,
                        f"query: {name}",
                        _pointer("paths", op.template, op.method, "parameters"),
                        "not a parameter of this operation",
                    )
                )
        found.extend(self._request_body(op, label, request))
        return found

    def _param_violations(self, label: str, pointer: str, param: dict[str, Any], raw: Any) -> list[Violation]:
        if "schema" not in param:
            return []
        schema_pointer = f"{pointer}/schema"
        where = f"{param['in']}: {param['name']}"
        try:
            value = _cast(self._deref(param["schema"]), raw, param.get("explode", param["in"] == "query"))
        except ValueError as exc:
            return [
                self._violation("request", label, where, schema_pointer, f"cannot be read as its type: {exc}")
            ]
        return [
            self._violation(
                "request",
                label,
                where,
                _absolute_schema_path(self.spec, schema_pointer, error.schema_path),
                error.message,
            )
            for error in self._validator("request", schema_pointer).iter_errors(value)
        ]

    def _request_body(self, op: Operation, label: str, request: httpx.Request) -> list[Violation]:
        content = request.content
        if "requestBody" not in self.spec["paths"][op.template][op.method]:
            if content:
                return [
                    self._violation(
                        "request",
                        label,
                        "body",
                        _pointer("paths", op.template, op.method),
                        "operation takes no request body",
                    )
                ]
            return []
        base, body_spec = self._locate(_pointer("paths", op.template, op.method, "requestBody"))
        if not content:
            if body_spec.get("required"):
                return [self._violation("request", label, "body", f"{base}/required", "request body missing")]
            return []
        header = request.headers.get("content-type", "")
        mimetype = _media_type(header, body_spec.get("content", {}))
        if mimetype is None:
            return [
                self._violation(
                    "request",
                    label,
                    "header: Content-Type",
                    f"{base}/content",
                    f"media type {header!r} not accepted",
                )
            ]
        try:
            value = json.loads(content)
        except ValueError:
            return [self._violation("request", label, "body", f"{base}/content", "body is not JSON")]
        return self._body_violations("request", label, f"{base}/content/{_escape(mimetype)}/schema", value)

    # ------------------------------------------------------------------ responses
    def check_response(self, request: httpx.Request, response: httpx.Response) -> list[Violation]:
        """Return the violations of a response a server gave to ``request``.

        A status code the operation does not document (and no ``default``) is a violation for 2xx; for
        an error status it is reported only when the operation documents error responses at all
        (Klantinteracties 0.9.0 documents none, so its error bodies have no schema to meet).
        """
        op = self.find(request.method, request.url)
        status = response.status_code
        if op is None:
            if status in (404, 405):  # the path or method is not offered; nothing to compare
                return []
            return [
                self._violation(
                    "response",
                    f"{request.method} {self.local_path(request.url)} -> {status}",
                    "path",
                    "#/paths",
                    "answered an operation the standard does not have",
                )
            ]
        label = op.label(status)
        responses = self.spec["paths"][op.template][op.method]["responses"]
        key = str(status) if str(status) in responses else ("default" if "default" in responses else None)
        if status == 405:
            return [
                self._violation(
                    "response",
                    label,
                    "status",
                    _pointer("paths", op.template, op.method),
                    "answered 405 Method Not Allowed to an operation the standard offers",
                )
            ]
        if key is None:
            documents_errors = any(k.startswith(("4", "5")) for k in responses)
            if status < 400 or documents_errors:
                return [
                    self._violation(
                        "response",
                        label,
                        "status",
                        _pointer("paths", op.template, op.method, "responses"),
                        f"status {status} is not documented for this operation",
                    )
                ]
            return []
        base, answer = self._locate(_pointer("paths", op.template, op.method, "responses", key))
        found = self._response_headers(label, base, answer, response)
        content = answer.get("content") or {}
        if not content:
            return found
        return found + self._response_body(label, base, content, response)

    def _response_headers(
        self, label: str, base: str, answer: dict[str, Any], response: httpx.Response
    ) -> list[Violation]:
        """Check the documented response headers: required ones present, present ones valid."""
        found = []
        for name in answer.get("headers") or {}:
            pointer, spec = self._locate(f"{base}/headers/{_escape(name)}")
            if name.lower() not in response.headers:
                if spec.get("required"):
                    found.append(
                        self._violation(
                            "response", label, f"header: {name}", f"{pointer}/required", "missing"
                        )
                    )
                continue
            if "schema" in spec:
                param = {"in": "header", "name": name, "schema": spec["schema"]}
                found.extend(
                    replace(v, direction="response")
                    for v in self._param_violations(label, pointer, param, response.headers[name])
                )
        return found

    def _response_body(
        self, label: str, base: str, content: dict[str, Any], response: httpx.Response
    ) -> list[Violation]:
        header = response.headers.get("content-type", "")
        mimetype = _media_type(header, content)
        if mimetype is None:
            return [
                self._violation(
                    "response",
                    label,
                    "header: Content-Type",
                    f"{base}/content",
                    f"media type {header!r} not documented (expected one of {sorted(content)})",
                )
            ]
        try:
            value = response.json()
        except ValueError:
            return [self._violation("response", label, "body", f"{base}/content", "body is not JSON")]
        return self._body_violations("response", label, f"{base}/content/{_escape(mimetype)}/schema", value)


@cache
def checker(key: str) -> SpecChecker:
    """Return the (cached) checker of the standard with ``key``."""
    return SpecChecker(next(s for s in STANDARDS if s.key == key))


def checker_for(url: httpx.URL | str) -> SpecChecker | None:
    """Return the checker whose API root ``url`` lies under, or ``None`` (e.g. Catalogi, BAG)."""
    for standard in STANDARDS:
        if standard.root in urlsplit(str(url)).path:
            return checker(standard.key)
    return None

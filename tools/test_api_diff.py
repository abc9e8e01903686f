"""Tests of tools/api-diff: python3 tools/test_api_diff.py (run by .ci/run)."""

import copy
import importlib.machinery
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, "api-diff")
loader = importlib.machinery.SourceFileLoader("api_diff", TOOL)
spec = importlib.util.spec_from_loader("api_diff", loader)
api_diff = importlib.util.module_from_spec(spec)
loader.exec_module(api_diff)

BASE = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/things": {
            "get": {
                "operationId": "list_things",
                "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page"}}},
                    }
                },
            },
            "post": {
                "operationId": "create_thing",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ThingInput"}}},
                },
                "responses": {
                    "201": {
                        "description": "created",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}},
                    }
                },
            },
        },
        "/things/{id}": {
            "get": {
                "operationId": "get_thing",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}},
                    }
                },
            }
        },
    },
    "components": {
        "schemas": {
            "Thing": {
                "type": "object",
                "required": ["id", "name", "status"],
                "properties": {
                    "id": {"type": "string"},
                    "name": {"type": "string"},
                    "status": {"$ref": "#/components/schemas/Status"},
                    "size": {"type": ["integer", "null"]},
                },
            },
            "ThingInput": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string"}, "status": {"$ref": "#/components/schemas/Status"}},
                "additionalProperties": False,
            },
            "Status": {"type": "string", "enum": ["open", "closed"]},
            "Page": {
                "type": "object",
                "required": ["items"],
                "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}},
            },
        }
    },
}


def breaks(change):
    new = copy.deepcopy(BASE)
    change(new)
    return api_diff.Diff(BASE, new).run()


class Breaking(unittest.TestCase):
    def assertBreaks(self, change, fragment):
        found = breaks(change)
        self.assertTrue(any(fragment in b for b in found), f"{fragment!r} not in {found}")

    def test_a_removed_operation_fails(self):
        self.assertBreaks(lambda d: d["paths"]["/things/{id}"].pop("get"), "GET /things/{id}: operation removed")

    def test_a_removed_path_fails(self):
        self.assertBreaks(lambda d: d["paths"].pop("/things/{id}"), "/things/{id}: path removed")

    def test_a_removed_response_field_fails(self):
        def change(d):
            d["components"]["schemas"]["Thing"]["properties"].pop("size")

        self.assertBreaks(change, "/size: response field removed")

    def test_a_removed_enum_value_fails(self):
        self.assertBreaks(
            lambda d: d["components"]["schemas"]["Status"].update(enum=["open"]), 'enum value "closed" removed'
        )

    def test_a_new_required_parameter_fails(self):
        def change(d):
            d["paths"]["/things"]["get"]["parameters"].append(
                {"name": "tenant", "in": "query", "required": True, "schema": {"type": "string"}}
            )

        self.assertBreaks(change, "new required query parameter 'tenant'")

    def test_a_new_required_request_field_fails(self):
        def change(d):
            s = d["components"]["schemas"]["ThingInput"]
            s["properties"]["colour"] = {"type": "string"}
            s["required"].append("colour")

        self.assertBreaks(change, "/colour: new required request field")

    def test_a_narrowed_type_fails(self):
        def change(d):
            d["paths"]["/things"]["get"]["parameters"][0]["schema"] = {"type": "integer"}

        self.assertBreaks(change, "type narrowed")

    def test_a_changed_success_status_fails(self):
        def change(d):
            r = d["paths"]["/things"]["post"]["responses"]
            r["200"] = r.pop("201")

        self.assertBreaks(change, "success status 201 no longer returned")


class Compatible(unittest.TestCase):
    def test_an_added_operation_passes(self):
        def change(d):
            d["paths"]["/things/{id}"]["delete"] = {"operationId": "delete_thing", "responses": {"204": {"description": "gone"}}}

        self.assertEqual(breaks(change), [])

    def test_an_added_optional_field_passes(self):
        def change(d):
            d["components"]["schemas"]["ThingInput"]["properties"]["colour"] = {"type": "string"}
            d["components"]["schemas"]["Thing"]["properties"]["colour"] = {"type": ["string", "null"]}

        self.assertEqual(breaks(change), [])

    def test_an_added_optional_parameter_and_enum_value_pass(self):
        def change(d):
            d["paths"]["/things"]["get"]["parameters"].append({"name": "page", "in": "query", "schema": {"type": "string"}})
            d["components"]["schemas"]["Status"]["enum"].append("archived")

        self.assertEqual(breaks(change), [])

    def test_the_same_document_passes(self):
        self.assertEqual(breaks(lambda d: None), [])


class CommandLine(unittest.TestCase):
    def run_tool(self, new):
        with tempfile.TemporaryDirectory() as tmp:
            a, b = os.path.join(tmp, "a.json"), os.path.join(tmp, "b.json")
            for path, doc in ((a, BASE), (b, new)):
                with open(path, "w") as f:
                    json.dump(doc, f)
            return subprocess.run([sys.executable, TOOL, a, b], capture_output=True, text=True)

    def test_exit_status_names_the_break(self):
        new = copy.deepcopy(BASE)
        new["paths"]["/things"].pop("post")
        done = self.run_tool(new)
        self.assertEqual(done.returncode, 1, done.stdout)
        self.assertIn("POST /things: operation removed", done.stdout)

    def test_exit_status_zero_when_compatible(self):
        self.assertEqual(self.run_tool(BASE).returncode, 0)


if __name__ == "__main__":
    unittest.main()

# SPDX-License-Identifier: GPL-2.0
"""The run-directory schema, read from plot/schema.json: the harness
generates that file from its one schema definition (results/README.md
describes the same tables for people).

    s = schema.load()          # cached; raises SchemaError
    s.version                  # the schema_version this plot/ reads
    s.pages_per_2m, s.page_bytes
    s.enums["granule"]         # allowed values
    t = s.table("micro.csv")   # Table: .file, .names (the CSV header)
    t.parse(row_cells)         # -> {column: value}; raises CellError

A column's cell is parsed by the parser of its type, one per type:
text, int, uint, num, unum, bool, enum, intlist, strlist. "empty": true
lets an empty cell mean "no value" (None, never a stand-in 0); "special"
lists literal strings allowed besides the type (returned as the string).
Nothing else in plot/ knows a column list, a type or an allowed value.
"""
import functools
import json
import math
import os

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                    "schema.json")



class SchemaError(Exception):
    """plot/schema.json itself cannot be used; the message says why."""


class CellError(ValueError):
    """One cell does not parse: .column names it, str() says why."""

    def __init__(self, column, why):
        super().__init__(why)
        self.column = column


# ---- one parser per column type: string -> value, or ValueError(why)

def _int(s):
    body = s[1:] if s[:1] == "-" else s
    if not body.isdigit() or not body.isascii():
        raise ValueError(f"'{s}' is not an integer")
    return int(s)


def _uint(s):
    if not s.isdigit() or not s.isascii():
        raise ValueError(f"'{s}' is not an integer >= 0")
    return int(s)


def _num(s):
    try:
        v = float(s)
    except ValueError:
        raise ValueError(f"'{s}' is not a number") from None
    if not math.isfinite(v) or s.strip() != s or "_" in s:
        raise ValueError(f"'{s}' is not a finite number")
    return v


def _unum(s):
    v = _num(s)
    if v < 0:
        raise ValueError(f"'{s}' is negative")
    return v


def _bool(s):
    if s not in ("0", "1"):
        raise ValueError(f"'{s}' is not 0|1")
    return s == "1"


def _intlist(s):
    return [_int(x) for x in s.split(";")] if s else []


def _strlist(s):
    items = s.split(";") if s else []
    if any(not x for x in items):
        raise ValueError(f"'{s}' has an empty item")
    return items


TYPES = {"text": str, "int": _int, "uint": _uint, "num": _num,
         "unum": _unum, "bool": _bool, "enum": None, "intlist": _intlist,
         "strlist": _strlist}
# Types whose empty cell is a value of the type (text "", list []).
EMPTY_IS_VALUE = ("text", "intlist", "strlist")


class Column:
    def __init__(self, doc, enums, where):
        try:
            self.name = doc["name"]
            self.type = doc["type"]
        except (KeyError, TypeError):
            raise SchemaError(f"{where}: a column without name or type") \
                from None
        where = f"{where} column {self.name}"
        if self.type not in TYPES:
            raise SchemaError(f"{where}: unknown type '{self.type}'")
        self.empty = doc.get("empty") is True
        self.special = tuple(doc.get("special") or ())
        self.unit = doc.get("unit")
        self.doc = doc.get("doc", "")
        if self.type == "enum":
            allowed = enums.get(doc.get("values"))
            if not allowed:
                raise SchemaError(f"{where}: enum '{doc.get('values')}' is "
                                  "not in enums")
            self.values = tuple(allowed)
            self._parse = self._enum
        else:
            self.values = None
            self._parse = TYPES[self.type]

    def _enum(self, s):
        if s not in self.values:
            raise ValueError(f"'{s}' is not one of {'|'.join(self.values)}")
        return s

    def parse(self, cell):
        if cell in self.special:
            return cell
        if cell == "" and self.type not in EMPTY_IS_VALUE:
            if self.empty:
                return None
            raise ValueError("empty (a value is required)")
        return self._parse(cell)


class Table:
    def __init__(self, doc, enums):
        try:
            self.file = doc["file"]
            cols = doc["columns"]
        except (KeyError, TypeError):
            raise SchemaError("a table without file or columns") from None
        self.row = doc.get("row", "")
        self.columns = [Column(c, enums, self.file) for c in cols]
        self.names = [c.name for c in self.columns]
        self.column = {c.name: c for c in self.columns}

    def parse(self, cells):
        """{column: value} of one row of cells (as many as columns)."""
        row = {}
        for col, cell in zip(self.columns, cells):
            try:
                row[col.name] = col.parse(cell)
            except ValueError as e:
                raise CellError(col.name, str(e)) from None
        return row


class Schema:
    def __init__(self, doc):
        try:
            self.version = doc["schema_version"]
            consts = doc["constants"]
            self.pages_per_2m = consts["pages_per_2m"]
            self.page_bytes = consts["page_bytes"]
            # "@timer": the unit of a row's timer column
            self.timer_units = consts["timer_units"]
            self.enums = doc["enums"]
            tables = doc["tables"]
        except (KeyError, TypeError) as e:
            raise SchemaError(f"missing {e}") from None
        if not isinstance(self.version, int) or \
                not isinstance(self.enums, dict):
            raise SchemaError("schema_version or enums of the wrong type")
        self.tables = {}
        for t in tables:
            t = Table(t, self.enums)
            self.tables[t.file] = t

    def table(self, file):
        return self.tables[file]


@functools.lru_cache(maxsize=None)
def load(path=PATH):
    """The Schema of plot/schema.json; SchemaError names what is wrong."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as e:
        raise SchemaError(f"{path}: cannot read: {e.strerror}") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise SchemaError(f"{path}: not JSON: {e}") from None
    try:
        return Schema(doc)
    except SchemaError as e:
        raise SchemaError(f"{path}: {e}") from None

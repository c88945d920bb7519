# SPDX-License-Identifier: GPL-2.0
"""The shape of plot/ itself: modules import each other without a circle
and at module level only; no variant name is built from its parts (rows
are paired by micro.csv's path, shape and granule columns); the 2M page
count is written nowhere but plot/schema.json. Each detector is also run
on a bad example (negative control)."""
import ast
import glob
import os
import re
import unittest

import plotpath

VARIANT_BUILT = re.compile(r"""f["'][^"']*\{[^}]*\}\.(page|pfn)\b|"""
                           r"""\.(page|pfn)\.\{|["']ground\.add["']|"""
                           r"""\{[^}]*\}\.\{[^}]*\}\.\{|"""
                           r"""\[["']variant["']\]\.split\(""")
LITERAL_512 = re.compile(r"(?<![\w.])512(?![\w.])")


def sources():
    out = {}
    for p in sorted(glob.glob(os.path.join(plotpath.PLOT, "*.py"))):
        with open(p, encoding="utf-8") as f:
            out[os.path.basename(p)[:-3]] = f.read()
    return out


def nested_imports(src):
    """Import statements inside a function or class: [(line, what)]."""
    tree = ast.parse(src)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                             ast.ClassDef)):
            for n in ast.walk(node):
                if isinstance(n, (ast.Import, ast.ImportFrom)):
                    out.append((n.lineno, ast.unparse(n)))
    return out


def imports(src, local):
    """Local modules a source imports."""
    got = set()
    for n in ast.walk(ast.parse(src)):
        if isinstance(n, ast.Import):
            got |= {a.name for a in n.names}
        elif isinstance(n, ast.ImportFrom) and n.module:
            got.add(n.module)
    return got & set(local)


def circle(graph):
    """One import circle as a list of modules, or None."""
    state = {}

    def visit(m, path):
        state[m] = 1
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                return path[path.index(n):] + [n]
            if n not in state:
                c = visit(n, path + [n])
                if c:
                    return c
        state[m] = 2
        return None
    for m in sorted(graph):
        if m not in state:
            c = visit(m, [m])
            if c:
                return c
    return None


def code_lines(src):
    """(line number, text) of code, without docstrings and comments."""
    doc = set()
    for n in ast.walk(ast.parse(src)):
        if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant) \
                and isinstance(n.value.value, str):
            doc |= set(range(n.lineno, n.end_lineno + 1))
    return [(i, line.split("#")[0]) for i, line in
            enumerate(src.splitlines(), 1) if i not in doc]


class Structure(unittest.TestCase):
    def test_no_import_inside_a_function(self):
        for name, src in sources().items():
            self.assertEqual(nested_imports(src), [], name)
        self.assertTrue(nested_imports("def f():\n    import report\n"))

    def test_no_import_circle(self):
        src = sources()
        graph = {m: imports(s, src) for m, s in src.items()}
        self.assertIsNone(circle(graph))
        self.assertEqual(circle({"plots": {"report"}, "report": {"plots"},
                                 "micro": set()}),
                         ["plots", "report", "plots"])

    def test_no_variant_name_built_from_parts(self):
        for name, src in sources().items():
            for i, line in code_lines(src):
                self.assertIsNone(VARIANT_BUILT.search(line),
                                  f"{name}.py:{i}: {line.strip()}")
        for bad in ('va = f"{path}.pfn.{g}"', 'f"{p}.page.{g}"',
                    'v.startswith("ground.add")', 'f"{path}.{shape}.{g}"',
                    'p, sh = s["variant"].split(".")'):
            self.assertTrue(VARIANT_BUILT.search(bad), bad)

    def test_pages_per_2m_written_once(self):
        paths = glob.glob(os.path.join(plotpath.PLOT, "*.py")) + \
            glob.glob(os.path.join(plotpath.PLOT, "*.gp"))
        for p in paths:
            with open(p, encoding="utf-8") as f:
                for i, line in enumerate(f, 1):
                    self.assertIsNone(LITERAL_512.search(line),
                                      f"{p}:{i}: {line.strip()}")
        self.assertTrue(LITERAL_512.search("return v / (512 if g else 1)"))
        self.assertFalse(LITERAL_512.search("x = 1512 + 5120 + 0.512"))


if __name__ == "__main__":
    unittest.main()

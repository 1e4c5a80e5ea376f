"""The shape of the house (docs/decisions/0009-the-house.md): small modules, no hidden imports,
no private names shared between modules. Measured on the source tree, so a change that breaks a
rule fails here with the place to mend.
"""

import ast
import statistics
from pathlib import Path

ROOT = Path(__file__).parents[3]
PACKAGES = ("shared", "services", "workflows", "deploy")
PROJECT = (*PACKAGES, "bench")


def modules(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


def lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_module_is_over_400_lines():
    big = {str(p.relative_to(ROOT)): lines(p) for p in modules(*PROJECT) if lines(p) > 400}
    assert not big, f"split these along what they do: {big}"


def test_the_median_application_module_is_at_most_150_lines():
    sizes = [lines(p) for p in modules(*PACKAGES) if p.name != "__init__.py"]
    assert statistics.median(sizes) <= 150, statistics.median(sizes)


def project_imports(node: ast.AST) -> list[ast.ImportFrom | ast.Import]:
    found: list[ast.ImportFrom | ast.Import] = []
    for child in ast.walk(node):
        if isinstance(child, ast.ImportFrom) and (child.module or "").split(".")[0] in PROJECT:
            found.append(child)
        elif isinstance(child, ast.Import) and any(a.name.split(".")[0] in PROJECT for a in child.names):
            found.append(child)
    return found


def test_no_project_module_is_imported_inside_a_function():
    hidden = []
    for path in modules(*PROJECT):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                hidden += [f"{path.relative_to(ROOT)}:{i.lineno}" for i in project_imports(function)]
    assert not hidden, f"import these at the top of the module (a cycle they hide needs a move): {hidden}"


def test_no_private_name_is_imported_from_another_module():
    private = []
    for path in modules(*PROJECT):
        for node in project_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                private += [f"{path.relative_to(ROOT)}: {a.name}" for a in node.names if a.name.startswith("_")]
    assert not private, f"a name another module uses is public; drop its underscore: {private}"

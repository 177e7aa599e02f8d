import ast
import subprocess
import sys
from pathlib import Path

import classifier

CIVICLY = Path(__file__).resolve().parents[2] / "civicly"
# civicly.classify is the bridge; civicly.model_store copies the registry's signed versions to and from the database
# (one model for every host); the command line trains and evaluates models with the library itself.
MAY_IMPORT_CLASSIFIER = ("classify.py", "model_store.py", "cli/")


def test_classifier_never_imports_the_web_app_or_a_database():
    code = (
        "import sys, classifier, classifier.crossval; "
        "bad = {m.split('.')[0] for m in sys.modules} & {'civicly', 'flask', 'sqlalchemy', 'sqlmodel', 'psycopg'}; "
        "print(sorted(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_public_api_is_exported():
    for name in classifier.__all__:
        assert hasattr(classifier, name)


def _imports_classifier(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else (
            [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
        if any(name == "classifier" or name.startswith("classifier.") for name in names):
            return True
    return False


def test_the_web_app_reaches_the_classifier_only_through_civicly_classify():
    importers = {path.relative_to(CIVICLY).as_posix() for path in CIVICLY.rglob("*.py") if _imports_classifier(path)}
    assert "classify.py" in importers
    assert not {name for name in importers if not name.startswith(MAY_IMPORT_CLASSIFIER)}

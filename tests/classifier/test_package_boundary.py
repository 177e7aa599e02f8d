import subprocess
import sys

import classifier


def test_classifier_never_imports_the_web_app_or_a_database():
    code = (
        "import sys, classifier, classifier.crossval; "
        "bad = {m.split('.')[0] for m in sys.modules} & {'civicly', 'flask', 'sqlalchemy', 'sqlmodel', 'psycopg'}; "
        "print(sorted(bad))"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"


def test_public_api_is_exported():
    for name in classifier.__all__:
        assert hasattr(classifier, name)

"""What pyproject.toml cannot declare: migrations/ shipped as ``civicly.migrations``; catalogs compiled when built."""
from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import find_namespace_packages, setup
from setuptools.command.build_py import build_py

TRANSLATIONS = Path("civicly/translations")


def compile_catalog(source: Path, target: Path) -> None:
    """As ``pybabel compile`` does: fuzzy entries left out, a catalog with broken placeholders refused."""
    with source.open("rb") as po:
        catalog = read_po(po, locale=source.parent.parent.name)
    errors = [f"{message.id!r}: {error}" for message, problems in catalog.check() for error in problems]
    if errors:
        raise ValueError(f"{source}: " + "; ".join(errors))
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as mo:
        write_mo(mo, catalog)


class BuildPyWithCatalogs(build_py):
    """A wheel gets the compiled catalogs in its build directory; an editable install gets them beside the .po."""

    def run(self) -> None:
        super().run()
        output = TRANSLATIONS if self.editable_mode else Path(self.build_lib) / TRANSLATIONS
        for source in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
            compile_catalog(source, output / source.relative_to(TRANSLATIONS).with_suffix(".mo"))


setup(
    packages=[
        *find_namespace_packages(include=["civicly*", "classifier*"]),
        "civicly.migrations",  # from migrations/, as pyproject.toml's package-dir says
        "civicly.migrations.versions",
    ],
    cmdclass={"build_py": BuildPyWithCatalogs},
)

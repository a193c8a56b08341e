"""docs/configuration.md is generated from the settings: this fails when someone forgot `make docs`."""

from __future__ import annotations

from pathlib import Path

from newsmon.infra.configdocs import render_configuration, service_settings_classes
from newsmon.settings import CommonSettings

DOC = Path(__file__).resolve().parents[3] / "docs" / "configuration.md"


def test_committed_configuration_doc_matches_the_settings() -> None:
    assert DOC.read_text() == render_configuration(), "run `make docs` (newsmon docs write) and commit"


def test_every_shared_field_is_documented_with_its_variable() -> None:
    text = render_configuration()
    for section_name, section in CommonSettings.model_fields.items():
        assert section.annotation is not None
        for field_name in section.annotation.model_fields:  # type: ignore[union-attr]
            assert f"`NEWSMON_{section_name.upper()}__{field_name.upper()}`" in text


def test_service_settings_are_found_and_the_home_directory_does_not_leak() -> None:
    classes = service_settings_classes()
    assert all(issubclass(c, CommonSettings) for c in classes)
    text = render_configuration()
    assert str(Path.home()) + "/" not in text
    assert "`~/.cache/newsmon`" in text

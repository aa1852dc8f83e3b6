"""What the bench app imports before its first screen: no statistics, video or migration library."""

from tests.behavlab.import_report import NOT_AT_START, imported_modules, loaded


def test_the_bench_app_opens_without_the_statistics_video_and_migration_libraries() -> None:
    modules = imported_modules("-c", "import behavlab.tui.app")
    assert {"behavlab.tui.app", "behavlab.tui.screens.results", "behavlab.tui.screens.unmask"} <= modules
    assert loaded(modules, NOT_AT_START) == []

"""Commands start without the statistics and plotting stack: only the report and results load it."""

import subprocess
import sys

#: Libraries that load only when a command needs them; every heavy library added later joins this list.
HEAVY = (
    "matplotlib",
    "scipy",
    "statsmodels",
    "zxcvbn",
    "pynwb",
    "ndx_pose",
    "hdmf",
    "reportlab",
    "segno",
    "dask",
    "distributed",
    "deeplabcut",
    "torch",
)


def test_the_cli_and_the_app_load_no_statistics_or_plotting_library() -> None:
    code = (
        f"import sys, behavlab.cli.main, behavlab.tui.app; print(sorted(set({HEAVY!r}) & set(sys.modules)))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


def test_the_report_package_loads_its_renderer_on_first_use() -> None:
    code = (
        "import sys, behavlab.report as r; before = 'matplotlib' in sys.modules; "
        "r.write_report; print(before, 'matplotlib' in sys.modules)"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.split() == ["False", "True"]

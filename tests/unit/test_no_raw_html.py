"""User text is never rendered as HTML: no page or script opts out of React's escaping."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RAW_HTML = ("dangerously_allow_html", "dangerouslySetInnerHTML", "innerHTML", "outerHTML", "insertAdjacentHTML")


def test_no_page_callback_or_script_writes_raw_html() -> None:
    files = [*ROOT.glob("layouts/*.py"), *ROOT.glob("callbacks/*.py"), *ROOT.glob("assets/*.js")]
    assert files
    offenders = [f"{path.relative_to(ROOT)}: {word}" for path in files for word in RAW_HTML if word in path.read_text()]
    assert not offenders, offenders

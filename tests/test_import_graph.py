"""docs/import-graph.svg is what docs/import_graph.py draws from the code today."""

import importlib.util
import sys
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@cache
def _script():
    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "docs/import_graph.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_committed_import_graph_is_the_one_the_code_draws():
    drawn = _script().render()
    committed = (ROOT / "docs/import-graph.svg").read_text()
    assert committed == drawn, "stale: run .venv/bin/python docs/import_graph.py and commit it"


def test_the_graph_reads_the_layers_and_their_exceptions_from_the_contract():
    graph = _script()
    contract = graph.read_contract()
    assert contract.layers[-1] == ["core", "files"]  # the bottom: used by all, using none
    assert "downloads" in contract.layers[2] and contract.independent[2]
    pairs = {("api", "downloads"): True, ("downloads", "bank"): False, ("bank", "core"): True}
    svg = graph.render(contract, pairs)
    assert "api imports downloads" in svg and "bank imports core" in svg
    assert 'stroke="#0550ae"' in svg  # api -> downloads: allowed, dashed
    assert 'stroke="#d1242f"' in svg  # downloads -> bank: breaks the contract


def test_module_expressions_match_as_import_linter_reads_them():
    graph = _script()
    assert graph._allowed(
        "healthbank.api.api",
        "healthbank.downloads.views",
        ["healthbank.api.** -> healthbank.downloads.**"],
    )
    assert not graph._allowed(
        "healthbank.api",
        "healthbank.downloads.views",
        ["healthbank.api.** -> healthbank.downloads.**"],
    )
    assert graph._allowed(
        "healthbank.vcard.tests.conftest",
        "healthbank.synth",
        ["healthbank.*.tests.** -> healthbank.**"],
    )
    assert not graph._allowed(
        "healthbank.vcard.selectors",
        "healthbank.bank.rules",
        ["healthbank.*.tests.** -> healthbank.**"],
    )

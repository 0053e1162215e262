"""The package's import graph has no cycle, so every module can be read bottom-up."""

from __future__ import annotations

import grimp
import pytest


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("carevia", exclude_type_checking_imports=True)


def test_no_module_is_imported_back_by_what_it_imports(graph: grimp.ImportGraph) -> None:
    cycles = [
        (importer, imported)
        for importer in sorted(graph.modules)
        for imported in sorted(graph.find_modules_directly_imported_by(importer))
        if graph.chain_exists(importer=imported, imported=importer)
    ]

    assert cycles == []


def test_the_graph_covers_every_layer(graph: grimp.ImportGraph) -> None:
    for module in ("carevia.composition", "carevia.web.auth", "carevia.devtools.local_gateway"):
        assert module in graph.modules
    assert graph.chain_exists(importer="carevia.app", imported="carevia.composition")


def test_the_request_middleware_does_not_reach_back_to_the_wiring(
    graph: grimp.ImportGraph,
) -> None:
    for wiring in ("carevia.composition", "carevia.app", "carevia.controllers"):
        assert not graph.chain_exists(importer="carevia.web", imported=wiring, as_packages=True), (
            wiring
        )

import pytest


@pytest.fixture
def runtime(app):
    """The cattle-insurance store: the agent network's first user."""
    return app.state.runtimes["cattle-insurance"]

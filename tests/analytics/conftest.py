import pytest


@pytest.fixture
def runtime(app):
    """Audio Tài Lộc: the store that takes service bookings (VND, Asia/Ho_Chi_Minh)."""
    return app.state.runtimes["audio-tai-loc"]

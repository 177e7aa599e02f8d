"""Both storage backends keep bytes and their type under random names, against real files and a real S3 server."""
import pytest

from civicly import storage
from civicly.config import ConfigError, load_settings


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3-compatible server on a free port of this machine."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint, monkeypatch):
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings_for({"CIVICLY_STORAGE": "s3", "CIVICLY_S3_BUCKET": "civicly-photos",
                                  "CIVICLY_S3_ENDPOINT_URL": s3_endpoint, "CIVICLY_S3_REGION": "us-east-1",
                                  "CIVICLY_S3_ACCESS_KEY_ID": "test", "CIVICLY_S3_SECRET_ACCESS_KEY": "test"})
    backend = storage.from_settings(settings)
    backend.client.create_bucket(Bucket="civicly-photos")
    return backend


def load_settings_for(environ, tmp_path=None):
    import tempfile
    from pathlib import Path

    return load_settings(Path(tmp_path or tempfile.mkdtemp()), {"CIVICLY_SECRET_KEY": "x" * 40, **environ})


@pytest.fixture
def local(tmp_path):
    return storage.from_settings(load_settings_for({}, tmp_path))


@pytest.fixture(params=["local", "s3"])
def backend(request):
    return request.getfixturevalue(request.param)


def test_an_object_comes_back_as_stored_under_a_random_name(backend):
    first = backend.put(b"\xff\xd8 pixels", "image/jpeg")
    second = backend.put(b"\xff\xd8 pixels", "image/jpeg")
    assert first != second and storage.NAME_FORMAT.match(first)
    assert backend.get(first) == storage.StoredObject(b"\xff\xd8 pixels", "image/jpeg")


def test_a_deleted_or_made_up_name_is_not_stored(backend):
    name = backend.put(b"data", "application/octet-stream")
    backend.delete(name)
    with pytest.raises(storage.NotStored):
        backend.get(name)
    backend.delete(name)  # deleting twice is harmless
    for made_up in ("../../etc/passwd", "x" * 32, ""):
        with pytest.raises(storage.NotStored):
            backend.get(made_up)


def test_the_local_backend_lives_under_the_instance_folder_by_default(tmp_path, local):
    name = local.put(b"data", "image/jpeg")
    assert (tmp_path / "uploads" / name[:2] / name).read_bytes() == b"data"


def test_the_s3_backend_needs_a_bucket():
    with pytest.raises(ConfigError, match="CIVICLY_S3_BUCKET"):
        load_settings_for({"CIVICLY_STORAGE": "s3"})
    with pytest.raises(ConfigError, match="local or s3"):
        load_settings_for({"CIVICLY_STORAGE": "ftp"})


def test_an_unreachable_s3_server_is_a_storage_error():
    settings = load_settings_for({"CIVICLY_STORAGE": "s3", "CIVICLY_S3_BUCKET": "b",
                                  "CIVICLY_S3_ENDPOINT_URL": "http://127.0.0.1:9", "CIVICLY_S3_REGION": "us-east-1",
                                  "CIVICLY_S3_ACCESS_KEY_ID": "k", "CIVICLY_S3_SECRET_ACCESS_KEY": "s"})
    backend = storage.from_settings(settings)
    backend.client.meta.config.retries = {"max_attempts": 1}
    with pytest.raises(storage.StorageError):
        backend.put(b"data", "image/jpeg")

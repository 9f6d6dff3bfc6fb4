"""The AWS edges on moto: storage, publishing, run store, clients, outages, S3's events, the ports' contract."""

from tests.support.aws import account, app, context  # noqa: F401  (fixtures: the mocked account, the handler in it)

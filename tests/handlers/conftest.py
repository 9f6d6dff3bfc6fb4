"""The handler's scenarios on moto: deliveries through the function, as Lambda invokes it."""

from tests.support.aws import account, app, context  # noqa: F401  (fixtures: the mocked account, the handler in it)

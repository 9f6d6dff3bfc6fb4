"""Pure tests on in-memory fakes (tests/support): no moto, no boto3 client, no mocked account."""

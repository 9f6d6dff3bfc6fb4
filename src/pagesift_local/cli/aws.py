"""How ``pagesift redrive``, ``pagesift backfill`` and ``pagesift index`` reach their stack: a
deployed one through the machine's AWS configuration, or the embedded one at ``--endpoint-url``
(what ``pagesift local up`` prints)."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from pagesift_local.outputs import stack_outputs

LOCAL_REGION = "us-east-1"
# The embedded stack takes any credentials; a machine may have none configured.
LOCAL_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}


@dataclass(frozen=True)
class StackAccess:
    """A session on the stack's account and region, the stack's name, and its endpoint when local."""

    session: boto3.session.Session
    stack_name: str
    endpoint_url: str | None

    @classmethod
    def of(cls, args: argparse.Namespace) -> StackAccess:
        """From ``--endpoint-url``, ``--region`` and ``--stack`` (pagesift, or pagesift-local)."""
        local = args.endpoint_url is not None
        # AWS_REGION too, which the AWS CLI and the SDKs of other languages read and botocore does not.
        region = args.region or (LOCAL_REGION if local else os.environ.get("AWS_REGION") or None)
        session = boto3.session.Session(region_name=region, **(LOCAL_CREDENTIALS if local else {}))
        return cls(session, args.stack or ("pagesift-local" if local else "pagesift"), args.endpoint_url)

    @property
    def local(self) -> bool:
        return self.endpoint_url is not None

    @property
    def region(self) -> str | None:
        """The region the clients use (None when neither --region nor the AWS configuration gives one)."""
        region: str | None = self.session.region_name
        return region

    def client(self, service_name: str, config: Config | None = None) -> Any:
        if self.endpoint_url is None:
            return self.session.client(service_name, config=config)
        return self.session.client(service_name, endpoint_url=self.endpoint_url, config=config)

    def output(self, name: str) -> str:
        """One output of the stack (``IndexQueueUrl``…); CommandError with what to do when there
        is no such stack or output."""
        outputs = stack_outputs(self.client("cloudformation"), self.stack_name, (name,))
        return outputs[name]

    def queue_url(self, name: str) -> str:
        """The URL of the queue a stack output names, as this endpoint serves it (the embedded
        stack's outputs carry AWS-style URLs, which moto answers under other ones)."""
        url = self.output(name)
        if self.endpoint_url is None:
            return url
        return str(self.client("sqs").get_queue_url(QueueName=url.rsplit("/", 1)[1])["QueueUrl"])

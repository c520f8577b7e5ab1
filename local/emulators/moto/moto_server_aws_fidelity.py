"""moto_server corrected where moto 5.2 answers differently from AWS in ways Terraform can see.

Each correction below names moto's behaviour, AWS's, and what it broke; nothing else changes (same
arguments as moto_server). They exist so that an apply against moto followed by a second plan shows
only real differences between the configuration and AWS, not emulator artefacts
(docs/deploy.md, "What moto proves").

1. Policy statements with conditions (moto/iam/access_control.py, IAMPolicyStatement): moto counts a
   condition on a key absent from the request context as matching, and answers DENIED for a
   statement whose conditions do not match, whatever its Effect. In AWS a condition on an absent key
   does not match (except ...IfExists and Null), and a non-matching statement does not apply. Under
   moto's rules the standard TLS-only bucket statement ("Deny s3:* when aws:SecureTransport is
   false") denies every PutObject. moto sends no aws:SecureTransport for S3, so that statement is
   never exercised here: the project's synth-time policy rules check it.
2. Kinesis CreateStream ignores its Tags (moto/kinesis/responses.py): AWS tags the stream. Terraform
   sends tags at create, reads none back, and plans to add them again on every run.
3. Lambda GetFunction omits KMSKeyArn and LoggingConfig (moto/awslambda/models.py,
   LambdaFunction.get_configuration): AWS returns both. Terraform plans to set them again forever.
4. EC2 CreateLaunchTemplate copies the template's own tags (ResourceType launch-template) into the
   version's LaunchTemplateData.TagSpecifications (moto/ec2/responses/launch_templates.py): AWS keeps
   them apart (launch-template is not a valid type inside LaunchTemplateData). Terraform then sees a
   tag specification it never wrote and makes a new template version on every apply.
5. Glue CreateJob without ExecutionClass stores "STANDARD" (moto/glue/models.py, FakeJob): AWS leaves
   it unset unless given (it applies to Spark jobs). Terraform, which never wrote it, plans to remove
   it on every run.
6. Athena DeleteNamedQuery is not implemented, and GetNamedQuery of an unknown id crashes (moto answers
   500): AWS deletes the query and answers InvalidRequestException "... does not exist" for an
   unknown id. Terraform cannot destroy a named query otherwise.
7. Requests are not atomic (moto/moto_server): moto serves each request on its own thread, and its
   services keep plain dicts with no locks. A conditional S3 write checks If-Match / If-None-Match
   and then writes, so two writers holding the same ETag can both succeed; a listing iterates a dict
   another thread is changing and answers 500 ("dictionary changed size during iteration"), as
   ListObjectVersions did while Terraform destroyed objects in parallel and DescribeAlarms while it
   created alarms. In AWS each call is atomic: exactly one conditional writer wins (the other gets
   412), and reads do not fail under concurrent writes. Under load the collector's call ledger lost a
   spent call (six writers, 23 of 24 counted). Requests are served one at a time here.
"""
import sys
import threading

import inspect

import json

from moto.athena.responses import AthenaResponse
from moto.awslambda.models import LambdaFunction
from moto.glue.models import FakeJob
from moto.ec2.models.launch_templates import LaunchTemplateBackend
from moto.iam.access_control import IAMPolicyStatement, PermissionResult
from moto.kinesis.responses import KinesisResponse
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

# 1. Policy conditions
_moto_is_action_permitted = IAMPolicyStatement.is_action_permitted


def _condition_keys_present(statement, incoming_condition_values):
    for operator, keys in statement.get("Condition", {}).items():
        if operator.endswith("IfExists") or operator == "Null":
            continue
        for key in keys:
            if not incoming_condition_values or key not in incoming_condition_values:
                return False
    return True


def _is_action_permitted(self, action, resource="*", principal=None, incoming_condition_values=None):
    if self._statement.get("Condition"):
        applies = _condition_keys_present(self._statement, incoming_condition_values) and self._check_conditions(incoming_condition_values)
        if not applies:
            return PermissionResult.NEUTRAL
    return _moto_is_action_permitted(self, action, resource, principal, incoming_condition_values)


IAMPolicyStatement.is_action_permitted = _is_action_permitted

# 2. Kinesis CreateStream tags
_moto_create_stream = KinesisResponse.create_stream


def _create_stream(self):
    result = _moto_create_stream(self)
    tags = self._get_param("Tags")
    if tags:
        self.kinesis_backend.add_tags_to_stream(stream_arn=None, stream_name=self._get_param("StreamName"), tags=tags)
    return result


KinesisResponse.create_stream = _create_stream

# 3. Lambda KMSKeyArn and LoggingConfig
_moto_lambda_init = LambdaFunction.__init__
_moto_get_configuration = LambdaFunction.get_configuration
_moto_update_configuration = LambdaFunction.update_configuration


def _lambda_init(self, account_id, spec, region, version=1):
    _moto_lambda_init(self, account_id, spec, region, version)
    self._aws_kms_key_arn = spec.get("KMSKeyArn")
    self._aws_logging_config = spec.get("LoggingConfig")


def _get_configuration(self, *args, **kwargs):
    config = _moto_get_configuration(self, *args, **kwargs)
    if getattr(self, "_aws_kms_key_arn", None):
        config["KMSKeyArn"] = self._aws_kms_key_arn
    if getattr(self, "_aws_logging_config", None):
        config["LoggingConfig"] = self._aws_logging_config
    return config


def _update_configuration(self, config_updates):
    if "KMSKeyArn" in config_updates:
        self._aws_kms_key_arn = config_updates["KMSKeyArn"]
    if "LoggingConfig" in config_updates:
        self._aws_logging_config = config_updates["LoggingConfig"]
    return _moto_update_configuration(self, config_updates)


LambdaFunction.__init__ = _lambda_init
LambdaFunction.get_configuration = _get_configuration
LambdaFunction.update_configuration = _update_configuration

# 4. Launch template tags kept out of the version data
_moto_create_launch_template = LaunchTemplateBackend.create_launch_template


def _create_launch_template(self, name, description, template_data, tag_spec):
    specs = template_data.get("TagSpecifications")
    if specs:
        template_data["TagSpecifications"] = [s for s in specs if s.get("ResourceType") != "launch-template"]
        if not template_data["TagSpecifications"]:
            del template_data["TagSpecifications"]
    return _moto_create_launch_template(self, name, description, template_data, tag_spec)


LaunchTemplateBackend.create_launch_template = _create_launch_template

# 5. Glue job execution class only when given
_moto_job_init = FakeJob.__init__
_job_signature = inspect.signature(_moto_job_init)


def _job_init(self, *args, **kwargs):
    _moto_job_init(self, *args, **kwargs)
    if not _job_signature.bind(self, *args, **kwargs).arguments.get("execution_class"):
        self.execution_class = None


FakeJob.__init__ = _job_init

# 6. Athena named queries can be deleted, and an unknown one is reported as such
_moto_get_named_query = AthenaResponse.get_named_query


def _named_query_missing(self):
    query_id = self._get_param("NamedQueryId")
    return json.dumps({"__type": "InvalidRequestException", "Message": f"NamedQuery {query_id} does not exist"}), {"status": 400}


def _get_named_query(self):
    if self.athena_backend.get_named_query(self._get_param("NamedQueryId")) is None:
        return _named_query_missing(self)
    return _moto_get_named_query(self)


def _delete_named_query(self):
    query_id = self._get_param("NamedQueryId")
    if self.athena_backend.named_queries.pop(query_id, None) is None:
        return _named_query_missing(self)
    return json.dumps({})


AthenaResponse.get_named_query = _get_named_query
AthenaResponse.delete_named_query = _delete_named_query

# 7. One request at a time
_request_lock = threading.Lock()
_moto_dispatch = DomainDispatcherApplication.__call__


def _dispatch_alone(self, environ, start_response):
    with _request_lock:
        return _moto_dispatch(self, environ, start_response)


DomainDispatcherApplication.__call__ = _dispatch_alone

if __name__ == "__main__":
    from moto.server import main

    sys.exit(main(sys.argv[1:]))

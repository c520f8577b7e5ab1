"""Runs the Glue SQL runner script against fakes of awsglue and boto3, and prints what it did.

Usage: python3 glue_runner_harness.py <script> <scenario.json> [job arguments...]

The scenario gives the S3 listing pages (each a list of keys; an empty page has no Contents, as S3
answers for an empty prefix), the objects' text, and per SQL text the states Athena reports on
successive polls (the last one repeats). The harness prints one JSON document: every call made,
in order, what the script printed, and the error it raised (or null). It exits 1 when the script
raised, as the Glue job run would fail.
"""
import contextlib
import io
import json
import runpy
import sys
import time
import traceback
import types

script, scenario_path, *job_arguments = sys.argv[1:]
with open(scenario_path, encoding='utf-8') as scenario_file:
    scenario = json.load(scenario_file)
calls = []


def get_resolved_options(argv, names):
    """What awsglue.utils.getResolvedOptions does for `--name value` pairs; a missing one is an error."""
    resolved = {}
    for name in names:
        flag = f'--{name}'
        if flag not in argv:
            raise SystemExit(f'missing job argument {flag}')
        resolved[name] = argv[argv.index(flag) + 1]
    return resolved


class FakeS3:
    def list_objects_v2(self, Bucket, Prefix, ContinuationToken=None):
        page_number = 0 if ContinuationToken is None else int(ContinuationToken.split('-')[1])
        calls.append({'call': 's3.list_objects_v2', 'bucket': Bucket, 'prefix': Prefix, 'continuation': ContinuationToken})
        keys = scenario['pages'][page_number]
        page = {'KeyCount': len(keys), 'IsTruncated': page_number + 1 < len(scenario['pages'])}
        if keys:
            page['Contents'] = [{'Key': key} for key in keys]
        if page['IsTruncated']:
            page['NextContinuationToken'] = f'page-{page_number + 1}'
        return page

    def get_object(self, Bucket, Key):
        calls.append({'call': 's3.get_object', 'bucket': Bucket, 'key': Key})
        return {'Body': io.BytesIO(scenario['objects'][Key].encode('utf-8'))}


class FakeAthena:
    def __init__(self):
        self.polls = {}

    def start_query_execution(self, QueryString, WorkGroup, QueryExecutionContext):
        query_id = f'q{len(self.polls) + 1}'
        self.polls[query_id] = (QueryString, 0)
        calls.append({'call': 'athena.start_query_execution', 'sql': QueryString, 'workgroup': WorkGroup, 'database': QueryExecutionContext['Database']})
        return {'QueryExecutionId': query_id}

    def get_query_execution(self, QueryExecutionId):
        sql, poll = self.polls[QueryExecutionId]
        states = scenario['queries'][sql]
        state = states[min(poll, len(states) - 1)]
        self.polls[QueryExecutionId] = (sql, poll + 1)
        calls.append({'call': 'athena.get_query_execution', 'id': QueryExecutionId, 'state': state})
        status = {'State': state}
        if state in ('FAILED', 'CANCELLED'):
            status['StateChangeReason'] = f'fake {state.lower()} reason'
        return {'QueryExecution': {'Status': status}}


clients = {'s3': FakeS3(), 'athena': FakeAthena()}
awsglue = types.ModuleType('awsglue')
awsglue_utils = types.ModuleType('awsglue.utils')
awsglue_utils.getResolvedOptions = get_resolved_options
awsglue.utils = awsglue_utils
boto3 = types.ModuleType('boto3')
boto3.client = lambda service: clients[service]
sys.modules.update({'awsglue': awsglue, 'awsglue.utils': awsglue_utils, 'boto3': boto3})
time.sleep = lambda seconds: calls.append({'call': 'sleep', 'seconds': seconds})

sys.argv = [script, *job_arguments]
printed = io.StringIO()
error = None
with contextlib.redirect_stdout(printed):
    try:
        runpy.run_path(script, run_name='__main__')
    except BaseException as raised:  # the harness reports whatever the script raised, SystemExit included
        error = {'type': type(raised).__name__, 'message': str(raised), 'traceback': traceback.format_exc()}
print(json.dumps({'calls': calls, 'output': printed.getvalue(), 'error': error}))
sys.exit(1 if error else 0)

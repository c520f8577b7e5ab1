"""Runs the versioned SQL of shared/sql on Athena, one file at a time in key order.

A Glue Python shell job (Python 3.9) with the job arguments --sql_prefix, --bucket, --workgroup and
--database. No transformation logic lives here: the SQL files are the logic. A query that does not
succeed stops the run with an error naming its file, so the job run fails and later files
(which may depend on it) are not run.
"""
import sys
import time

import boto3
from awsglue.utils import getResolvedOptions

ARGUMENTS = ['sql_prefix', 'bucket', 'workgroup', 'database']
POLL_SECONDS = 2
FINAL_STATES = ('SUCCEEDED', 'FAILED', 'CANCELLED')


class SqlFileFailed(RuntimeError):
    """The query of one SQL file ended FAILED or CANCELLED."""

    def __init__(self, key, state, reason):
        super().__init__(f'{key}: {state}: {reason}')
        self.key = key
        self.state = state


def sql_keys(s3, bucket, prefix):
    """Every `.sql` key under the prefix, over all listing pages, in key order; none when the prefix is empty."""
    keys = []
    continuation = {}
    while True:
        page = s3.list_objects_v2(Bucket=bucket, Prefix=prefix, **continuation)
        # An empty listing has no Contents at all.
        keys.extend(item['Key'] for item in page.get('Contents', []) if item['Key'].endswith('.sql'))
        if not page.get('IsTruncated'):
            return sorted(keys)
        continuation = {'ContinuationToken': page['NextContinuationToken']}


def run_query(athena, sql, workgroup, database):
    """Starts one query and waits for a final state; returns (state, reason)."""
    query_id = athena.start_query_execution(
        QueryString=sql, WorkGroup=workgroup, QueryExecutionContext={'Database': database}
    )['QueryExecutionId']
    while True:
        status = athena.get_query_execution(QueryExecutionId=query_id)['QueryExecution']['Status']
        if status['State'] in FINAL_STATES:
            return status['State'], status.get('StateChangeReason', 'no reason given')
        time.sleep(POLL_SECONDS)


def main(argv):
    args = getResolvedOptions(argv, ARGUMENTS)
    s3, athena = boto3.client('s3'), boto3.client('athena')
    keys = sql_keys(s3, args['bucket'], args['sql_prefix'])
    if not keys:
        print(f"no SQL files under s3://{args['bucket']}/{args['sql_prefix']}: nothing to run")
        return
    for key in keys:
        sql = s3.get_object(Bucket=args['bucket'], Key=key)['Body'].read().decode('utf-8')
        state, reason = run_query(athena, sql, args['workgroup'], args['database'])
        if state != 'SUCCEEDED':
            raise SqlFileFailed(key, state, reason)
        print(f'{key}: SUCCEEDED')


if __name__ == '__main__':
    main(sys.argv)

"""A boto3 job for the end-to-end tests (test/e2e/boto3AgainstMoto.test.ts).

Usage: boto3_job.py upload FILE BUCKET KEY | download BUCKET KEY FILE | delete-batch BUCKET KEY...
The S3 endpoint comes from S3_ENDPOINT and the credentials from the usual AWS_* variables. Transfers
above 5 MB are multipart (5 MB parts). An S3 error is printed on one line and the exit code is 1.
"""
import os
import sys

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

s3 = boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT"])
config = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
command, args = sys.argv[1], sys.argv[2:]
try:
    if command == "upload":
        s3.upload_file(args[0], args[1], args[2], Config=config)
    elif command == "download":
        s3.download_file(args[0], args[1], args[2], Config=config)
    elif command == "delete-batch":
        # DeleteObjects answers 200 and lists the keys it refused: report them as a failure.
        answer = s3.delete_objects(Bucket=args[0], Delete={"Objects": [{"Key": key} for key in args[1:]]})
        refused = [f"{e['Key']}: {e['Code']}" for e in answer.get("Errors", [])]
        if refused:
            print("ERROR DeleteObjects refused " + ", ".join(refused))
            sys.exit(1)
    else:
        sys.exit(f"unknown command {command}")
except (ClientError, boto3.exceptions.S3UploadFailedError) as error:
    print(f"ERROR {type(error).__name__}: {error}")
    sys.exit(1)

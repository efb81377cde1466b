"""moto's server (`moto.server.main`) with two fixes for its IAM enforcement, for the tests.

With IAM enforcement on, moto recomputes each request's SigV4 signature from the URL its web framework
rebuilt, in which query values have been decoded (`prefix=daily%2F` arrives as `prefix=daily/`).
botocore then signs the decoded form and the signatures differ, so every ListObjectsV2 with a prefix or
delimiter containing `/` fails with SignatureDoesNotMatch (https://github.com/getmoto/moto/issues/5948,
open; reproduced with moto 5.2.1 and boto3). SigV4's canonical query string percent-encodes every
name and value except the unreserved characters
(https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html), so the query is
re-encoded that way before moto signs it. The path is re-encoded the same way: a key with a `:` (Terraform's
workspace states, `env:/<workspace>/<key>`) arrives decoded too, while the AWS SDKs sign it as `%3A`
(S3 encodes each path segment once).

moto also authorizes a HEAD of a bucket as `s3:HeadBucket`, an action IAM does not have: AWS checks
`s3:ListBucket` (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html), so a policy
could not allow the HEAD at all (restic's `init` HEADs its bucket). It is mapped to `s3:ListBucket`.
Nothing else in moto is changed.
"""

import sys
from urllib.parse import quote, unquote

from moto.iam import access_control
from moto.s3 import responses as s3_responses
from moto.server import main

UNRESERVED = "-_.~"
_create_aws_request = access_control.IAMRequestBase._create_aws_request


def _canonical_query(query: str) -> str:
    pairs = []
    for part in query.split("&"):
        name, equals, value = part.partition("=")
        pairs.append(quote(unquote(name), safe=UNRESERVED) + equals + quote(unquote(value), safe=UNRESERVED))
    return "&".join(pairs)


def _canonical_path(url: str) -> str:
    # moto passes the path alone (`/bucket/key`); a full URL keeps its scheme and host.
    scheme, sep, rest = url.partition("://")
    prefix, path = (scheme + sep + rest.partition("/")[0], "/" + rest.partition("/")[2]) if sep else ("", url)
    return prefix + quote(unquote(path), safe="/" + UNRESERVED)


def _create_aws_request_re_encoded(self):  # type: ignore[no-untyped-def]
    request = _create_aws_request(self)
    base, question, query = request.url.partition("?")
    base = _canonical_path(base)
    request.url = base + "?" + _canonical_query(query) if question and query else base
    return request


access_control.IAMRequestBase._create_aws_request = _create_aws_request_re_encoded
s3_responses.ACTION_MAP["BUCKET"]["HEAD"]["DEFAULT"] = "ListBucket"

if __name__ == "__main__":
    main(sys.argv[1:])

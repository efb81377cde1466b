"""moto's server (`moto.server.main`) with four fixes for its IAM enforcement, for the tests.

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

moto recomputes the signature over the headers the request lists in SignedHeaders, but botocore's
signer, which it uses, always leaves `User-Agent` out (botocore.auth.SIGNED_HEADERS_BLACKLIST). The AWS
SDK for Java v1 signs it (Hadoop's S3A connector: `SignedHeaders=...;user-agent;...`), and AWS verifies
every header the client lists, so such requests failed with SignatureDoesNotMatch. `User-Agent` is taken
off that list: moto passes the signer only the headers the client signed, so it is signed only when the
client signed it.

moto authorizes a DeleteObjects request as s3:DeleteObject on the bucket's ARN, and when that is
refused it refuses every key; AWS authorizes each key on its own object ARN
(https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html), so a policy that allows
s3:DeleteObject on `dir/*` lets a bulk delete of keys under `dir/` through (Hadoop's S3A deletes in
bulk). When the request as a whole is refused, each key is authorized on its own, and the refused ones
are reported as AccessDenied in the answer, as S3 does.

moto also authorizes a HEAD of a bucket as `s3:HeadBucket`, an action IAM does not have: AWS checks
`s3:ListBucket` (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html), so a policy
could not allow the HEAD at all (restic's `init` HEADs its bucket). It is mapped to `s3:ListBucket`.
Nothing else in moto is changed.
"""

import sys
from urllib.parse import quote, unquote
from xml.sax.saxutils import escape

import xmltodict

from botocore import auth as botocore_auth
from moto.iam import access_control
from moto.s3 import responses as s3_responses
from moto.s3.exceptions import BucketAccessDeniedError, S3AccessDeniedError
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

_delete_keys = s3_responses.S3Response._bucket_response_delete_keys


def _delete_keys_by_key(self, bucket_name, authenticated=True):  # type: ignore[no-untyped-def]
    if authenticated:
        return _delete_keys(self, bucket_name, authenticated)
    document = xmltodict.parse(self.body, strip_whitespace=False)
    objects = document["Delete"].get("Object", [])
    if not isinstance(objects, list):
        objects = [objects]
    allowed, refused = [], []
    for obj in objects:
        try:
            self._authenticate_and_authorize_s3_action(bucket_name=bucket_name, key_name=obj["Key"])
            allowed.append(obj)
        except (BucketAccessDeniedError, S3AccessDeniedError):
            refused.append(obj)
    if not allowed:
        return _delete_keys(self, bucket_name, authenticated=False)
    document["Delete"]["Object"] = allowed
    self.body = xmltodict.unparse(document).encode("utf-8")
    status, headers, body = _delete_keys(self, bucket_name, authenticated=True)
    errors = "".join(
        f"<Error><Key>{escape(obj['Key'])}</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
        for obj in refused
    )
    return status, headers, body.replace("</DeleteResult>", errors + "</DeleteResult>")


s3_responses.S3Response._bucket_response_delete_keys = _delete_keys_by_key
botocore_auth.SIGNED_HEADERS_BLACKLIST[:] = [
    name for name in botocore_auth.SIGNED_HEADERS_BLACKLIST if name != "user-agent"
]
s3_responses.ACTION_MAP["BUCKET"]["HEAD"]["DEFAULT"] = "ListBucket"

if __name__ == "__main__":
    main(sys.argv[1:])

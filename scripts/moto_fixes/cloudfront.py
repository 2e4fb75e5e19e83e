"""CloudFront calls of the AWS provider that moto 5.2 lacks.

data "aws_cloudfront_response_headers_policy" (by name, an AWS managed policy):
  `listing CloudFront Response Headers Policies: operation error CloudFront:
  ListResponseHeadersPolicies, https response error StatusCode: 404 ...
  XML syntax error on line 2` -> moto has no response headers policies at
  all (no route, so its server answers an HTML 404). AWS's managed
  policies exist in every account; the one the generated Terraform uses is
  served, read-only, with AWS's id and settings:
  ListResponseHeadersPolicies and GetResponseHeadersPolicy(Config).
"""

from datetime import datetime, timezone

from moto.cloudfront import urls
from moto.cloudfront.exceptions import CloudFrontException
from moto.cloudfront.responses import CloudFrontResponse
from moto.core.responses import ActionResult

API = "{0}/2020-05-31/response-headers-policy"

# AWS's managed policies as `aws cloudfront get-response-headers-policy` shows
# them (ids are the same in every account).
MANAGED = {
    "67f7725c-6f97-4210-82d7-5512b31e9d03": {
        "Comment": "Adds a set of security headers to every response",
        "Name": "Managed-SecurityHeadersPolicy",
        "SecurityHeadersConfig": {
            "XSSProtection": {"Override": False, "Protection": True, "ModeBlock": True},
            "FrameOptions": {"Override": False, "FrameOption": "SAMEORIGIN"},
            "ReferrerPolicy": {
                "Override": False,
                "ReferrerPolicy": "strict-origin-when-cross-origin",
            },
            "ContentTypeOptions": {"Override": False},
            "StrictTransportSecurity": {
                "Override": False,
                "IncludeSubdomains": False,
                "Preload": False,
                "AccessControlMaxAgeSec": 31536000,
            },
        },
    },
}
LAST_MODIFIED = datetime(2021, 11, 2, tzinfo=timezone.utc)


class NoSuchResponseHeadersPolicy(CloudFrontException):
    code = "NoSuchResponseHeadersPolicy"

    def __init__(self):
        super().__init__(self.code, "The specified response headers policy does not exist.")


def _policy(policy_id):
    config = MANAGED.get(policy_id)
    if config is None:
        raise NoSuchResponseHeadersPolicy()
    return {
        "Id": policy_id,
        "LastModifiedTime": LAST_MODIFIED,
        "ResponseHeadersPolicyConfig": config,
    }


def list_response_headers_policies(self):
    kind = self._get_param("Type")
    items = [] if kind == "custom" else [
        {"Type": "managed", "ResponseHeadersPolicy": _policy(pid)} for pid in MANAGED
    ]
    return ActionResult(
        {"ResponseHeadersPolicyList": {"MaxItems": 100, "Quantity": len(items), "Items": items}}
    )


def get_response_headers_policy(self):
    policy_id = self._get_param("Id")
    return ActionResult({"ResponseHeadersPolicy": _policy(policy_id), "ETag": policy_id})


def get_response_headers_policy_config(self):
    policy_id = self._get_param("Id")
    config = _policy(policy_id)["ResponseHeadersPolicyConfig"]
    return ActionResult({"ResponseHeadersPolicyConfig": config, "ETag": policy_id})


def apply():
    CloudFrontResponse.list_response_headers_policies = list_response_headers_policies
    CloudFrontResponse.get_response_headers_policy = get_response_headers_policy
    CloudFrontResponse.get_response_headers_policy_config = get_response_headers_policy_config
    # Routes are read from moto.cloudfront.urls when the server first builds
    # the service's app, after this runs.
    urls.url_paths[API + "$"] = CloudFrontResponse.dispatch
    urls.url_paths[API + "/(?P<policy_id>[^/]+)$"] = CloudFrontResponse.dispatch
    urls.url_paths[API + "/(?P<policy_id>[^/]+)/config$"] = CloudFrontResponse.dispatch

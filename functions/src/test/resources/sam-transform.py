"""Runs the SAM transform (samtranslator, the library SAM CLI and CloudFormation's transform use) offline.

Usage: python3 sam-transform.py TEMPLATE_YAML OUTPUT_JSON
Writes the CloudFormation template that CloudFormation would receive. No AWS call is made: the managed
policy loader is a stub, which is enough because every gpubox policy is an inline statement (a managed
policy name would fail the transform here, which is what the tests want to know).
"""
import json
import os
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    """SAM asks for the ARNs of AWS managed policies by name; gpubox uses none except Lambda's basic role."""

    def load(self):
        return {"AWSLambdaBasicExecutionRole":
                "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}


def package(template, template_dir):
    """What `sam deploy` does before the transform (samcli/lib/package/artifact_exporter.py): each function's
    CodeUri, or Globals' when it has none, is a local path relative to the template's folder; it is
    uploaded and replaced by an s3:// URI. A path that does not exist fails the deploy, so it fails here."""
    global_code = template.get("Globals", {}).get("Function", {}).get("CodeUri")
    for logical_id, resource in template.get("Resources", {}).items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        properties = resource.setdefault("Properties", {})
        code = properties.get("CodeUri", global_code)
        if not isinstance(code, str) or code.startswith("s3://"):
            continue
        local = os.path.join(template_dir, code)
        if not os.path.isfile(local):
            sys.exit(f"{logical_id}: CodeUri {code} does not exist relative to {template_dir} "
                     "(run `./gpubox package` first)")
        properties["CodeUri"] = "s3://gpubox-artifacts/" + os.path.basename(code)


def main(template_path, output_path):
    # The transform asks boto for the region (for ARNs); any region will do, and no call is made.
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with open(template_path, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    package(template, os.path.dirname(os.path.abspath(template_path)))
    transformed = transform(template, {}, NoManagedPolicies())
    with open(output_path, "w", encoding="utf-8") as f:
        json.dump(transformed, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

# The SAM transform of template.yaml, as CloudFormation would run it after `sam package`: prints the
# transformed template as JSON. Usage: AWS_DEFAULT_REGION=us-west-2 python3 sam_transform.py template.yaml
import json, sys
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse
class NoPolicies:
    def load(self): return {}
with open(sys.argv[1]) as f:
    template = yaml_parse(f.read())
# What `sam package` does first: the local jar becomes an S3 object.
s3 = 's3://gpubox-artifacts/gpubox-functions.jar'
g = template.get('Globals', {}).get('Function', {})
if 'CodeUri' in g: g['CodeUri'] = s3
for r in template['Resources'].values():
    if r.get('Type') == 'AWS::Serverless::Function' and 'CodeUri' in r.get('Properties', {}):
        r['Properties']['CodeUri'] = s3
json.dump(transform(template, {}, NoPolicies()), sys.stdout)

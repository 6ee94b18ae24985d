"""The one Logger, Tracer and Metrics every function shares.

Service name, namespace and log level come from the POWERTOOLS_* variables that template.yaml
sets in Globals, so nothing is configured here.
"""

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
tracer = Tracer()
metrics = Metrics()

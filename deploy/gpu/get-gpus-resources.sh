#!/usr/bin/env bash
# GPU discovery script for Spark's resource scheduling (spark.*.resource.gpu.discoveryScript):
# prints the GPUs of this node as {"name": "gpu", "addresses": ["0", "1", ...]}.
# Same contract as Spark's examples/src/main/scripts/getGpusResources.sh; needs nvidia-smi.
set -euo pipefail
ADDRS=$(nvidia-smi --query-gpu=index --format=csv,noheader | sed -e ':a' -e 'N' -e '$!ba' -e 's/\n/","/g')
echo "{\"name\": \"gpu\", \"addresses\": [\"$ADDRS\"]}"

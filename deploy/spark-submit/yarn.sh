#!/usr/bin/env bash
# Submit a sparksr job to YARN:
#   SPARK_HOME=/opt/spark HADOOP_CONF_DIR=/etc/hadoop/conf SPARKSR_YARN_QUEUE=batch \
#     deploy/spark-submit/yarn.sh upscale --input hdfs:///in/ --output hdfs:///out/ --scale 2
# Environment: HADOOP_CONF_DIR or YARN_CONF_DIR (spark-submit needs one); SPARKSR_YARN_QUEUE
#   (--queue; unset = the cluster's default queue); SPARKSR_DEPLOY_MODE (default client: the driver
#   runs here and prints the summary; cluster: the driver runs in the YARN application master);
#   SPARKSR_GPU=1 (YARN with the yarn.io/gpu resource type) and the rest in common.sh /
#   docs/DEPLOY.md. --dry-run before the job name prints the command only.
set -euo pipefail
SPARKSR_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=common.sh
. "$SPARKSR_HOME/deploy/spark-submit/common.sh"

SPARKSR_TARGET=yarn
SPARKSR_TARGET_ENV_HELP=", SPARKSR_YARN_QUEUE, HADOOP_CONF_DIR"
DEFAULT_DEPLOY_MODE=client
MASTER=yarn
TARGET_ARGS=()
if [ -n "${SPARKSR_YARN_QUEUE:-}" ]; then
  TARGET_ARGS+=(--queue "$SPARKSR_YARN_QUEUE")
fi
sparksr_main "$@"

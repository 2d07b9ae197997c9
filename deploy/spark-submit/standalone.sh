#!/usr/bin/env bash
# Submit a sparksr job to a Spark standalone cluster:
#   SPARK_HOME=/opt/spark SPARKSR_MASTER=spark://master:7077 \
#     deploy/spark-submit/standalone.sh upscale --input hdfs:///in/ --output hdfs:///out/ --scale 2
# Environment: SPARKSR_MASTER (required, spark://host:7077[,host2:7077]);
#   SPARKSR_DEPLOY_MODE (default client: the driver runs here, prints the summary and exits with
#   the job's code; cluster: the jar (SPARKSR_JAR) must be readable from every worker);
#   SPARKSR_GPU=1 (GPU workers: standalone-worker-gpu.properties on each worker first) and the rest
#   in common.sh / docs/DEPLOY.md. --dry-run before the job name prints the command only.
set -euo pipefail
SPARKSR_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=common.sh
. "$SPARKSR_HOME/deploy/spark-submit/common.sh"

SPARKSR_TARGET=standalone
SPARKSR_TARGET_ENV_HELP=", SPARKSR_MASTER (spark://host:7077)"
DEFAULT_DEPLOY_MODE=client
sparksr_target_check() {
  [ -n "${SPARKSR_MASTER:-}" ] || sparksr_die "SPARKSR_MASTER is not set: the master URL, e.g. spark://master:7077"
  MASTER=$SPARKSR_MASTER
}
TARGET_ARGS=()
sparksr_main "$@"

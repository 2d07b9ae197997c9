#!/usr/bin/env bash
# Submit a sparksr job to Kubernetes (cluster mode: driver and executors are pods of SPARKSR_IMAGE,
# built from deploy/docker/; the app jar is inside the image):
#   SPARK_HOME=/opt/spark SPARKSR_MASTER=k8s://https://api.example:6443 \
#   SPARKSR_IMAGE=registry.example/sparksr:cpu SPARKSR_K8S_NAMESPACE=sparksr \
#     deploy/spark-submit/k8s.sh upscale --input hdfs:///in/ --output hdfs:///out/ --scale 2
# Environment: SPARKSR_MASTER (required, k8s://https://<api server>:<port>); SPARKSR_IMAGE
#   (required; with SPARKSR_GPU=1 the image of deploy/docker/Dockerfile.cuda); SPARKSR_K8S_NAMESPACE
#   (default: default); SPARKSR_K8S_SERVICE_ACCOUNT (default: spark; it must be allowed to create
#   pods, services and configmaps in the namespace); SPARKSR_K8S_EXECUTOR_TEMPLATE /
#   SPARKSR_K8S_DRIVER_TEMPLATE (default: deploy/k8s/executor-{cpu,gpu}.yaml; GPU: driver-gpu.yaml);
#   SPARKSR_JAR (default: local:///opt/sparksr/jars/sparksr-jobs-app.jar, the image's copy) and
#   the rest in common.sh / docs/DEPLOY.md. --dry-run before the job name prints the command only.
set -euo pipefail
SPARKSR_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=common.sh
. "$SPARKSR_HOME/deploy/spark-submit/common.sh"

SPARKSR_TARGET=k8s
SPARKSR_TARGET_ENV_HELP=", SPARKSR_MASTER (k8s://https://host:port), SPARKSR_IMAGE,
  SPARKSR_K8S_NAMESPACE, SPARKSR_K8S_SERVICE_ACCOUNT, SPARKSR_K8S_EXECUTOR_TEMPLATE, SPARKSR_K8S_DRIVER_TEMPLATE"
DEFAULT_DEPLOY_MODE=cluster
DEFAULT_JAR=local:///opt/sparksr/jars/sparksr-jobs-app.jar
sparksr_target_check() {
  [ -n "${SPARKSR_MASTER:-}" ] || sparksr_die "SPARKSR_MASTER is not set: the API server, e.g. k8s://https://api.example:6443"
  [ -n "${SPARKSR_IMAGE:-}" ] || sparksr_die "SPARKSR_IMAGE is not set: the container image built from deploy/docker/Dockerfile.cpu (or .cuda with SPARKSR_GPU=1)"
  MASTER=$SPARKSR_MASTER
}
# Pod templates: where pods may run (node selectors, tolerations). GPU: the driver needs a GPU node
# too (it loads the model with ND4J).
driver_template=${SPARKSR_K8S_DRIVER_TEMPLATE:-}
if [ "${SPARKSR_GPU:-0}" = 1 ]; then
  executor_template=${SPARKSR_K8S_EXECUTOR_TEMPLATE:-$SPARKSR_HOME/deploy/k8s/executor-gpu.yaml}
  driver_template=${driver_template:-$SPARKSR_HOME/deploy/k8s/driver-gpu.yaml}
else
  executor_template=${SPARKSR_K8S_EXECUTOR_TEMPLATE:-$SPARKSR_HOME/deploy/k8s/executor-cpu.yaml}
fi
TARGET_ARGS=(
  --conf "spark.kubernetes.namespace=${SPARKSR_K8S_NAMESPACE:-default}"
  --conf "spark.kubernetes.container.image=${SPARKSR_IMAGE:-}"
  --conf "spark.kubernetes.authenticate.driver.serviceAccountName=${SPARKSR_K8S_SERVICE_ACCOUNT:-spark}"
  --conf "spark.kubernetes.executor.podTemplateFile=$executor_template"
)
if [ -n "$driver_template" ]; then
  TARGET_ARGS+=(--conf "spark.kubernetes.driver.podTemplateFile=$driver_template")
fi
sparksr_main "$@"

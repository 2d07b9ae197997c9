# shellcheck shell=bash
# Shared by standalone.sh, yarn.sh and k8s.sh (SOURCE it; it defines functions and SPARKSR_JOBS).
# A target script sets SPARKSR_TARGET, DEFAULT_DEPLOY_MODE, MASTER and TARGET_ARGS (array), may
# define sparksr_target_check (required variables), then calls sparksr_main "$@". docs/DEPLOY.md.
#
# What ends up on the spark-submit command line, in this order (a later --conf wins):
#   --master/--deploy-mode/--name, --properties-file <target>.properties (static settings),
#   the target's own options (queue, namespace, image, pod templates),
#   spark.driver/executor.extraJavaOptions = SPARKSR_JAVA17_FLAGS (deploy/native-env.sh, the one
#     list) + the static -D options of the properties file (GPU: of gpu.properties),
#   the driver's ND4J build (-Dorg.bytedeco.javacpp.platform.extension=$SPARKSR_ND4J_EXT) in
#     client mode on the CPU jar only: that driver runs on this machine. Executors and cluster-mode
#     drivers choose for their own CPU (io.sparksr.model.NativeBackend.configure()),
#   with SPARKSR_GPU=1 every other line of gpu.properties as --conf (the GPU layer),
#   job-specific settings (prepare: spark.task.cpus=1, it does not use ND4J),
#   $SPARKSR_SUBMIT_OPTS (extra spark-submit options, split on blanks; they win),
#   --class io.sparksr.jobs.SparkSr <jar> <job> <job options> [--forward-permits 1 for GPU upscale].

SPARKSR_JOBS="upscale prepare train evaluate"

sparksr_die() { # sparksr_die <message> [exit code, default 2]
  echo "sparksr ${SPARKSR_TARGET:-deploy}: $1" >&2
  exit "${2:-2}"
}

# Prints "key<TAB>value" for every property of a spark-submit properties file, in file order.
# Handles what our files use: '#'/'!' comments, "key value" and "key=value" (java.util.Properties
# also allows ':' and line continuations; do not use them here). Values are trimmed like Spark does.
sparksr_props() {
  awk '
    { sub(/^[ \t]+/, ""); sub(/[ \t\r]+$/, "") }
    /^$/ || /^[#!]/ { next }
    {
      key = $0; sub(/[ \t=:].*$/, "", key)
      val = substr($0, length(key) + 1); sub(/^[ \t]*[=:]?[ \t]*/, "", val)
      print key "\t" val
    }' "$1"
}

sparksr_prop() { # sparksr_prop <file> <key>: the value (the last one if repeated), or nothing
  sparksr_props "$1" | awk -F '\t' -v k="$2" '$1 == k { v = $2; found = 1 } END { if (found) print v }'
}

sparksr_usage() {
  cat <<EOF
usage: deploy/spark-submit/$SPARKSR_TARGET.sh [--dry-run|--print-only] <job> [job options]
  job: ${SPARKSR_JOBS// / | }   (job options: bin/sparksr <job> --help)
  --dry-run, --print-only, SPARKSR_PRINT_ONLY=1: print the spark-submit command, do not run it.
    Only BEFORE the job name: after it, --dry-run is upscale's own option (print the plan).
Environment: SPARK_HOME (required), SPARKSR_JAR, SPARKSR_GPU=1, SPARKSR_DEPLOY_MODE,
  SPARKSR_PROPERTIES, SPARKSR_SUBMIT_OPTS${SPARKSR_TARGET_ENV_HELP:-}
  docs/DEPLOY.md describes each.
EOF
}

# True when a path or URI is on this machine's file system (no scheme, or file:).
sparksr_is_local_path() {
  case "$1" in
    file:*) return 0 ;;
    *://*|*:/*) return 1 ;;
    *) return 0 ;;
  esac
}

sparksr_resolve_jar() { # sets JAR
  if [ -n "${SPARKSR_JAR:-}" ]; then
    JAR=$SPARKSR_JAR
  elif [ -n "${DEFAULT_JAR:-}" ]; then
    JAR=$DEFAULT_JAR
  elif [ "${SPARKSR_GPU:-0}" = 1 ]; then
    sparksr_die "SPARKSR_GPU=1 needs SPARKSR_JAR: the CUDA app jar (./mvnw -Pcuda -DskipTests package) has the same name as the CPU one, jobs/target/sparksr-jobs-<version>-app.jar; copy it aside and point SPARKSR_JAR at it (docs/GPU.md)"
  else
    local jars=()
    shopt -s nullglob
    jars=("$SPARKSR_HOME"/jobs/target/sparksr-jobs-*-app.jar)
    shopt -u nullglob
    if [ "${#jars[@]}" -eq 0 ]; then
      sparksr_die "no application jar in $SPARKSR_HOME/jobs/target/ (sparksr-jobs-*-app.jar): build it with ./mvnw -B -DskipTests package -pl jobs -am, or set SPARKSR_JAR"
    fi
    if [ "${#jars[@]}" -gt 1 ]; then
      sparksr_die "several application jars in $SPARKSR_HOME/jobs/target/: ${jars[*]}; set SPARKSR_JAR to one"
    fi
    JAR=${jars[0]}
  fi
  if sparksr_is_local_path "$JAR" && [ ! -f "${JAR#file:}" ]; then
    sparksr_die "application jar $JAR does not exist (SPARKSR_JAR)"
  fi
}

# A job's own --master (on the command line or as `master:` in its --config YAML, e.g.
# conf/train/default.yaml's local[2]) overrides spark-submit's: refuse it here.
sparksr_check_no_master() {
  local prev="" a file="" value
  for a in "$@"; do
    case "$a" in
      --master|--master=*) sparksr_die "do not pass --master to the job: the script submits to $MASTER, and the job's --master would override it" ;;
      --config=*) file=${a#--config=} ;;
    esac
    [ "$prev" = --config ] && file=$a
    prev=$a
  done
  if [ -n "$file" ] && [ -r "$file" ]; then
    value=$(awk '/^master:/ { sub(/^master:[ \t]*/, ""); sub(/[ \t]*#.*$/, ""); print; exit }' "$file")
    case "$value" in
      ""|"~"|null) ;;
      *) sparksr_die "$file sets 'master: $value', which would override the cluster master; remove it (for train use deploy/spark-submit/train.yaml)" ;;
    esac
  fi
}

sparksr_main() {
  local print_only=${SPARKSR_PRINT_ONLY:-0}
  while [ $# -gt 0 ]; do
    case "$1" in
      --dry-run|--print-only) print_only=1; shift ;;
      -h|--help) sparksr_usage; exit 0 ;;
      *) break ;;
    esac
  done
  if [ $# -eq 0 ]; then
    sparksr_usage >&2
    exit 2
  fi
  local job=$1
  shift
  case " $SPARKSR_JOBS " in
    *" $job "*) ;;
    *) sparksr_die "unknown job '$job': the jobs are $SPARKSR_JOBS" ;;
  esac

  if declare -F sparksr_target_check >/dev/null; then
    sparksr_target_check
  fi
  if [ -z "${SPARK_HOME:-}" ]; then
    sparksr_die "SPARK_HOME is not set: point it at a Spark 3.5.8 (Scala 2.12) distribution"
  fi
  if [ ! -x "$SPARK_HOME/bin/spark-submit" ]; then
    sparksr_die "SPARK_HOME=$SPARK_HOME has no executable bin/spark-submit"
  fi
  sparksr_resolve_jar

  local mode=${SPARKSR_DEPLOY_MODE:-$DEFAULT_DEPLOY_MODE}
  case "$mode" in
    client|cluster) ;;
    *) sparksr_die "SPARKSR_DEPLOY_MODE is '$mode' but must be client or cluster" ;;
  esac
  local gpu=${SPARKSR_GPU:-0}
  case "$gpu" in
    0|1) ;;
    *) sparksr_die "SPARKSR_GPU is '$gpu' but must be 0 or 1" ;;
  esac

  local here=$SPARKSR_HOME/deploy/spark-submit
  local props=${SPARKSR_PROPERTIES:-$here/$SPARKSR_TARGET.properties}
  local gpu_props=$here/gpu.properties
  [ -f "$props" ] || sparksr_die "properties file $props does not exist (SPARKSR_PROPERTIES)"

  # shellcheck source=../native-env.sh
  . "$SPARKSR_HOME/deploy/native-env.sh"

  local static_file=$props
  if [ "$gpu" = 1 ]; then
    static_file=$gpu_props
  fi
  local driver_opts executor_opts
  driver_opts="$SPARKSR_JAVA17_FLAGS $(sparksr_prop "$props" spark.driver.extraJavaOptions)"
  executor_opts="$SPARKSR_JAVA17_FLAGS $(sparksr_prop "$static_file" spark.executor.extraJavaOptions)"
  if [ "$mode" = client ] && [ "$gpu" = 0 ]; then
    driver_opts="$driver_opts -Dorg.bytedeco.javacpp.platform.extension=$SPARKSR_ND4J_EXT"
  fi

  local cmd=("$SPARK_HOME/bin/spark-submit" --master "$MASTER" --deploy-mode "$mode"
    --name "sparksr $job" --properties-file "$props" "${TARGET_ARGS[@]}"
    --conf "spark.driver.extraJavaOptions=${driver_opts% }"
    --conf "spark.executor.extraJavaOptions=${executor_opts% }")

  if [ "$gpu" = 1 ]; then
    local key val
    while IFS=$'\t' read -r key val; do
      case "$key" in
        spark.executor.extraJavaOptions|spark.driver.extraJavaOptions) ;;
        *) cmd+=(--conf "$key=$val") ;;
      esac
    done < <(sparksr_props "$gpu_props")
    # The driver loads the model with ND4J too, so it needs a GPU: in client mode this machine's,
    # in cluster mode one the cluster manager gives it.
    if [ "$mode" = cluster ]; then
      cmd+=(--conf spark.driver.resource.gpu.amount=1
        --conf "spark.driver.resource.gpu.discoveryScript=$(sparksr_prop "$gpu_props" spark.executor.resource.gpu.discoveryScript)"
        --conf spark.driver.resource.gpu.vendor=nvidia.com)
    fi
  fi
  if [ "$job" = prepare ]; then
    cmd+=(--conf spark.task.cpus=1)
  fi
  if [ -n "${SPARKSR_SUBMIT_OPTS:-}" ]; then
    local extra
    read -r -a extra <<<"$SPARKSR_SUBMIT_OPTS"
    cmd+=("${extra[@]}")
  fi
  sparksr_check_no_master "$@"
  cmd+=(--class io.sparksr.jobs.SparkSr "$JAR" "$job" "$@")
  if [ "$gpu" = 1 ] && [ "$job" = upscale ]; then
    local a has_permits=0
    for a in "$@"; do
      case "$a" in --forward-permits|--forward-permits=*) has_permits=1 ;; esac
    done
    # One forward pass at a time per executor (= per GPU); the other tasks read and write.
    [ "$has_permits" = 1 ] || cmd+=(--forward-permits 1)
  fi

  export SPARKSR_HOME  # evaluate finds conf/anchors/ through it (client mode)
  if [ "$print_only" = 1 ]; then
    printf '%q ' "${cmd[@]}"
    printf '\n'
    exit 0
  fi
  exec "${cmd[@]}"
}

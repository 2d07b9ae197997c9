#!/usr/bin/env bash
# Entrypoint of the sparksr images: this node's native settings (deploy/native-env.sh: OMP_NUM_THREADS
# unless Spark set it through spark.executorEnv / spark.kubernetes.driverEnv, OPENBLAS_CORETYPE on
# AVX-512 CPUs), then Spark's own Kubernetes entrypoint (driver, executor or a plain command).
# The JVMs get the Java 17 flags and javacpp limits from spark.*.extraJavaOptions, and the ND4J
# build is chosen in each JVM by io.sparksr.model.NativeBackend, so nothing else is passed here.
set -euo pipefail
# shellcheck source=../native-env.sh
. /opt/sparksr/deploy/native-env.sh
exec "${SPARK_ENTRYPOINT:-/opt/entrypoint.sh}" "$@"

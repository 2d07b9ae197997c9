# shellcheck shell=bash
# Native settings for every sparksr JVM. SOURCE this file (do not run it) from bin/sparksr and the
# deploy/ scripts:   . "$SPARKSR_HOME/deploy/native-env.sh"
#
# Exports (a value already set in the environment always wins):
#   SPARKSR_ND4J_EXT      nd4j-native classifier extension for this CPU, same rule as
#                         io.sparksr.model.NativeBackend: avx512f+cd+bw+dq+vl -> "-onednn-avx512",
#                         avx2+fma -> "-onednn-avx2", otherwise "" (plain build; also when
#                         /proc/cpuinfo is unreadable). Pass it to a JVM started on THIS machine as
#                         -Dorg.bytedeco.javacpp.platform.extension="$SPARKSR_ND4J_EXT".
#                         Do not forward it to executors on other machines: they call
#                         NativeBackend.configure() and decide from their own /proc/cpuinfo.
#   OMP_NUM_THREADS       default: the number of cores (nproc). ND4J reads it at native start-up;
#                         with several Spark task slots per executor set
#                         spark.executorEnv.OMP_NUM_THREADS = cores / slots.
#   OPENBLAS_CORETYPE     set to SkylakeX only when it is unset AND the CPU has the AVX-512 set above:
#                         OpenBLAS 0.3.19 does not know newer Xeons and falls back to SSE3 kernels
#                         (sgemm 2048^3 3-6x slower). docs/NATIVE.md has the measurements.
#   SPARKSR_JAVA17_FLAGS  the --add-opens list Spark needs on Java 17, as one string (shared/stack.md;
#                         same as <java17.flags> in the parent pom.xml).
#
# Prints nothing unless SPARKSR_VERBOSE=1 (then a summary on stderr). Safe under set -euo pipefail;
# leaves no helper variables or functions behind.

_sparksr_has_all() { # _sparksr_has_all "<flags line>" flag... : true if every flag is a word of the line
  local line=" $1 " f
  shift
  for f in "$@"; do
    case "$line" in
      *" $f "*) ;;
      *) return 1 ;;
    esac
  done
  return 0
}

_sparksr_flags=""
if [ -r /proc/cpuinfo ]; then
  _sparksr_flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | tr '\t' ' ' || true)
fi
_sparksr_avx512=0
if _sparksr_has_all "$_sparksr_flags" avx512f avx512cd avx512bw avx512dq avx512vl; then
  _sparksr_avx512=1
fi

if [ -z "${SPARKSR_ND4J_EXT+set}" ]; then
  if [ "$_sparksr_avx512" = 1 ]; then
    SPARKSR_ND4J_EXT="-onednn-avx512"
  elif _sparksr_has_all "$_sparksr_flags" avx2 fma; then
    SPARKSR_ND4J_EXT="-onednn-avx2"
  else
    SPARKSR_ND4J_EXT=""
  fi
fi
export SPARKSR_ND4J_EXT

if [ -z "${OMP_NUM_THREADS:-}" ]; then
  OMP_NUM_THREADS=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
fi
export OMP_NUM_THREADS

if [ -z "${OPENBLAS_CORETYPE:-}" ] && [ "$_sparksr_avx512" = 1 ]; then
  export OPENBLAS_CORETYPE=SkylakeX
fi

SPARKSR_JAVA17_FLAGS="-XX:+IgnoreUnrecognizedVMOptions \
--add-opens=java.base/java.lang=ALL-UNNAMED \
--add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
--add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
--add-opens=java.base/java.io=ALL-UNNAMED \
--add-opens=java.base/java.net=ALL-UNNAMED \
--add-opens=java.base/java.nio=ALL-UNNAMED \
--add-opens=java.base/java.util=ALL-UNNAMED \
--add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED \
--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED \
--add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
--add-opens=java.base/sun.nio.cs=ALL-UNNAMED \
--add-opens=java.base/sun.security.action=ALL-UNNAMED \
--add-opens=java.base/sun.util.calendar=ALL-UNNAMED \
--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED \
-Djdk.reflect.useDirectMethodHandle=false"
export SPARKSR_JAVA17_FLAGS

if [ "${SPARKSR_VERBOSE:-}" = 1 ]; then
  printf 'sparksr native-env: SPARKSR_ND4J_EXT=%s OMP_NUM_THREADS=%s OPENBLAS_CORETYPE=%s\n' \
    "'$SPARKSR_ND4J_EXT'" "$OMP_NUM_THREADS" "${OPENBLAS_CORETYPE:-<unset>}" >&2
fi

unset _sparksr_flags _sparksr_avx512
unset -f _sparksr_has_all

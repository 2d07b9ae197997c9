package io.sparksr.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.bytedeco.javacpp.Loader;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the ND4J native build (the JavaCPP "platform extension", i.e. which nd4j-native classifier
 * jar is loaded) that fits this CPU. Call {@link #configure()} once per JVM (driver and every
 * executor) before ND4J is first used; {@link #describe()} does it for you.
 *
 * <p>Measured with nd4j-native 1.0.0-M2.1 / JavaCPP 1.5.7 (docs/NATIVE.md):
 * <ul>
 *   <li>Without the property and with the plain, -onednn-avx2 and -onednn-avx512 jars on the class
 *       path, JavaCPP loads <b>-onednn-avx2</b> whatever the class-path order (so an AVX-512 machine
 *       does not get the AVX-512 build, and a machine without AVX2 would get a build it cannot run).</li>
 *   <li>The property is read once, when {@code org.bytedeco.javacpp.Loader} initialises: setting it
 *       programmatically works only if no JavaCPP class has been touched yet (even
 *       {@code Loader.getPlatform()} is too early). This class therefore touches neither JavaCPP
 *       nor ND4J in {@link #configure()}.</li>
 *   <li>The value {@code ""} selects the plain build; a value naming a classifier that is not on
 *       the class path silently falls back to the plain build.</li>
 * </ul>
 *
 * <p>Rule (same as deploy/native-env.sh): {@code avx512f avx512cd avx512bw avx512dq avx512vl} (what
 * libnd4j's skylake-avx512 build checks) gives {@code -onednn-avx512}; {@code avx2 fma} gives
 * {@code -onednn-avx2}; otherwise the plain build ({@code ""}). A property already set (e.g. with
 * {@code -Dorg.bytedeco.javacpp.platform.extension=...}) is left alone. On the CUDA backend nothing is
 * set (nd4j-cuda picks its -cudnn build itself).
 */
public final class NativeBackend {

    /** The JavaCPP system property that selects the classifier jar's native libraries. */
    public static final String EXTENSION_PROPERTY = "org.bytedeco.javacpp.platform.extension";
    public static final String ONEDNN_AVX512 = "-onednn-avx512";
    public static final String ONEDNN_AVX2 = "-onednn-avx2";
    /** The plain (generic x86-64, no oneDNN) build. */
    public static final String PLAIN = "";

    private static final Logger LOG = LoggerFactory.getLogger(NativeBackend.class);
    private static final Path CPUINFO = Path.of("/proc/cpuinfo");
    private static final List<String> AVX512_FLAGS =
            List.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl");
    private static final List<String> AVX2_FLAGS = List.of("avx2", "fma");
    private static final String CPU_BINDINGS = "org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64";
    private static final String CPU_BACKEND_CLASS = "org/nd4j/linalg/cpu/nativecpu/CpuBackend.class";

    private static boolean configured;

    private NativeBackend() {
    }

    /**
     * Pure rule: the classifier extension for a CPU with these flags.
     *
     * @param cpuinfoFlags the {@code flags} line of /proc/cpuinfo (with or without its
     *     {@code "flags\t: "} prefix), or just the flags separated by blanks; null means unknown
     * @return {@link #ONEDNN_AVX512}, {@link #ONEDNN_AVX2} or {@link #PLAIN}
     */
    static String chooseClassifierExtension(String cpuinfoFlags) {
        if (cpuinfoFlags == null) {
            return PLAIN;
        }
        Set<String> flags = new HashSet<>(Arrays.asList(
                cpuinfoFlags.toLowerCase(Locale.ROOT).split("[\\s:]+")));
        if (flags.containsAll(AVX512_FLAGS)) {
            return ONEDNN_AVX512;
        }
        if (flags.containsAll(AVX2_FLAGS)) {
            return ONEDNN_AVX2;
        }
        return PLAIN;
    }

    /**
     * Sets {@value #EXTENSION_PROPERTY} from /proc/cpuinfo unless it is already set, and logs the
     * choice with OMP_NUM_THREADS and OPENBLAS_CORETYPE. Idempotent and cheap; touches no ND4J or
     * JavaCPP class, so it must run before either is first used.
     */
    public static synchronized void configure() {
        if (configured) {
            return;
        }
        configured = true;
        String omp = System.getenv("OMP_NUM_THREADS");
        String coretype = System.getenv("OPENBLAS_CORETYPE");
        String preset = System.getProperty(EXTENSION_PROPERTY);
        if (preset != null) {
            LOG.info("ND4J native build: {}='{}' (set by the caller, kept); OMP_NUM_THREADS={}, "
                    + "OPENBLAS_CORETYPE={}", EXTENSION_PROPERTY, preset, omp, coretype);
            return;
        }
        if (!onCpuBackend()) {
            LOG.info("ND4J native build: no nd4j-native CPU backend on the class path (CUDA?): {} left "
                    + "unset; OMP_NUM_THREADS={}, OPENBLAS_CORETYPE={}", EXTENSION_PROPERTY, omp, coretype);
            return;
        }
        String arch = System.getProperty("os.arch", "");
        if (!arch.equals("amd64") && !arch.equals("x86_64")) {
            LOG.info("ND4J native build: os.arch is {}, not x86-64: {} left unset; OMP_NUM_THREADS={}",
                    arch, EXTENSION_PROPERTY, omp);
            return;
        }
        String flags = readCpuFlags(CPUINFO);
        if (flags == null) {
            LOG.info("ND4J native build: {} unreadable or without a flags line: {} left unset "
                    + "(JavaCPP's default); OMP_NUM_THREADS={}, OPENBLAS_CORETYPE={}",
                    CPUINFO, EXTENSION_PROPERTY, omp, coretype);
            return;
        }
        String wanted = chooseClassifierExtension(flags);
        String chosen = availableAtOrBelow(wanted);
        if (!chosen.equals(wanted)) {
            LOG.warn("ND4J native build: the CPU supports nd4j-native classifier linux-x86_64{} but that "
                    + "jar is not on the class path; using linux-x86_64{}", wanted, chosen);
        }
        System.setProperty(EXTENSION_PROPERTY, chosen);
        LOG.info("ND4J native build: {}='{}' (nd4j-native linux-x86_64{}, from {}); OMP_NUM_THREADS={}, "
                + "OPENBLAS_CORETYPE={}", EXTENSION_PROPERTY, chosen, chosen, CPUINFO, omp, coretype);
    }

    /**
     * One line describing the loaded backend, for logs: backend, native library folder, binary and
     * optimal CPU levels, build flags (HAVE_ONEDNN, ...), thread counts. Calls {@link #configure()}
     * first and initialises ND4J if needed. Says MISMATCH when the loaded build is not the one the
     * property asks for (JavaCPP was initialised before {@link #configure()}, or that jar is missing).
     */
    public static String describe() {
        configure();
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        StringBuilder sb = new StringBuilder("ND4J backend=").append(env.get("backend"));
        Map<String, String> libs = Loader.getLoadedLibraries();
        String lib = libs.containsKey("nd4jcpu") ? libs.get("nd4jcpu") : libs.get("nd4jcuda");
        String loadedDir = lib == null ? null : Path.of(lib).getParent().getFileName().toString();
        sb.append(" build=").append(loadedDir);
        String requested = System.getProperty(EXTENSION_PROPERTY);
        if (libs.containsKey("nd4jcpu") && requested != null
                && !("linux-x86_64" + requested).equals(loadedDir)) {
            sb.append(" (MISMATCH: ").append(EXTENSION_PROPERTY).append("='").append(requested)
                    .append("': JavaCPP was initialised before NativeBackend.configure(), or the classifier jar ")
                    .append("nd4j-native linux-x86_64").append(requested).append(" is not on the class path)");
        }
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        if (libs.containsKey("nd4jcpu")) {
            sb.append(" binaryLevel=").append(level(ops.binaryLevel()))
                    .append(" cpuLevel=").append(level(ops.optimalLevel()));
        }
        sb.append(" features=");
        sb.append(String.join(",", Stream.of(ops.buildInfo().split("\\R"))
                .map(String::trim).filter(s -> s.startsWith("HAVE_")).toList()));
        // The values are not all Strings, so Properties.getProperty would return null for them.
        sb.append(" ompThreads=").append(env.get("omp.threads"))
                .append(" blas=").append(env.get("blas.vendor"))
                .append(" blasThreads=").append(env.get("blas.threads"))
                .append(" cores=").append(env.get("cores"))
                .append(" OPENBLAS_CORETYPE=").append(System.getenv("OPENBLAS_CORETYPE"));
        return sb.toString();
    }

    private static String level(int level) {
        return switch (level) {
            case 1 -> "generic";
            case 2 -> "avx2";
            case 3 -> "avx512";
            default -> Integer.toString(level);
        };
    }

    /** The first "flags" line of a cpuinfo file, or null if unreadable or absent. */
    static String readCpuFlags(Path cpuinfo) {
        if (!Files.isReadable(cpuinfo)) {
            return null;
        }
        try (Stream<String> lines = Files.lines(cpuinfo, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.startsWith("flags")).findFirst().orElse(null);
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("ND4J native build: cannot read {}: {}", cpuinfo, e.toString());
            return null;
        }
    }

    private static boolean onCpuBackend() {
        return resourceExists(CPU_BACKEND_CLASS);
    }

    /** wanted, or the next lower build whose native library is on the class path (plain last). */
    private static String availableAtOrBelow(String wanted) {
        List<String> order = List.of(ONEDNN_AVX512, ONEDNN_AVX2, PLAIN);
        for (String ext : order.subList(order.indexOf(wanted), order.size())) {
            if (resourceExists(CPU_BINDINGS + ext + "/libnd4jcpu.so")) {
                return ext;
            }
        }
        return wanted;
    }

    private static boolean resourceExists(String name) {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        if (cl == null) {
            cl = NativeBackend.class.getClassLoader();
        }
        return cl.getResource(name) != null || NativeBackend.class.getClassLoader().getResource(name) != null;
    }
}

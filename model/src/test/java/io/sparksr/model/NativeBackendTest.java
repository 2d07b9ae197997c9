package io.sparksr.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NativeBackendTest {

    // Flag lines as /proc/cpuinfo prints them (abridged), one per CPU generation.
    private static final String SAPPHIRE_RAPIDS = "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep "
            + "mtrr sse sse2 ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt avx f16c rdrand avx2 bmi1 bmi2 "
            + "avx512f avx512dq avx512ifma avx512cd avx512bw avx512vl avx512vbmi avx512_vnni avx512_bf16";
    private static final String SKYLAKE_CLIENT = "flags\t\t: fpu sse sse2 ssse3 fma cx16 sse4_1 sse4_2 "
            + "movbe popcnt avx f16c avx2 bmi1 bmi2 adx";
    private static final String KNIGHTS_LANDING = "flags\t\t: fpu sse sse2 ssse3 fma sse4_1 sse4_2 avx "
            + "avx2 avx512f avx512pf avx512er avx512cd";
    private static final String SANDY_BRIDGE = "flags\t\t: fpu sse sse2 ssse3 cx16 sse4_1 sse4_2 popcnt avx";
    private static final String AVX2_WITHOUT_FMA = "flags : sse sse2 avx avx2";

    @Test
    void avx512SkylakeSetGivesOnednnAvx512() {
        assertThat(NativeBackend.chooseClassifierExtension(SAPPHIRE_RAPIDS)).isEqualTo("-onednn-avx512");
    }

    @Test
    void bareFlagListWithoutPrefixIsAccepted() {
        assertThat(NativeBackend.chooseClassifierExtension("avx512vl avx512bw avx2 fma avx512dq avx512cd avx512f"))
                .isEqualTo("-onednn-avx512");
    }

    @Test
    void avx2WithFmaGivesOnednnAvx2() {
        assertThat(NativeBackend.chooseClassifierExtension(SKYLAKE_CLIENT)).isEqualTo("-onednn-avx2");
    }

    @Test
    void avx512fWithoutBwDqVlIsNotEnoughForTheAvx512Build() {
        // Knights Landing has avx512f/cd but not the bw/dq/vl subsets the skylake-avx512 build uses.
        assertThat(NativeBackend.chooseClassifierExtension(KNIGHTS_LANDING)).isEqualTo("-onednn-avx2");
    }

    @Test
    void noAvx2GivesPlainBuild() {
        assertThat(NativeBackend.chooseClassifierExtension(SANDY_BRIDGE)).isEmpty();
        assertThat(NativeBackend.chooseClassifierExtension(AVX2_WITHOUT_FMA)).isEmpty();
    }

    @Test
    void flagsAreWholeWordsNotSubstrings() {
        // "avx512_vnni" and "avx2_foo" must not count as avx512f / avx2.
        assertThat(NativeBackend.chooseClassifierExtension("flags : avx512_vnni avx2_foo fma")).isEmpty();
    }

    @Test
    void unknownOrEmptyFlagsGivePlainBuild() {
        assertThat(NativeBackend.chooseClassifierExtension(null)).isEmpty();
        assertThat(NativeBackend.chooseClassifierExtension("")).isEmpty();
        assertThat(NativeBackend.chooseClassifierExtension("Features\t: fp asimd evtstrm aes")).isEmpty();
    }

    @Test
    void readCpuFlagsTakesTheFirstFlagsLine(@TempDir Path dir) throws IOException {
        Path cpuinfo = dir.resolve("cpuinfo");
        Files.writeString(cpuinfo, "processor\t: 0\nmodel name\t: X\n" + SKYLAKE_CLIENT + "\n\nprocessor\t: 1\n"
                + SANDY_BRIDGE + "\n");
        assertThat(NativeBackend.readCpuFlags(cpuinfo)).isEqualTo(SKYLAKE_CLIENT);
        assertThat(NativeBackend.readCpuFlags(dir.resolve("missing"))).isNull();
    }

    @Test
    void afterConfigureA2x2MmulMatchesTheHandComputedProduct() {
        assumeCpuBackend();
        NativeBackend.configure();
        NativeBackend.configure(); // idempotent
        INDArray a = Nd4j.create(new float[] {1, 2, 3, 4}, new long[] {2, 2}, 'c');
        INDArray b = Nd4j.create(new float[] {5, 6, 7, 8}, new long[] {2, 2}, 'c');
        INDArray c = a.mmul(b);
        // [1 2; 3 4] x [5 6; 7 8] = [1*5+2*7, 1*6+2*8; 3*5+4*7, 3*6+4*8]
        assertThat(c.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(c.shape()).containsExactly(2, 2);
        assertThat(c.ravel().toFloatVector()).containsExactly(new float[] {19, 22, 43, 50}, within(0f));
        assertThat(NativeBackend.describe()).startsWith("ND4J backend=CPU build=linux-x86_64");
    }

    /**
     * In a fresh JVM (other tests in this fork may have initialised ND4J already), configure() must
     * decide before JavaCPP starts, and JavaCPP must then load the build the property names.
     */
    @Test
    void inAFreshJvmTheChosenBuildIsTheOneLoaded() throws Exception {
        assumeCpuBackend();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                "-Dorg.bytedeco.javacpp.maxbytes=2G", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                ChildMain.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        String property = out.lines().filter(l -> l.startsWith("property=")).findFirst().orElseThrow()
                .substring("property=".length());
        String loaded = out.lines().filter(l -> l.startsWith("loaded=")).findFirst().orElseThrow()
                .substring("loaded=".length());
        assertThat(loaded).as(out).endsWith("/linux-x86_64" + property + "/libnd4jcpu.so");
        String flags = NativeBackend.readCpuFlags(Path.of("/proc/cpuinfo"));
        if (flags != null && List.of(flags.split("\\s+")).containsAll(
                List.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"))) {
            assertThat(property).isEqualTo("-onednn-avx512");
        }
    }

    /** With -Pcuda there is no CPU backend, and a CPU-only machine cannot start the CUDA one. */
    private static void assumeCpuBackend() {
        assumeTrue(NativeBackendTest.class.getClassLoader()
                        .getResource("org/nd4j/linalg/cpu/nativecpu/CpuBackend.class") != null,
                "skipped: no nd4j-native CPU backend on the class path (built with -Pcuda?)");
    }

    /** Runs in the child JVM of {@link #inAFreshJvmTheChosenBuildIsTheOneLoaded()}. */
    public static final class ChildMain {
        public static void main(String[] args) {
            NativeBackend.configure();
            Nd4j.create(new float[] {1, 2, 3, 4}, new long[] {2, 2}, 'c').mmul(Nd4j.eye(2).castTo(DataType.FLOAT));
            System.out.println("property=" + System.getProperty(NativeBackend.EXTENSION_PROPERTY));
            System.out.println("loaded=" + Loader.getLoadedLibraries().get("nd4jcpu"));
        }
    }
}

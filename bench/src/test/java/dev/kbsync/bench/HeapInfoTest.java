package dev.kbsync.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Scenario M's used heap, from {@code jcmd <pid> GC.heap_info} after {@code GC.run}, whichever collector the child
 * coordinator runs ({@code -Dkbsync.bench.coordinatorJvmFlags}). The samples are what Java 17.0.15 printed for a small
 * program with {@code -Xmx256m} and each collector (the young generations of Parallel and Serial, empty right after the
 * full GC, given a few KiB here so that the sum of the generations is checked).
 */
class HeapInfoTest {
    private static final String G1 = """
            17567:
             garbage-first heap   total 48128K, used 13091K [0x00000000f0000000, 0x0000000100000000)
              region size 1024K, 0 young (0K), 0 survivors (0K)
             Metaspace       used 9144K, committed 9408K, reserved 1114112K
              class space    used 1096K, committed 1216K, reserved 1048576K
            """;

    private static final String ZGC = """
            17953:
             ZHeap           used 24M, capacity 256M, max capacity 256M
             Metaspace       used 9111K, committed 9344K, reserved 1114112K
              class space    used 1095K, committed 1216K, reserved 1048576K
            """;

    private static final String PARALLEL = """
            18278:
             PSYoungGen      total 76288K, used 512K [0x00000000fab00000, 0x0000000100000000, 0x0000000100000000)
              eden space 65536K, 0% used [0x00000000fab00000,0x00000000fab00000,0x00000000feb00000)
              from space 10752K, 0% used [0x00000000feb00000,0x00000000feb00000,0x00000000ff580000)
              to   space 10752K, 0% used [0x00000000ff580000,0x00000000ff580000,0x0000000100000000)
             ParOldGen       total 175104K, used 12074K [0x00000000f0000000, 0x00000000fab00000, 0x00000000fab00000)
              object space 175104K, 6% used [0x00000000f0000000,0x00000000f0bca968,0x00000000fab00000)
             Metaspace       used 9115K, committed 9344K, reserved 1114112K
              class space    used 1095K, committed 1216K, reserved 1048576K
            """;

    private static final String SERIAL = """
            18575:
             def new generation   total 78656K, used 1024K [0x00000000f0000000, 0x00000000f5550000, 0x00000000f5550000)
              eden space 69952K,   0% used [0x00000000f0000000, 0x00000000f0000000, 0x00000000f4450000)
              from space 8704K,   0% used [0x00000000f4450000, 0x00000000f4450000, 0x00000000f4cd0000)
              to   space 8704K,   0% used [0x00000000f4cd0000, 0x00000000f4cd0000, 0x00000000f5550000)
             tenured generation   total 174784K, used 12074K [0x00000000f5550000, 0x0000000100000000, 0x0000000100000000)
               the space 174784K,   6% used [0x00000000f5550000, 0x00000000f611a9a8, 0x00000000f611aa00, 0x0000000100000000)
             Metaspace       used 9138K, committed 9344K, reserved 1114112K
              class space    used 1094K, committed 1216K, reserved 1048576K
            """;

    private static final String SHENANDOAH = """
            19647:
            Shenandoah Heap
             256M max, 256M soft max, 256M committed, 11875K used
             1024 x 256K regions
            Status: not cancelled
            Reserved region:
             - [0x00000000f0000000, 0x0000000100000000)\s
            Collection set:
             - map (vanilla): 0x0000000000013c00
             - map (biased):  0x0000000000010000

             Metaspace       used 9147K, committed 9408K, reserved 1114112K
              class space    used 1094K, committed 1216K, reserved 1048576K
            """;

    @Test
    void shouldReadG1sUsedHeap() {
        assertThat(MemoryBench.heapUsedMib(G1)).isCloseTo(13091 / 1024.0, within(1e-9));
    }

    @Test
    void shouldReadZgcsUsedHeapInItsOwnUnit() {
        assertThat(MemoryBench.heapUsedMib(ZGC)).isCloseTo(24.0, within(1e-9));
    }

    @Test
    void shouldAddTheGenerationsOfTheParallelAndSerialCollectors() {
        assertThat(MemoryBench.heapUsedMib(PARALLEL)).isCloseTo((512 + 12074) / 1024.0, within(1e-9));
        assertThat(MemoryBench.heapUsedMib(SERIAL)).isCloseTo((1024 + 12074) / 1024.0, within(1e-9));
    }

    @Test
    void shouldReadShenandoahsUsedHeap() {
        assertThat(MemoryBench.heapUsedMib(SHENANDOAH)).isCloseTo(11875 / 1024.0, within(1e-9));
    }

    @Test
    void shouldRefuseAnAnswerWithNoHeapInIt() {
        assertThatThrownBy(() -> MemoryBench.heapUsedMib("17567:\n Metaspace       used 9144K, committed 9408K\n"))
                .isInstanceOf(IllegalStateException.class);
    }
}

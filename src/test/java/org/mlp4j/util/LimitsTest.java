package org.mlp4j.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LimitsTest {
    private static final long MIB = 1L << 20, GIB = 1L << 30;

    /** The heap a refusal asks for is what is needed and a quarter more, as a size one can type. */
    @Test
    void theHeapSuggestedCoversTheNeedInRoundSteps() {
        assertEquals("raise it with MLP4J_JAVA_OPTS=-Xmx512m or java -Xmx512m", Limits.raiseHeap(392 * MIB));
        assertEquals("raise it with MLP4J_JAVA_OPTS=-Xmx1280m or java -Xmx1280m", Limits.raiseHeap(GIB));
        assertEquals("raise it with MLP4J_JAVA_OPTS=-Xmx5g or java -Xmx5g", Limits.raiseHeap(4 * GIB));
        assertEquals("raise it with MLP4J_JAVA_OPTS=-Xmx38g or java -Xmx38g", Limits.raiseHeap(30 * GIB));
        Pattern size = Pattern.compile("-Xmx(\\d+)([mg]) ");
        for (long need = 1; need < 64 * GIB; need = need * 3 / 2 + 7) {
            Matcher m = size.matcher(Limits.raiseHeap(need));
            assertTrue(m.find(), Limits.raiseHeap(need));
            long given = Long.parseLong(m.group(1)) * (m.group(2).equals("g") ? GIB : MIB);
            assertTrue(given >= need + need / 4 && given < need + need / 4 + GIB, need + " bytes: " + Limits.raiseHeap(need));
        }
    }
}

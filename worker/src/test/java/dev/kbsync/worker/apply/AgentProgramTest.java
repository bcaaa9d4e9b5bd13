package dev.kbsync.worker.apply;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Where an agent's program is looked for, as the JVM will run it. */
class AgentProgramTest {
    /** Without a PATH the JVM runs a bare name from /bin or /usr/bin (and the working directory): so is it found. */
    @Test
    void shouldLookWhereTheJvmLooksWhenPathIsUnset() {
        assertThat(AgentProgram.find("sh", null)).isPresent();
        assertThat(AgentProgram.problem("sh", null)).isEmpty();
    }

    @Test
    void shouldNameAProgramThatIsNowhere() {
        assertThat(AgentProgram.problem("no-such-agent-program", "/usr/bin:/bin"))
                .contains("no-such-agent-program is not on PATH");
        assertThat(AgentProgram.problem("/no/such/agent", "/usr/bin"))
                .contains("/no/such/agent is not an executable file");
        assertThat(AgentProgram.find("sh", "/usr/bin:/bin"))
                .map(Path::getFileName)
                .contains(Path.of("sh"));
    }
}

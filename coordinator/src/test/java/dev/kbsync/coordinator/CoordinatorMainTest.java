package dev.kbsync.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CoordinatorMainTest {
    @Test
    void shouldReadTheConfigFileArgumentInBothForms() {
        assertThat(CoordinatorMain.configFile(new String[] {"--config", "a.yaml"}))
                .contains(Path.of("a.yaml"));
        assertThat(CoordinatorMain.configFile(new String[] {"--config=b.yaml"})).contains(Path.of("b.yaml"));
        assertThat(CoordinatorMain.configFile(new String[0])).isEmpty();
    }

    @Test
    void shouldRejectOtherArguments() {
        assertThatThrownBy(() -> CoordinatorMain.configFile(new String[] {"--port", "1"}))
                .hasMessage("usage: CoordinatorMain [--config file.yaml]");
    }
}

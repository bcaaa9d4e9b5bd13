package dev.kbsync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyTableTest {
    private static final KeyTable<SampleKey> TABLE = KeyTable.of(SampleKey.class);

    @TempDir
    Path dir;

    private Values<SampleKey> read(String yaml, Map<String, String> env) throws IOException {
        return TABLE.read(Optional.of(Files.writeString(dir.resolve("c.yaml"), yaml)), env);
    }

    @Test
    void shouldReadNestedYamlAndLetTheEnvironmentWin() throws IOException {
        Values<SampleKey> values = read(
                "http: {port: 9000, host: 0.0.0.0}\nworker:\n  http:\n    port: 9191\n",
                Map.of("KBSYNC_HTTP_PORT", " 9001 "));

        assertThat(values.integer(SampleKey.PORT)).isEqualTo(9001);
        assertThat(values.text(SampleKey.HOST)).isEqualTo("0.0.0.0");
        assertThat(values.integer(SampleKey.WORKER_PORT)).isEqualTo(9191);
        assertThat(values.text(SampleKey.ADDRESS)).isEqualTo("redis://127.0.0.1:6379");
        assertThat(values.string(SampleKey.ID))
                .as("a placeholder is no default")
                .isEmpty();
    }

    @Test
    void shouldTreatBlankValuesAsUnsetInTheFileAndTheEnvironment() throws IOException {
        Values<SampleKey> values = read("http: {host: ' '}\nagent: {command: ''}\n", Map.of("KBSYNC_HTTP_PORT", " "));

        assertThat(values.text(SampleKey.HOST)).isEqualTo("127.0.0.1");
        assertThat(values.integer(SampleKey.PORT)).isEqualTo(8080);
        assertThat(values.words(SampleKey.COMMAND)).isEmpty();
    }

    @Test
    void shouldNameEachUnknownKeyWithTheNearestValidOne() throws IOException {
        Path file = dir.resolve("c.yaml");
        assertThatThrownBy(() -> read(
                        "redis: {adress: x}\nhttp: {prot: 1}\nworker: {htp: {port: 1}}\nport: 1\ncolour: blue\n",
                        Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(String.join(
                        "\n",
                        file + ": unknown key 'redis.adress'; did you mean 'redis.address'?",
                        file + ": unknown key 'http.prot'; did you mean 'http.port'?",
                        file + ": unknown key 'worker.htp'; did you mean 'worker.http'?",
                        file + ": unknown key 'port'; did you mean 'http.port'?",
                        file + ": unknown key 'colour'"));
    }

    @Test
    void shouldRefuseAValueWhereASectionBelongs() {
        assertThatThrownBy(() -> read("http: 8080\n", Map.of()))
                .hasMessageEndingWith(": 'http' is a section: nest its keys under it");
        assertThatThrownBy(() -> read("http: {port: {value: 1}}\n", Map.of()).integer(SampleKey.PORT))
                .hasMessage("http.port: must be a single value");
    }

    @Test
    void shouldExplainUnreadableAndMalformedFiles() throws IOException {
        Path missing = dir.resolve("missing.yaml");
        assertThatThrownBy(() -> TABLE.read(Optional.of(missing), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config file " + missing + " does not exist");
        assertThatThrownBy(() -> read("http: [", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> read("- a\n- b\n", Map.of())).hasMessageEndingWith("must be a YAML mapping");
    }

    /** A key given twice is refused, not read last-wins: a second section would silently drop the first's keys. */
    @Test
    void shouldRefuseAKeyGivenTwice() {
        assertThatThrownBy(() -> read("http: {port: 1}\nhttp: {}\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not valid YAML")
                .hasMessageContaining("duplicate key http");
    }

    @Test
    void shouldRefuseATableWithTwoKeysOnOnePath() {
        assertThatThrownBy(() -> KeyTable.of(Twice.class)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldDeriveEnvironmentNamesFromPaths() {
        assertThat(Key.envName("worker.http.port")).isEqualTo("KBSYNC_WORKER_HTTP_PORT");
        assertThat(Key.envName("http.sseKeepAliveSeconds")).isEqualTo("KBSYNC_HTTP_SSE_KEEP_ALIVE_SECONDS");
    }

    private enum Twice implements Key {
        A,
        B;

        @Override
        public String path() {
            return "same.path";
        }

        @Override
        public String env() {
            return "KBSYNC_" + name();
        }

        @Override
        public String defaultText() {
            return "(none)";
        }

        @Override
        public String description() {
            return "";
        }
    }
}

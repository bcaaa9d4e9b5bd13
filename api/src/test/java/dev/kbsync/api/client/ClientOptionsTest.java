package dev.kbsync.api.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientOptionsTest {
    @Test
    void shouldReadOneOrSeveralCommaSeparatedUrlsInOrder() {
        assertThat(ClientOptions.parseUrls("http://a:8080")).containsExactly(URI.create("http://a:8080"));
        assertThat(ClientOptions.parseUrls(" http://a:8080 ,https://b/kbsync/,, "))
                .containsExactly(URI.create("http://a:8080"), URI.create("https://b/kbsync/"));
    }

    @Test
    void shouldRefuseNoUrlAMalformedOneAndOneListedTwice() {
        assertThatThrownBy(() -> ClientOptions.parseUrls(" , ")).hasMessageContaining("at least one");
        assertThatThrownBy(() -> ClientOptions.parseUrls("http://a b")).hasMessageContaining("not a coordinator URL");
        List<URI> twice = ClientOptions.parseUrls("http://a,http://a");
        assertThatThrownBy(() -> ClientOptions.of(twice, null)).hasMessageContaining("listed twice");
    }
}

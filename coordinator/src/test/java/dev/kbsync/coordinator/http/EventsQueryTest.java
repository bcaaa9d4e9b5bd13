package dev.kbsync.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.kbsync.api.InvalidInputException;
import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

/** The query of {@code GET /v1/events}: its refusals say what is wrong with the parameter given. */
class EventsQueryTest {
    @Test
    void shouldRefuseAParameterGivenTwiceNamingOnlyWhatHelpsWithIt() {
        assertThat(refusal(MultiMap.caseInsensitiveMultiMap()
                        .add("access_token", "a")
                        .add("access_token", "b")))
                .isEqualTo("query parameter access_token given twice");
        assertThat(refusal(
                        MultiMap.caseInsensitiveMultiMap().add("user", "alice").add("user", "bob")))
                .isEqualTo("query parameter user given twice");
        assertThat(refusal(MultiMap.caseInsensitiveMultiMap().add("job", "a~1").add("job", "a~2")))
                .isEqualTo("query parameter job given twice (several jobs: one job parameter, ids comma-separated)");
    }

    private static String refusal(MultiMap query) {
        InvalidInputException refused = (InvalidInputException) catchThrowable(() -> EventsQuery.parse(query));
        assertThat(refused.code()).isEqualTo("INVALID_PARAMETER");
        return refused.getMessage();
    }
}

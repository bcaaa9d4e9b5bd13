package dev.kbsync.coordinator.engine.ticket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.error.NotFoundException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LeaseRefTest {
    @Test
    void shouldParseRawLeaseId() {
        LeaseRef ref = LeaseRef.parse("team.notes~abc123");

        assertThat(ref).isEqualTo(new LeaseRef("team.notes~abc123", KbId.of("team.notes"), "abc123", null));
        assertThat(ref.forJob()).isFalse();
    }

    @Test
    void shouldParseJobLeaseIdWithItsFencingTokenAndNonce() {
        LeaseRef ref = LeaseRef.parse("team~job42.17.9f3a01");

        assertThat(ref).isEqualTo(new LeaseRef("team~job42.17.9f3a01", KbId.of("team"), "job42", 17L));
        assertThat(ref.forJob()).isTrue();
        assertThat(ref.job().id()).isEqualTo("team~job42");
        assertThat(ref.keys().prefix()).isEqualTo("kbsync:{kb:team}:");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "~",
                "team",
                "team~",
                "~abc",
                "Team~abc",
                "team~abc.x.n",
                "team~abc.17",
                "team~abc.17.",
                "../x~abc"
            })
    void shouldRejectMalformedIdsAsNotFound(String id) {
        assertThatThrownBy(() -> LeaseRef.parse(id))
                .isInstanceOfSatisfying(
                        NotFoundException.class, e -> assertThat(e.code()).isEqualTo("LEASE_NOT_FOUND"));
    }
}

package dev.kbsync.coordinator.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * A role's wire name is the same in every default locale: in Turkish, {@code ADMIN} lower-cased by the default locale
 * is {@code admın} (dotless i), so a coordinator started with {@code -Duser.language=tr} refused {@code role: admin}
 * in its token config and told whoami {@code clıent}.
 */
@Isolated // changes the JVM's default locale
class RoleLocaleTest {
    private Locale before;

    @BeforeEach
    void turkish() {
        before = Locale.getDefault();
        Locale.setDefault(Locale.forLanguageTag("tr-TR"));
    }

    @AfterEach
    void restore() {
        Locale.setDefault(before);
    }

    @Test
    void shouldReadAndWriteRolesAsTheWireNamesThem() {
        assertThat(Role.fromWire("admin")).isEqualTo(Role.ADMIN);
        assertThat(Role.fromWire("client")).isEqualTo(Role.CLIENT);
        assertThat(Role.CLIENT.wire()).isEqualTo("client");
        assertThat(AuthException.forbidden(Role.CLIENT, Access.SUBMIT).getMessage())
                .isEqualTo("role client may not submit here");
    }
}

package dev.kbsync.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NotePathTemplateTest {
    private static final Instant CREATED = Instant.parse("2026-03-07T23:30:00Z");

    @Test
    void shouldRenderTheDateInUtcAndTheSlug() {
        assertThat(NotePathTemplate.DEFAULT.render("standup", CREATED, "j1")).isEqualTo("notes/2026/03/standup.md");
        assertThat(new NotePathTemplate("{yyyy}/{MM}/{dd}/{yyyy}{MM}{dd}-{slug}.txt").render("a", CREATED, "j1"))
                .isEqualTo("2026/03/07/20260307-a.txt");
        assertThat(new NotePathTemplate("{slug}.md").render("a", CREATED, "j1")).isEqualTo("a.md");
    }

    @Test
    void shouldKeepATemplateInNfcSoEveryNoteItPlacesIsInNfc() {
        NotePathTemplate nfd = new NotePathTemplate("Re\u0301sume\u0301s/{slug}.md");

        assertThat(nfd.pattern()).isEqualTo("R\u00e9sum\u00e9s/{slug}.md");
        assertThat(nfd.render("a", CREATED, "j1")).isEqualTo("R\u00e9sum\u00e9s/a.md");
    }

    @Test
    void shouldSpreadJobsOverShardFoldersTheSameWayEveryTime() {
        NotePathTemplate sharded = new NotePathTemplate("notes/{shard}/{slug}.md");
        java.util.Set<String> folders = new java.util.HashSet<>();
        for (int i = 0; i < 2000; i++) {
            String path = sharded.render("n", CREATED, "job-" + i);
            assertThat(path).matches("notes/[0-9a-f]{2}/n\\.md").isEqualTo(sharded.render("n", CREATED, "job-" + i));
            folders.add(path);
        }
        assertThat(folders).hasSize(256);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                " ",
                "notes/{yyyy}/{MM}/note.md",
                "{slug}/index.md",
                "notes/{slug}-{slug}.md",
                "notes/{user}/{slug}.md",
                "notes/{slug.md",
                "notes/{slug}}.md",
                "/abs/{slug}.md",
                "../{slug}.md",
                "notes/../{slug}.md",
                ".git/{slug}",
                "notes//{slug}.md",
                "notes\\{slug}.md",
                "notes/{slug}.md/"
            })
    void shouldRejectTemplatesThePathGuardOrTheRulesRefuse(String pattern) {
        assertThatThrownBy(() -> new NotePathTemplate(pattern))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.code()).isEqualTo("INVALID_NOTE_PATH"))
                .hasMessageStartingWith("notePath ");
    }

    @Test
    void shouldRejectATemplateWhoseLongestNoteNameIsTooLong() {
        assertThatThrownBy(() -> new NotePathTemplate("x".repeat(190) + "{slug}.md"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("longer than 255 bytes");
    }

    @Test
    void shouldGiveKbsWithoutATemplateTheDefaultOnTheWire() {
        KbConfig stored = KbConfig.fromJson(new JsonObject().put("id", "team").put("remote", "/srv/team.git"));
        KbConfig custom = new KbConfig(KbId.of("team"), "/srv/team.git", "main", new NotePathTemplate("{slug}.md"));

        assertThat(stored.notePath()).isEqualTo(NotePathTemplate.DEFAULT);
        assertThat(stored.toJson().getString("notePath")).isEqualTo("notes/{yyyy}/{MM}/{slug}.md");
        assertThat(KbConfig.fromJson(custom.toJson())).isEqualTo(custom);
    }
}

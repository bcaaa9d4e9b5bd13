package dev.kbsync.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RelativePathTest {
    /**
     * Files git reads as configuration of every clone (filters, diff and merge drivers; submodule URLs) are not kbsync's
     * to create: a note there changes how everyone's clone behaves, or breaks its pulls.
     */
    @ParameterizedTest
    @ValueSource(
            strings = {
                ".gitattributes",
                "sub/.gitattributes",
                ".gitmodules",
                ".GitModules",
                ".gitmodules.",
                "a/.gitattributes "
            })
    void shouldRefuseToCreateAFileGitReadsAsConfiguration(String path) {
        assertThatThrownBy(() -> RelativePath.checkNew(path))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("git reads");
    }

    @ParameterizedTest
    @ValueSource(strings = {".gitattributes", "sub/.gitmodules"})
    void shouldStillReadOne(String path) {
        assertThat(RelativePath.check(path)).isEqualTo(path);
    }

    @ParameterizedTest
    @ValueSource(strings = {".gitignore", ".github/notes.md", ".gitattributes.md", "notes/gitmodules"})
    void shouldCreateNamesThatOnlyLookAlike(String path) {
        assertThat(RelativePath.checkNew(path)).isEqualTo(path);
    }

    /** Characters that reorder how a name is shown (a name that reads as {@code notes/txt.md} may be another). */
    @ParameterizedTest
    @ValueSource(strings = {"notes/\u202Edm.txt", "a\u202Ab.md", "a\u2066b.md", "a\u2069.md", "x\u200Fy.md"})
    void shouldRefuseToCreateANameWithBidirectionalControls(String path) {
        assertThatThrownBy(() -> RelativePath.checkNew(path))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("direction");
    }
}

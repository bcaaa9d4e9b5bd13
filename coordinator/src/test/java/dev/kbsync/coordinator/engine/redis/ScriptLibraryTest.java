package dev.kbsync.coordinator.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ScriptLibraryTest {
    private static final String LIB = String.join(
            "\n",
            "-- a header",
            "local A, B = KEYS[1], KEYS[2]",
            "local C = 3",
            "",
            "-- uses A",
            "local function f()",
            "  return A",
            "end",
            "",
            "local function g(x)",
            "  return f() + x",
            "end",
            "",
            "local T = {",
            "  k = C,",
            "}",
            "local function unused()",
            "  return B",
            "end",
            "");

    @Test
    void shouldKeepWhatTheBodyUsesDirectlyAndThroughOtherStatementsInOrder() {
        // C is not used (the comment after it goes with it); unused is not used
        String text = ScriptLibrary.parse(LIB).around("return g(1)\n");

        assertThat(text)
                .isEqualTo(String.join(
                        "\n",
                        "-- a header",
                        "local A, B = KEYS[1], KEYS[2]",
                        "local function f()",
                        "  return A",
                        "end",
                        "",
                        "local function g(x)",
                        "  return f() + x",
                        "end",
                        "",
                        "return g(1)",
                        ""));
    }

    @Test
    void shouldKeepAMultiLineStatementWhole() {
        String text = ScriptLibrary.parse(LIB).around("return T.k\n");

        assertThat(text).contains("local T = {\n  k = C,\n}\n").contains("local C = 3\n");
        assertThat(text).doesNotContain("local function f()").doesNotContain("unused");
    }

    @Test
    void shouldRefuseATopLevelLineItCannotPlace() {
        assertThatThrownBy(() -> ScriptLibrary.parse("local A = 1\nA = 2\n"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("A = 2");
        assertThatThrownBy(() -> ScriptLibrary.parse("local A.b = 1\n")).isInstanceOf(IllegalStateException.class);
    }

    /** Every top-level local of lib.lua a script's code names (outside comments) is defined in its text. */
    @ParameterizedTest
    @EnumSource(Script.class)
    void shouldDefineEveryLibraryNameAScriptUses(Script script) {
        String lib = Script.load("lib.lua");
        Pattern defined = Pattern.compile("(?m)^local (?:function )?([A-Za-z_]\\w*(?:\\s*,\\s*[A-Za-z_]\\w*)*)");
        Matcher names = defined.matcher(lib);
        String text = script.text();
        String code = text.replaceAll("--[^\n]*", ""); // a comment may name a later local: not a use
        while (names.find()) {
            for (String name : names.group(1).split(",")) {
                Pattern use = Pattern.compile("\\b" + name.strip() + "\\b");
                if (use.matcher(code).find()) {
                    assertThat(text)
                            .as("%s uses %s", script, name.strip())
                            .containsPattern("(?m)^local (function )?([A-Za-z_, ]*\\b)?" + name.strip() + "\\b");
                }
            }
        }
    }

    /** The short steps a worker and an open stream repeat carry well under half the library. */
    @ParameterizedTest
    @EnumSource(
            value = Script.class,
            names = {"HEARTBEAT", "KEEP_ALIVE", "CLAIM", "HEAD", "TICKET", "VIEW"})
    void shouldLeaveOutWhatAShortStepDoesNotUse(Script script) {
        assertThat(script.text().length()).isLessThan(Script.load("lib.lua").length() / 2);
    }
}

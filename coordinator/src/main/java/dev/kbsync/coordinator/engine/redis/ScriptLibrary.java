package dev.kbsync.coordinator.engine.redis;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code lib.lua} cut into its top-level statements, so that each script carries only those it uses: Redis runs a
 * script's whole text on every call, and defining the library's functions is a good part of a short script's cost
 * (docs/benchmarks.md, "What a grant costs Redis").
 *
 * <p>A statement starts at a line that begins with {@code local} (a top-level local or function); it is kept when the
 * script, or a statement kept before it is considered, names what it defines. Names are every identifier-like word of
 * the text, comments and strings included, so a statement is kept whenever it might be used: a local can only be
 * reached through its name, and a top-level local can only name locals defined before it, so one pass from the last
 * statement to the first finds them all.
 */
final class ScriptLibrary {
    private static final Pattern FUNCTION = Pattern.compile("^local function ([A-Za-z_]\\w*)");
    private static final Pattern LOCALS =
            Pattern.compile("^local ([A-Za-z_]\\w*(?:\\s*,\\s*[A-Za-z_]\\w*)*)\\s*(?:=|$)");
    private static final Pattern WORD = Pattern.compile("[A-Za-z_]\\w*");

    /** One top-level statement: its lines, the locals it defines (none: always kept) and every word in it. */
    private record Statement(String text, Set<String> defines, Set<String> words) {}

    private final List<Statement> statements;

    private ScriptLibrary(List<Statement> statements) {
        this.statements = statements;
    }

    /**
     * Cuts {@code lib} into statements; refuses a top-level line it cannot place (anything at column 0 but {@code
     * local}, {@code end}, {@code }}, a comment or a blank line).
     */
    static ScriptLibrary parse(String lib) {
        List<Statement> statements = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        Set<String> defines = Set.of();
        for (String line : lib.split("\n", -1)) {
            if (line.startsWith("local ")) {
                if (!text.isEmpty()) {
                    statements.add(statement(text.toString(), defines));
                }
                text.setLength(0);
                defines = defines(line);
            } else if (!line.isEmpty()
                    && !Character.isWhitespace(line.charAt(0))
                    && !line.startsWith("end")
                    && !line.startsWith("}")
                    && !line.startsWith("--")) {
                throw new IllegalStateException("lib.lua: a top-level line that is not a local statement: " + line);
            }
            text.append(line).append('\n');
        }
        if (!text.isEmpty()) {
            statements.add(statement(text.toString(), defines));
        }
        return new ScriptLibrary(List.copyOf(statements));
    }

    /** The statements {@code body} uses, directly or through each other, in the library's order; then {@code body}. */
    String around(String body) {
        Set<String> wanted = new HashSet<>(words(body));
        boolean[] kept = new boolean[statements.size()];
        for (int i = statements.size() - 1; i >= 0; i--) {
            Statement statement = statements.get(i);
            if (statement.defines().isEmpty() || !Collections.disjoint(statement.defines(), wanted)) {
                kept[i] = true;
                wanted.addAll(statement.words());
            }
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < kept.length; i++) {
            if (kept[i]) {
                text.append(statements.get(i).text());
            }
        }
        return text.append(body).toString();
    }

    private static Statement statement(String text, Set<String> defines) {
        return new Statement(text, defines, words(text));
    }

    private static Set<String> defines(String line) {
        Matcher function = FUNCTION.matcher(line);
        if (function.find()) {
            return Set.of(function.group(1));
        }
        Matcher locals = LOCALS.matcher(line);
        if (!locals.find()) {
            throw new IllegalStateException("lib.lua: a local statement whose names cannot be read: " + line);
        }
        Set<String> names = new HashSet<>();
        for (String name : locals.group(1).split(",")) {
            names.add(name.strip());
        }
        return Set.copyOf(names);
    }

    private static Set<String> words(String text) {
        Set<String> words = new HashSet<>();
        Matcher word = WORD.matcher(text);
        while (word.find()) {
            words.add(word.group());
        }
        return words;
    }
}

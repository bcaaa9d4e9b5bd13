package dev.kbsync.config;

import java.util.List;

/** The generated Markdown reference of a key table: a heading, an introduction, one row per key, an example. */
public final class ConfigPage {
    private ConfigPage() {}

    public static String markdown(String title, String intro, List<? extends Key> keys, String example) {
        StringBuilder out = new StringBuilder()
                .append("# ")
                .append(title)
                .append("\n\n")
                .append(intro)
                .append("\n| key | environment | default | meaning |\n")
                .append("| --- | --- | --- | --- |\n");
        for (Key key : keys) {
            out.append("| `")
                    .append(key.path())
                    .append("` | `")
                    .append(key.env())
                    .append("` | ")
                    .append(key.defaultText().equals("(none)") ? "(none)" : "`" + key.defaultText() + "`")
                    .append(" | ")
                    .append(key.description().replace("|", "\\|"))
                    .append(" |\n");
        }
        return out.append(example.isEmpty() ? "" : "\n## Example\n\n```yaml\n" + example + "```\n")
                .toString();
    }
}

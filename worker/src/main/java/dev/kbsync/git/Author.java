package dev.kbsync.git;

/** The KB user a commit is attributed to. */
public record Author(String name, String email) {
    public Author {
        if (name == null || name.isBlank() || email == null || email.isBlank()) {
            throw new IllegalArgumentException("Author needs a name and an email");
        }
        if ((name + email).chars().anyMatch(c -> c == '<' || c == '>' || c == '\n' || c == '\r' || c == 0)) {
            throw new IllegalArgumentException("Author name/email must not contain <, >, NUL or line breaks");
        }
    }
}

package dev.kbsync.config;

/** A small key table for the tests. */
enum SampleKey implements Key {
    PORT("http.port", "8080"),
    HOST("http.host", "127.0.0.1"),
    ADDRESS("redis.address", "redis://127.0.0.1:6379"),
    WORKER_PORT("worker.http.port", "9090"),
    COMMAND("agent.command", "(none)"),
    TIMEOUT("agent.timeout", "10m"),
    ENABLED("auth.enabled", "true"),
    ID("node.id", "<hostname>");

    private final String path;
    private final String defaultText;

    SampleKey(String path, String defaultText) {
        this.path = path;
        this.defaultText = defaultText;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String env() {
        return Key.envName(path);
    }

    @Override
    public String defaultText() {
        return defaultText;
    }

    @Override
    public String description() {
        return "The " + path + ".";
    }
}

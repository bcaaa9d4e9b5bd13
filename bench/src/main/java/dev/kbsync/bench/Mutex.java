package dev.kbsync.bench;

/** A blocking lock as the handoff harness sees it: one instance per contending thread. */
interface Mutex {
    void lock() throws Exception;

    void unlock() throws Exception;
}

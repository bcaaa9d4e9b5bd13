/**
 * The local lock layer: per knowledge base, an in-process FIFO ticket queue followed by a cross-process file lock.
 * It runs under every execution and is the fallback when Redis or the coordinator is unreachable.
 */
package dev.kbsync.lock;

/**
 * Resolving a KB's credential reference on the worker, at every use: environment variables (the process's own, and
 * an environment file read again each time), secret files, GitHub App installation tokens (JWT signed here, token
 * cached until shortly before it expires), SSH keys. Secrets stay in memory; failures name the reference only.
 */
package dev.kbsync.worker.credentials;
